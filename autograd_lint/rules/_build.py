"""Shared helpers for turning trace events into diagnostics."""

from __future__ import annotations

from collections.abc import Iterable

import libcst as cst

from autograd_lint.analysis.trace import Trace
from autograd_lint.diagnostics import Diagnostic, Edit, Fix, RelatedLocation, Severity, Witness


def related(
    trace: Trace, items: Iterable[tuple[cst.CSTNode | None, str]]
) -> tuple[RelatedLocation, ...]:
    """Related locations, skipping missing nodes and repeats. A node of another module of
    the project is shown where it is, in that file."""
    seen: set[tuple[int, str]] = set()
    result = []
    for node, message in items:
        if node is None or (id(node), message) in seen:
            continue
        seen.add((id(node), message))
        elsewhere = trace.foreign_location(node)
        if elsewhere is not None:
            module, where = elsewhere
            result.append(RelatedLocation(where, message, path=module.path))
        else:
            result.append(RelatedLocation(trace.range_of(node), message))
    return tuple(result)


def diagnostic(
    trace: Trace,
    code: str,
    site: cst.CSTNode,
    message: str,
    severity: Severity,
    related_items: Iterable[tuple[cst.CSTNode | None, str]] = (),
    fixes: tuple[Fix, ...] = (),
    witness: Witness | None = None,
) -> Diagnostic:
    """A finding on ``site``. On a node of another module (run by a call in this file), it
    is reported on that call, says where the node is, and shows it as a related location;
    fixes whose edits would land on such a call are not offered (their text was written
    for the other file)."""
    items = list(related_items)
    elsewhere = trace.foreign_location(site)
    if elsewhere is not None:
        module, where = elsewhere
        message = f"{message} (in `{module.display}` at line {where.start_line}, run by this call)"
        items.insert(0, (site, "here, in the imported module"))
    kept = tuple(fix for fix in fixes if not _lands_on_foreign(trace, fix))
    found = Diagnostic(
        code=code,
        message=message,
        range=trace.range_of(site),
        severity=severity,
        related=related(trace, items),
        fix=kept[0] if kept else None,
        extra_fixes=kept[1:],
        witness=witness,
    )
    if elsewhere is not None and all(r.path is not None for r in found.related):
        # everything it rests on is in the other module: reported when that one is checked
        trace.elsewhere_only.append(found)
    return found


def _lands_on_foreign(trace: Trace, fix: Fix) -> bool:
    """Whether an edit of ``fix`` starts on a line where a node of another module was
    placed (the fix was computed from that node's text, not from this file's)."""
    lines = trace.foreign_lines
    return bool(lines) and any(edit.range.start_line in lines for edit in fix.edits)


def replace_node(trace: Trace, node: cst.CSTNode, new_text: str, title: str, *, safe: bool) -> Fix:
    return Fix(title=title, edits=(Edit(trace.range_of(node), new_text),), safe=safe)


def line_of(trace: Trace, node: cst.CSTNode) -> str:
    """``12`` for messages (``12 of `models.py```: a line of another module of the project)."""
    elsewhere = trace.foreign_location(node)
    if elsewhere is not None:
        module, where = elsewhere
        return f"{where.start_line} of `{module.display}`"
    return str(trace.range_of(node).start_line + trace.line_offset)


def short(trace: Trace, node: cst.CSTNode, limit: int = 40) -> str:
    """Source text of a node for messages, on one line and bounded in length."""
    text = " ".join(trace.code_of(node).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def imports_torch(trace: Trace) -> bool:
    """A fix may write ``torch.no_grad()`` only when ``torch`` is imported under that name."""
    for statement in trace.module.body:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, cst.Import):
                    for alias in small.names:
                        if (
                            isinstance(alias.name, cst.Name)
                            and alias.name.value == "torch"
                            and alias.asname is None
                        ):
                            return True
    return False


def loop_header(loop: cst.For | cst.While) -> cst.CSTNode:
    """The expression a loop's position is reported at (a compound statement's own range
    is not among the positions the trace resolves cheaply): what it iterates over, or its
    test."""
    return loop.iter if isinstance(loop, cst.For) else loop.test


def contains(outer: cst.CSTNode, inner: cst.CSTNode) -> bool:
    """Whether ``inner`` is ``outer`` or one of its descendants (by identity)."""
    stack = [outer]
    while stack:
        node = stack.pop()
        if node is inner:
            return True
        stack.extend(node.children)
    return False
