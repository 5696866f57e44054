"""Imports of the project's own modules: pitfalls whose parts sit in different files.

Each project is written to a temporary folder with a ``pyproject.toml`` (the root marker)
and checked file by file as the command line does; findings reached through an imported
module are reported on the call in the checked file, with related locations in the other.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

import autograd_lint
from autograd_lint.analysis.project import Project, project_root
from autograd_lint.config import Settings
from autograd_lint.diagnostics import FileResult
from autograd_lint.lint import lint_path

MODELS = """\
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self, width=4):
        super().__init__()
        self.fc = nn.Linear(width, width)

    def forward(self, x):
        h = torch.sigmoid(self.fc(x))
        h.mul_(2)
        return h.sum()


class Clean(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 4)

    def forward(self, x):
        h = torch.sigmoid(self.fc(x))
        return (h * 2).sum()


def make_target(q):
    return q.clone()
"""


def write(root: Path, files: dict[str, str]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text("[project]\nname = 'demo'\n")
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def codes(result: FileResult) -> list[str]:
    return [d.code for d in result.diagnostics]


def test_relative_import_of_a_model_class_reports_its_inplace_write_at_the_call(
    tmp_path: Path,
) -> None:
    root = write(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/models.py": MODELS,
            "pkg/train.py": (
                "import torch\nfrom .models import Net\n\n"
                "model = Net()\nloss = model(torch.randn(2, 4))\nloss.backward()\n"
            ),
        },
    )
    result = lint_path(root / "pkg/train.py")
    (finding,) = result.diagnostics
    assert finding.code == "AG002"
    assert finding.range.start_line == 5  # the call ``model(...)`` in train.py
    assert "`pkg/models.py` at line 12" in finding.message
    assert "saved by `sigmoid` at line 11 of `pkg/models.py`" in finding.message
    elsewhere = [r for r in finding.related if r.path is not None]
    assert {r.path for r in elsewhere} == {str(root / "pkg/models.py")}
    assert {r.range.start_line for r in elsewhere} == {11, 12}
    assert finding.fix is None  # no fix text is written for another file's code
    assert dict(result.dependencies) == {
        str(root / "pkg/models.py"): Project(root).load(str(root / "pkg/models.py")).digest  # type: ignore[union-attr]
    }


def test_the_clean_look_alike_class_stays_quiet(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "models.py": MODELS,
            "train.py": (
                "import torch\nfrom models import Clean\n\n"
                "model = Clean()\nloss = model(torch.randn(2, 4))\nloss.backward()\n"
            ),
        },
    )
    assert codes(lint_path(root / "train.py")) == []


def test_module_import_and_attribute_call(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "utils/__init__.py": "",
            "utils/helpers.py": MODELS,
            "train.py": (
                "import torch\nimport torch.nn.functional as F\nimport utils.helpers as h\n\n"
                "w = torch.randn(3, requires_grad=True)\nout = w * 2\n"
                "loss = F.mse_loss(out, h.make_target(out))\nloss.backward()\n"
            ),
        },
    )
    assert codes(lint_path(root / "train.py")) == ["AG005"]


def test_package_submodule_through_from_import(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/nets/__init__.py": "from .models import Net\n",
            "pkg/nets/models.py": MODELS,
            "run.py": (
                "import torch\nfrom pkg import nets\n\n"
                "loss = nets.Net()(torch.randn(2, 4))\nloss.backward()\n"
            ),
        },
    )
    assert codes(lint_path(root / "run.py")) == ["AG002"]


def test_star_import(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "models.py": MODELS,
            "run.py": "import torch\nfrom models import *\n\nloss = Net()(torch.randn(2, 4))\nloss.backward()\n",
        },
    )
    assert codes(lint_path(root / "run.py")) == ["AG002"]


def test_grad_mode_turned_off_at_import_holds_for_the_importer(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "setup_env.py": "import torch\n\ntorch.set_grad_enabled(False)\n",
            "run.py": (
                "import torch\nimport setup_env\n\n"
                "w = torch.randn(3, requires_grad=True)\nloss = (w * 2).sum()\nloss.backward()\n"
            ),
            "run_ok.py": (
                "import torch\n\n"
                "w = torch.randn(3, requires_grad=True)\nloss = (w * 2).sum()\nloss.backward()\n"
            ),
        },
    )
    assert codes(lint_path(root / "run.py")) == ["AG003"]
    assert codes(lint_path(root / "run_ok.py")) == []


def test_grad_mode_turned_off_by_a_module_an_imported_module_imports(tmp_path: Path) -> None:
    """``run.py`` imports ``common``, whose import of ``setup_env`` turns grad mode off:
    torch raises at ``loss.backward()``. ``lazy_env`` only defines a function that would."""
    body = "\nw = torch.randn(3, requires_grad=True)\nloss = (w * 2).sum()\nloss.backward()\n"
    root = write(
        tmp_path,
        {
            "setup_env.py": "import torch\n\ntorch.set_grad_enabled(False)\n",
            "lazy_env.py": "import torch\n\ndef setup():\n    torch.set_grad_enabled(False)\n",
            "common.py": "import setup_env\n\ndef helper():\n    return 1\n",
            "common_ok.py": "import lazy_env\n\ndef helper():\n    return 1\n",
            "run.py": "import torch\nfrom common import helper\n" + body,
            "run_ok.py": "import torch\nfrom common_ok import helper\n" + body,
        },
    )
    (finding,) = lint_path(root / "run.py").diagnostics
    assert finding.code == "AG003"
    assert "`from common import helper` (that module turns grad mode off" in finding.message
    assert codes(lint_path(root / "run_ok.py")) == []


def test_a_top_level_block_of_a_module_imported_by_an_imported_module_reaches_the_importer(
    tmp_path: Path,
) -> None:
    """``eval_env`` turns grad mode off inside ``if EVAL:`` at its top level (run at
    import); ``guarded_env`` only in its main block, which an import does not run."""
    body = "\nw = torch.randn(3, requires_grad=True)\nloss = (w * 2).sum()\nloss.backward()\n"
    root = write(
        tmp_path,
        {
            "eval_env.py": "import torch\n\nEVAL = True\nif EVAL:\n    torch.set_grad_enabled(False)\n",
            "guarded_env.py": (
                "import torch\n\ndef helper():\n    return 1\n\n"
                'if __name__ == "__main__":\n    torch.set_grad_enabled(False)\n'
            ),
            "common.py": "import eval_env\n\ndef helper():\n    return 1\n",
            "common_ok.py": "import guarded_env\n\ndef helper():\n    return 1\n",
            "run.py": "import torch\nfrom common import helper\n" + body,
            "run_ok.py": "import torch\nfrom common_ok import helper\n" + body,
        },
    )
    assert codes(lint_path(root / "run.py")) == ["AG003"]
    assert codes(lint_path(root / "run_ok.py")) == []


def test_the_main_block_of_an_imported_module_does_not_run_at_import(tmp_path: Path) -> None:
    """Importing ``tools`` does not run its ``if __name__ == "__main__":`` block (torch
    trains here); checked as a script, ``tools.py`` itself runs it."""
    root = write(
        tmp_path,
        {
            "tools.py": (
                "import torch\n\ndef helper():\n    return 1\n\n"
                'if __name__ == "__main__":\n    torch.set_grad_enabled(False)\n'
                "    w = torch.randn(3, requires_grad=True)\n    (w * 2).sum().backward()\n"
            ),
            "run.py": (
                "import torch\nimport tools\n\n"
                "w = torch.randn(3, requires_grad=True)\nloss = (w * 2).sum()\nloss.backward()\n"
            ),
        },
    )
    assert codes(lint_path(root / "run.py")) == []
    assert codes(lint_path(root / "tools.py")) == ["AG003"]


def test_import_cycle_and_unresolved_imports_are_unknown_not_errors(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "a.py": "import torch\nfrom b import g\n\ndef f(x):\n    return g(x)\n",
            "b.py": "import torch\nfrom a import f\n\ndef g(x):\n    return f(x)\n",
            "run.py": (
                "import torch\nfrom a import f\nfrom .missing import thing\nfrom nowhere import y\n\n"
                "w = torch.randn(3, requires_grad=True)\nloss = f(w).sum()\nloss.backward()\n"
                "thing(w)\ny(w)\n"
            ),
        },
    )
    result = lint_path(root / "run.py")
    assert codes(result) == []
    assert not result.internal_errors


def test_torch_is_never_looked_up_in_the_tree(tmp_path: Path) -> None:
    """A folder named ``torch`` in the project does not shadow the library's API."""
    root = write(
        tmp_path,
        {
            "torch/__init__.py": "def randn(*a, **k):\n    return None\n",
            "run.py": (
                "import torch\n\nw = torch.randn(3, requires_grad=True)\n"
                "loss = (w * 2).sum()\nloss.backward()\nloss.backward()\n"
            ),
        },
    )
    assert codes(lint_path(root / "run.py")) == ["AG004"]


