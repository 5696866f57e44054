"""Loading ``[tool.autograd-lint]``: every key, and a clear error for every bad value."""

from __future__ import annotations

from pathlib import Path

import pytest

from autograd_lint.config import (
    ConfigError,
    Settings,
    find_pyproject,
    load_settings,
    parse_code_list,
)
from autograd_lint.diagnostics import Severity

FULL = """
[project]
name = "demo"

[tool.autograd-lint]
select = ["AG"]
ignore = ["AG005"]
preview = true
runtime-check = "torch"
device = "auto"
exclude = ["generated"]
extend-exclude = ["legacy/*.py"]
force-exclude = true
follow-imports = false

[tool.autograd-lint.per-file-ignores]
"tests/*.py" = ["AG003", "AG004"]

[tool.autograd-lint.severity]
AG002 = "warning"
AG001 = "info"
"""


def write(tmp_path: Path, text: str, name: str = "pyproject.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_every_key_is_read(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, FULL))
    assert settings.select == ("AG",)
    assert settings.ignore == ("AG005",)
    assert settings.preview is True
    assert settings.runtime_check == "torch"
    assert settings.device == "auto"
    assert settings.exclude == ("generated",)
    assert settings.extend_exclude == ("legacy/*.py",)
    assert settings.force_exclude is True
    assert settings.follow_imports is False
    assert settings.per_file_ignores == {"tests/*.py": ("AG003", "AG004")}
    assert settings.severity == {"AG002": Severity.WARNING, "AG001": Severity.INFO}


def test_loaded_settings_drive_rule_selection(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, FULL))
    assert settings.is_enabled("AG001", "src/train.py")
    assert not settings.is_enabled("AG005", "src/train.py")
    assert not settings.is_enabled("AG003", "tests/test_x.py")
    assert settings.is_enabled("AG003", "src/train.py")
    assert settings.severity_for("AG001", Severity.ERROR) is Severity.INFO


def test_none_and_missing_table_give_defaults(tmp_path: Path) -> None:
    assert load_settings(None) == Settings()
    assert load_settings(write(tmp_path, "[project]\nname = 'x'\n")) == Settings()


def test_standalone_file_is_the_table(tmp_path: Path) -> None:
    path = write(tmp_path, 'select = ["AG001"]\n', name="autograd-lint.toml")
    assert load_settings(path).select == ("AG001",)


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ('selec = ["AG001"]', "unknown key(s) 'selec'"),
        ('select = "AG001"', "select must be a list of strings"),
        ('select = ["ag001"]', "'ag001' is not a rule code"),
        ('ignore = ["AG001", 3]', "ignore must be a list of strings"),
        ('runtime-check = "full"', "runtime-check must be one of off, mini, torch; got 'full'"),
        ('device = "tpu"', "device must be one of cpu, cuda, auto; got 'tpu'"),
        ('preview = "yes"', "preview must be true or false"),
        ("force-exclude = 1", "force-exclude must be true or false"),
        ('follow-imports = "no"', "follow-imports must be true or false"),
        ("exclude = 3", "exclude must be a list of strings"),
        ('severity = { AG001 = "fatal" }', "severity.AG001 must be one of error, warning, info"),
        ('severity = { bogus = "error" }', "'bogus' is not a rule code"),
        ('severity = "error"', "severity must be a table"),
        ('per-file-ignores = ["x"]', "per-file-ignores must be a table"),
        ('per-file-ignores = { "a.py" = ["nope"] }', "'nope' is not a rule code"),
    ],
)
def test_bad_values_raise_config_error_naming_the_problem(
    tmp_path: Path, body: str, fragment: str
) -> None:
    path = write(tmp_path, f"[tool.autograd-lint]\n{body}\n")
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    message = str(info.value)
    assert fragment in message
    assert str(path) in message


def test_invalid_toml_is_a_config_error(tmp_path: Path) -> None:
    path = write(tmp_path, "[tool.autograd-lint\nselect = [\n")
    with pytest.raises(ConfigError, match="invalid TOML"):
        load_settings(path)


def test_unreadable_config_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read configuration"):
        load_settings(tmp_path / "missing.toml")


def test_find_pyproject_walks_up_past_files_without_the_table(tmp_path: Path) -> None:
    top = write(tmp_path, FULL)
    package = tmp_path / "pkg" / "sub"
    package.mkdir(parents=True)
    write(tmp_path / "pkg", "[project]\nname = 'inner'\n")
    assert find_pyproject(package) == top
    assert find_pyproject(package / "module.py") == top


def test_find_pyproject_prefers_the_nearest_table(tmp_path: Path) -> None:
    write(tmp_path, FULL)
    inner_dir = tmp_path / "inner"
    inner_dir.mkdir()
    inner = write(inner_dir, '[tool.autograd-lint]\nselect = ["AG001"]\n')
    assert find_pyproject(inner_dir) == inner


def test_find_pyproject_none_when_absent(tmp_path: Path) -> None:
    # tmp_path lives under /tmp; nothing above it configures autograd-lint.
    assert find_pyproject(tmp_path) is None


def test_parse_code_list_validates_flags() -> None:
    assert parse_code_list("AG001, AG002,") == ("AG001", "AG002")
    with pytest.raises(ConfigError, match="'AG-1' is not a rule code"):
        parse_code_list("AG-1", "--select")
