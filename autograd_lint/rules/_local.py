"""Whether a statement belongs to the file being checked.

The analysis follows calls into other files of the project, so a tensor may have been made
by a statement of another module. A fix edits only the file it is reported in.
"""

from __future__ import annotations

import libcst as cst

from autograd_lint.analysis.trace import Trace


class _Finder(cst.CSTVisitor):
    def __init__(self, wanted: cst.CSTNode) -> None:
        self.wanted = wanted
        self.found = False

    def on_visit(self, node: cst.CSTNode) -> bool:
        if node is self.wanted:
            self.found = True
        return not self.found


def in_this_file(trace: Trace, statement: cst.CSTNode) -> bool:
    finder = _Finder(statement)
    trace.module.visit(finder)
    return finder.found