def test_files_outside_the_root_are_not_read(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    write(outside, {"models.py": MODELS})
    inner = write(
        tmp_path / "proj",
        {
            "run.py": "import torch\nfrom ..outside.models import Net\n\nNet()(torch.randn(2, 4)).backward()\n"
        },
    )
    project = Project(inner)
    assert project.resolve(str(inner / "run.py"), "outside.models", 2) is None
    assert codes(lint_path(inner / "run.py")) == []


def test_following_imports_can_be_turned_off(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "models.py": MODELS,
            "run.py": "import torch\nfrom models import Net\n\nNet()(torch.randn(2, 4)).backward()\n",
        },
    )
    assert codes(lint_path(root / "run.py")) == ["AG002"]
    assert codes(lint_path(root / "run.py", Settings(follow_imports=False))) == []


def test_import_of_an_imported_module_is_followed_lazily(tmp_path: Path) -> None:
    """``layers/__init__`` re-exports from its submodules; only what is used is run."""
    root = write(
        tmp_path,
        {
            "layers/__init__.py": "from .blocks import Net\nfrom .unused import Other\n",
            "layers/blocks.py": MODELS,
            "layers/unused.py": "import torch\n\nclass Other:\n    pass\n",
            "run.py": "import torch\nfrom layers import Net\n\nNet()(torch.randn(2, 4)).backward()\n",
        },
    )
    result = lint_path(root / "run.py")
    assert codes(result) == ["AG002"]
    read = {Path(path).name for path, _ in result.dependencies}
    assert read == {"__init__.py", "blocks.py"}


