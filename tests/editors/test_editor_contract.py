"""The editor integrations and the server agree on names: settings, values, commands.

These run everywhere (no editor needed). The extension's manifest and the Neovim plugin are
read as text, the server's side through its own parser, so a renamed setting or command on
either side fails here before it fails silently in an editor.
"""

from __future__ import annotations

import json
import re
from typing import Any, get_args

import pytest
from editor_tools import EXTENSION_DIR, NEOVIM_PLUGIN_DIR

from autograd_lint.config import DeviceChoice, RuntimeCheckMode
from autograd_lint.server.app import SHOW_WITNESS
from autograd_lint.server.settings import SECTION, parse_editor_settings

MANIFEST: dict[str, Any] = json.loads((EXTENSION_DIR / "package.json").read_text("utf-8"))
PROPERTIES: dict[str, Any] = MANIFEST["contributes"]["configuration"]["properties"]
SERVER_FACING = ("select", "ignore", "runtimeCheck", "device")
"""Settings the extension forwards to the server (path and interpreter only start it)."""
NEOVIM_PLUGIN = (NEOVIM_PLUGIN_DIR / "lua" / "autograd_lint" / "init.lua").read_text("utf-8")


def _samples(key: str) -> list[Any]:
    spec = PROPERTIES[f"{SECTION}.{key}"]
    values = [spec["default"], *spec.get("enum", [])]
    if spec["type"] == "array":
        values.append(["AG001", "AG00"])
    return values


@pytest.mark.parametrize("key", SERVER_FACING)
def test_every_forwarded_setting_is_understood_by_the_server(key: str) -> None:
    for value in _samples(key):
        parsed = parse_editor_settings({SECTION: {key: value}})
        assert parsed.problems == (), (key, value, parsed.problems)
        assert parsed.overrides, f"the server ignored {key}={value!r}"


def test_the_inlay_hints_setting_is_understood_by_the_server() -> None:
    spec = PROPERTIES[f"{SECTION}.inlayHints"]
    assert spec["type"] == "boolean" and spec["default"] is False
    for value in (True, False):
        parsed = parse_editor_settings({SECTION: {"inlayHints": value}})
        assert parsed.problems == () and parsed.inlay_hints is value
    assert parse_editor_settings({SECTION: {}}).inlay_hints is spec["default"]


def test_enum_settings_match_the_configuration_literals() -> None:
    assert PROPERTIES[f"{SECTION}.runtimeCheck"]["enum"] == list(get_args(RuntimeCheckMode))
    assert PROPERTIES[f"{SECTION}.device"]["enum"] == list(get_args(DeviceChoice))


def test_manifest_settings_are_exactly_the_documented_ones() -> None:
    assert sorted(PROPERTIES) == sorted(
        f"{SECTION}.{key}"
        for key in (*SERVER_FACING, "inlayHints", "path", "interpreter", "trace.server")
    )


def test_witness_command_names_match() -> None:
    commands = {c["command"] for c in MANIFEST["contributes"]["commands"]}
    assert SHOW_WITNESS in commands
    assert f'"{SHOW_WITNESS}"' in NEOVIM_PLUGIN
    assert re.search(rf'M\.section = "{re.escape(SECTION)}"', NEOVIM_PLUGIN)


def test_extension_activates_on_python_files_and_notebooks() -> None:
    assert set(MANIFEST["activationEvents"]) >= {
        "onLanguage:python",
        "onNotebook:jupyter-notebook",
    }
    assert MANIFEST["main"] == "./dist/extension.js"
