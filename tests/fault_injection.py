"""A simulated bug in one rule, for testing how the real command and server isolate it.

:func:`install` writes a ``sitecustomize.py`` that Python imports at start-up (in the
command's process, its ``--jobs`` workers and the server's lint workers): it wraps rule
AG001's ``check`` so that it raises on any file whose text contains ``BREAK_MARKER``.
"""

from __future__ import annotations

from pathlib import Path

BREAK_MARKER = "# break-ag001"

_SITECUSTOMIZE = f"""
import autograd_lint.rules.data_mutation as _module


def _install():
    from autograd_lint.rules import RULES_BY_CODE

    rule = RULES_BY_CODE["AG001"]
    original = type(rule).check

    def check(self, trace):
        if {BREAK_MARKER!r} in trace.source:
            raise RuntimeError("simulated bug in AG001")
        return original(self, trace)

    type(rule).check = check


_install()
"""


def install(directory: Path) -> Path:
    """Write the ``sitecustomize.py`` into ``directory`` (put it first on ``PYTHONPATH``)."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "sitecustomize.py").write_text(_SITECUSTOMIZE)
    return directory
