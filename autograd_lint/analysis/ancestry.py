"""The nodes that enclose a node, for the few rules whose facts are where code is written
(AG014's anomaly-mode calls, AG012's fix on a loop target). Walked on demand, once per
finding: the interpreter keeps no parent links.
"""

from __future__ import annotations

import libcst as cst


class _Ancestors(cst.CSTVisitor):
    def __init__(self, target: cst.CSTNode) -> None:
        self.target = target
        self.stack: list[cst.CSTNode] = []
        self.found: list[cst.CSTNode] | None = None

    def on_visit(self, node: cst.CSTNode) -> bool:
        if self.found is not None:
            return False
        if node is self.target:
            self.found = list(self.stack)
            return False
        self.stack.append(node)
        return True

    def on_leave(self, original_node: cst.CSTNode) -> None:
        if self.stack and self.stack[-1] is original_node:
            self.stack.pop()


def ancestors_of(module: cst.CSTNode, target: cst.CSTNode) -> list[cst.CSTNode] | None:
    """The nodes from ``module`` (or any node above ``target``, its statement) down to
    ``target``'s parent (``None`` if it is not there)."""
    walker = _Ancestors(target)
    module.visit(walker)
    return walker.found
