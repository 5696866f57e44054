"""Entry script of the sandbox worker process: ``python -I -S -B _worker.py ROOT [CODE]``.

ROOT is the directory that holds the ``autograd_lint`` package. CODE, when given, is the
file of precompiled worker modules written by :mod:`autograd_lint.runtime_check.worker_code`;
those modules are then loaded from it instead of being compiled from source, which would
cost a cold replay about as much as importing numpy. A CODE file that cannot be read is
ignored: the modules then load from their sources as usual.

Kept to the standard library and small, because a script is compiled on every start. The
work itself is in :mod:`autograd_lint.runtime_check.worker`.
"""

from __future__ import annotations

import marshal
import os
import sys
from importlib.machinery import ModuleSpec
from types import ModuleType
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from importlib.abc import Loader  # importing it at run time costs more than this script


class BundledModules:
    """Finds and loads modules from a table of ``name -> (path, is_package, code)``."""

    def __init__(self, table: dict[str, tuple[str, bool, bytes]]) -> None:
        self.table = table

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> ModuleSpec | None:
        entry = self.table.get(name)
        if entry is None:
            return None
        filename, is_package, _ = entry
        spec = ModuleSpec(name, cast("Loader", self), origin=filename, is_package=is_package)
        spec.has_location = True  # __file__ is set from the origin
        if is_package:
            spec.submodule_search_locations = [os.path.dirname(filename)]
        return spec

    def create_module(self, spec: ModuleSpec) -> None:
        return None  # the default module object

    def exec_module(self, module: ModuleType) -> None:
        _, _, code = self.table[module.__name__]
        exec(marshal.loads(code), module.__dict__)


def load_bundle(path: str, magic: bytes) -> dict[str, tuple[str, bool, bytes]] | None:
    """The table in ``path``, or ``None`` if it is unreadable or from another Python."""
    try:
        with open(path, "rb") as handle:
            content = marshal.load(handle)
    except (OSError, EOFError, ValueError, TypeError):
        return None
    if not isinstance(content, dict) or content.get("magic") != magic:
        return None
    modules = content.get("modules")
    return modules if isinstance(modules, dict) else None


def main() -> None:
    del sys.path[0]  # this script's own directory: its file names must not shadow modules
    sys.path.insert(0, sys.argv[1])
    if len(sys.argv) > 2:
        # importlib.util has the same constant, but importing it costs more than this script
        from importlib._bootstrap_external import MAGIC_NUMBER

        table = load_bundle(sys.argv[2], MAGIC_NUMBER)
        if table:
            sys.meta_path.insert(0, BundledModules(table))
    from autograd_lint.runtime_check.worker import run_and_exit

    run_and_exit()


if __name__ == "__main__":
    main()
