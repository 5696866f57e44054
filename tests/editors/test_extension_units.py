"""Runs the VS Code extension's unit tests (extension_units.test.js) under node's test runner.

The TypeScript sources are bundled with the extension's own esbuild into a temporary folder,
so what is tested is the code that ships, without a VS Code.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from editor_tools import EXTENSION_DIR, HERE, require

pytestmark = pytest.mark.timeout(120)

ESBUILD = EXTENSION_DIR / "node_modules" / ".bin" / "esbuild"


def test_extension_logic_under_node(tmp_path: Path) -> None:
    node = shutil.which("node")
    require(node=Path(node) if node else None, esbuild=ESBUILD)
    assert node is not None
    for module in ("settings", "witness"):
        subprocess.run(
            [
                str(ESBUILD),
                str(EXTENSION_DIR / "src" / f"{module}.ts"),
                "--bundle",
                "--format=cjs",
                "--platform=node",
                "--external:vscode",
                f"--outfile={tmp_path / f'{module}.js'}",
                "--log-level=warning",
            ],
            check=True,
            timeout=60,
        )
    env = dict(os.environ, EXTENSION_BUNDLE_DIR=str(tmp_path))
    proc = subprocess.run(
        [node, "--test", str(HERE / "extension_units.test.js")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "# fail 0" in proc.stdout
    assert "# pass 8" in proc.stdout, proc.stdout
