"""File-level directives: ``# autograd-lint: skip-file`` and ``# autograd-lint: file-ignore[AG001]``.

Line suppressions live in :mod:`autograd_lint.suppression`; these apply to a whole file and
must stand on a line of their own (as ruff's ``# ruff: noqa``), so a directive quoted in a
string or trailing code is not read as one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from autograd_lint.diagnostics import Diagnostic

_DIRECTIVE = re.compile(
    r"^[ \t]*#[ \t]*autograd-lint:[ \t]*(?:(?P<skip>skip-file)\b|file-ignore\[(?P<codes>[^\]]*)\])",
    re.MULTILINE,
)
_CODE = re.compile(r"[A-Z]+[0-9]*")


@dataclass(frozen=True)
class FileDirectives:
    skip: bool = False
    ignored: frozenset[str] = frozenset()
    """Codes or prefixes ignored in the whole file."""

    def keeps(self, diagnostic: Diagnostic) -> bool:
        return not any(diagnostic.code.startswith(code) for code in self.ignored)


def file_directives(source: str) -> FileDirectives:
    if "autograd-lint:" not in source:
        return FileDirectives()
    skip = False
    ignored: set[str] = set()
    for match in _DIRECTIVE.finditer(source):
        if match.group("skip"):
            skip = True
        else:
            ignored |= set(_CODE.findall(match.group("codes").upper()))
    return FileDirectives(skip, frozenset(ignored))


def filter_file_ignored(source: str, diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    directives = file_directives(source)
    return [d for d in diagnostics if directives.keeps(d)]