def test_the_root_is_the_nearest_project_marker(tmp_path: Path) -> None:
    write(tmp_path, {"a/b/c.py": ""})
    assert project_root(str(tmp_path / "a/b/c.py")) == str(tmp_path)


def test_command_line_json_and_sarif_name_the_other_file(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "models.py": MODELS,
            "run.py": "import torch\nfrom models import Net\n\nNet()(torch.randn(2, 4)).backward()\n",
        },
    )
    base = [sys.executable, "-m", "autograd_lint", "check", "--no-cache", str(root / "run.py")]
    package = Path(autograd_lint.__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": str(package)}
    text = subprocess.run(base, capture_output=True, text=True, cwd=root, env=env)
    assert text.returncode == 1
    assert "models.py:12:9: note: here, in the imported module" in text.stdout
    as_json = subprocess.run(
        [*base, "--output-format", "json"], capture_output=True, text=True, cwd=root, env=env
    )
    (finding,) = json.loads(as_json.stdout)
    assert finding["filename"].endswith("run.py")
    assert {r["filename"] for r in finding["related"]} == {
        str(root / "models.py"),  # saved and written there
        str(root / "run.py"),  # the backward
    }
    sarif = subprocess.run(
        [*base, "--output-format", "sarif"], capture_output=True, text=True, cwd=root, env=env
    )
    (result,) = json.loads(sarif.stdout)["runs"][0]["results"]
    uris = {r["physicalLocation"]["artifactLocation"]["uri"] for r in result["relatedLocations"]}
    assert any(uri.endswith("models.py") for uri in uris)


@pytest.mark.parametrize("backend", ["mini", pytest.param("torch", marks=pytest.mark.torch)])
def test_a_finding_in_imported_code_replays(tmp_path: Path, backend: str) -> None:
    from autograd_lint.runtime_check import confirm_many

    root = write(
        tmp_path,
        {
            "models.py": MODELS,
            "run.py": (
                "import torch\nfrom models import Net\n\n"
                "model = Net()\nloss = model(torch.randn(2, 4))\nloss.backward()\n"
            ),
        },
    )
    (finding,) = lint_path(root / "run.py", witnesses=True).diagnostics
    assert finding.witness is not None
    (verdict,) = confirm_many([finding.witness], backend)
    assert verdict.status == "confirmed", verdict


def cached_check(path: Path, cache: Path) -> Callable[[], str]:
    """Runs ``check`` on ``path`` through the result cache in ``cache``; returns its output."""
    package = Path(autograd_lint.__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": str(package)}
    command = [
        sys.executable,
        *("-m", "autograd_lint", "check", "--cache-dir", str(cache)),
        *("--output-format", "concise", str(path)),
    ]

    def run() -> str:
        return subprocess.run(command, capture_output=True, text=True, env=env).stdout

    return run


def test_the_result_cache_rechecks_a_file_when_a_module_it_imports_changes(
    tmp_path: Path,
) -> None:
    root = write(
        tmp_path,
        {
            "models.py": MODELS,
            "run.py": "import torch\nfrom models import Net\n\nNet()(torch.randn(2, 4)).backward()\n",
        },
    )
    run = cached_check(root / "run.py", tmp_path / "cache")
    assert "AG002" in run()
    assert "AG002" in run()  # answered from the cache
    (root / "models.py").write_text(MODELS.replace("        h.mul_(2)\n", ""))
    assert "AG002" not in run()


def test_the_result_cache_rechecks_a_file_when_a_module_it_imports_appears(
    tmp_path: Path,
) -> None:
    """``from models import Net`` found nothing at first (the names are unknown, the file
    is clean); once ``models.py`` is written the cached answer no longer holds."""
    root = write(
        tmp_path,
        {"run.py": "import torch\nfrom models import Net\n\nNet()(torch.randn(2, 4)).backward()\n"},
    )
    run = cached_check(root / "run.py", tmp_path / "cache")
    assert "AG002" not in run()
    assert "AG002" not in run()  # answered from the cache
    (root / "models.py").write_text(MODELS)
    assert "AG002" in run()


def test_an_unresolved_import_records_the_files_it_looked_for(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {"pkg/run.py": "import torch\nimport helpers\n\nhelpers.loss(torch.ones(2)).backward()\n"},
    )
    result = lint_path(root / "pkg" / "run.py")
    absent = {path for path, digest in result.dependencies if digest == "absent"}
    assert str(root / "pkg" / "helpers.py") in absent
    assert str(root / "helpers" / "__init__.py") in absent
    assert not any("torch" in path for path in absent)


def test_a_finding_resting_only_on_the_imported_module_is_left_to_that_module(
    tmp_path: Path,
) -> None:
    """A helper that writes through ``.data`` of its own tensor is the helper file's finding,
    not reported again on every call; one handed the caller's layer is the caller's."""
    helper = (
        "import torch\n\n\n"
        "def own():\n    w = torch.ones(2, requires_grad=True)\n    w.data = torch.zeros(2)\n    return w\n\n\n"
        "def reset(layer):\n    layer.weight.data = torch.zeros_like(layer.weight)\n"
    )
    root = write(
        tmp_path,
        {
            "helpers.py": helper,
            "run_own.py": "import torch\nfrom helpers import own\n\nown().sum().backward()\n",
            "run_reset.py": (
                "import torch\nimport torch.nn as nn\nfrom helpers import reset\n\n"
                "layer = nn.Linear(2, 2)\nreset(layer)\nlayer(torch.randn(1, 2)).sum().backward()\n"
            ),
        },
    )
    every = Settings(select=("ALL",))
    assert codes(lint_path(root / "helpers.py", every)) == ["AG013"]
    assert codes(lint_path(root / "run_own.py", every)) == []
    (finding,) = lint_path(root / "run_reset.py", every).diagnostics
    assert finding.code == "AG013"
    assert finding.range.start_line == 6
    assert finding.fix is None


def test_a_module_run_is_reused_by_the_next_importer_and_placed_at_its_import(
    tmp_path: Path,
) -> None:
    """The run of a module that only defines things serves every file of the project; a
    finding through it is still placed in the file being checked."""
    root = write(
        tmp_path,
        {
            "models.py": MODELS + '\n__all__ = ["Net", "Clean"]\n',
            "one.py": "import torch\nfrom models import Net\n\nNet()(torch.randn(2, 4)).backward()\n",
            "two.py": (
                "import torch\nfrom models import Net\n\n\n"
                "def main():\n    Net()(torch.randn(2, 4)).backward()\n"
            ),
        },
    )
    project = Project(root)
    first = lint_path(root / "one.py", project=project)
    assert str(root / "models.py") in project.runs
    second = lint_path(root / "two.py", project=project)
    assert [(d.code, d.range.start_line) for d in first.diagnostics] == [("AG002", 4)]
    assert [(d.code, d.range.start_line) for d in second.diagnostics] == [("AG002", 6)]
    (root / "models.py").write_text(MODELS.replace("        h.mul_(2)\n", ""))
    assert codes(lint_path(root / "two.py", project=project)) == []


def test_the_parsed_modules_kept_are_bounded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from autograd_lint.analysis import project as project_module

    monkeypatch.setattr(project_module, "MAX_PARSED_MODULES", 2)
    root = write(tmp_path, {f"m{i}.py": "import torch\n\nX = 1\n" for i in range(4)})
    project = Project(root)
    for i in range(4):
        assert project.load(str(root / f"m{i}.py")) is not None
    kept = list(project._parsed)
    assert kept == [str(root / "m2.py"), str(root / "m3.py")]
