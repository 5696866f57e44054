"""Code actions: each rule's quick fix, "fix all" for a document, and "add ``# noqa``".

Quick fixes are read back from the diagnostic's ``data`` (written by :mod:`convert` when it
was published), so the action matches exactly what the editor shows. Fix-all takes every
*safe* fix in the document that does not overlap one already taken; a fix that lost an
overlap is picked up by running fix-all again, as with ruff.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from lsprotocol import types
from pygls.workspace.position_codec import PositionCodec

from autograd_lint.server.convert import SOURCE, Published, range_from_data
from autograd_lint.server.units import LINE_BREAK
from autograd_lint.suppression import find_suppressions

FIX_ALL_KIND = "source.fixAll.autograd-lint"
FIX_ALL_TITLE = "Fix all autograd-lint problems"
_NOQA_CODES = re.compile(r"#\s*noqa:\s*[A-Z]+[0-9]+(?:[\s,]+[A-Z]+[0-9]+)*", re.IGNORECASE)


def kind_wanted(kind: str, only: Sequence[str] | None) -> bool:
    """Whether a client that asked for ``only`` these kinds wants ``kind``."""
    return not only or any(kind == k or kind.startswith(k + ".") for k in only)


def _fixes_of(diagnostic: types.Diagnostic) -> list[dict[str, Any]]:
    data = diagnostic.data
    if not isinstance(data, dict):
        return []
    fixes = data.get("fixes")
    return [fix for fix in fixes if isinstance(fix, dict)] if isinstance(fixes, list) else []


def _edits_of(fix: dict[str, Any]) -> dict[str, list[types.TextEdit]]:
    changes: dict[str, list[types.TextEdit]] = {}
    for edit in fix.get("edits", []):
        rng = range_from_data(edit.get("range")) if isinstance(edit, dict) else None
        if rng is None or not isinstance(edit.get("uri"), str):
            continue
        changes.setdefault(edit["uri"], []).append(
            types.TextEdit(rng, str(edit.get("newText", "")))
        )
    return changes


def ours(diagnostics: Iterable[types.Diagnostic]) -> list[types.Diagnostic]:
    return [d for d in diagnostics if d.source == SOURCE]


def with_data(requested: types.Diagnostic, published: Sequence[Published]) -> types.Diagnostic:
    """The published diagnostic matching one the client sent back (clients may drop data)."""
    if isinstance(requested.data, dict):
        return requested
    for item in published:
        if item.lsp.range == requested.range and item.lsp.code == requested.code:
            return item.lsp
    return requested


def quick_fixes(diagnostic: types.Diagnostic) -> list[types.CodeAction]:
    actions = []
    for position, fix in enumerate(_fixes_of(diagnostic)):
        changes = _edits_of(fix)
        if not changes:
            continue
        actions.append(
            types.CodeAction(
                title=str(fix.get("title") or f"Fix {diagnostic.code}"),
                kind=types.CodeActionKind.QuickFix,
                diagnostics=[diagnostic],
                edit=types.WorkspaceEdit(changes=changes),
                is_preferred=position == 0 and bool(fix.get("safe", False)),
            )
        )
    return actions


def noqa_action(
    diagnostic: types.Diagnostic, uri: str, line_text: str, codec: PositionCodec
) -> types.CodeAction | None:
    """Suppress ``diagnostic`` on its line: add ``# noqa: CODE`` or extend the existing list.

    The comment goes on the diagnostic's first line, the line suppressions are read from.
    """
    code = str(diagnostic.code or "")
    if not code:
        return None
    line0 = diagnostic.range.start.line
    existing = find_suppressions(line_text).get(1)
    if existing is not None and ("*" in existing.codes or code in existing.codes):
        return None
    match = _NOQA_CODES.search(line_text)
    if match is not None:
        column, insert = match.end(), f", {code}"
    else:
        stripped = line_text.rstrip()
        column, insert = len(stripped), f"  # noqa: {code}"
    position = types.Position(line0, int(codec.client_num_units(line_text[:column])))
    edit = types.TextEdit(types.Range(position, position), insert)
    return types.CodeAction(
        title=f"Suppress {code} on this line (# noqa: {code})",
        kind=types.CodeActionKind.QuickFix,
        diagnostics=[diagnostic],
        edit=types.WorkspaceEdit(changes={uri: [edit]}),
    )


def _overlaps(a: types.Range, b: types.Range) -> bool:
    a0, a1 = (a.start.line, a.start.character), (a.end.line, a.end.character)
    b0, b1 = (b.start.line, b.start.character), (b.end.line, b.end.character)
    if a0 == b0:
        return True  # two edits at one point: their order would be ambiguous
    return a0 < b1 and b0 < a1


def _first_safe(diagnostic: types.Diagnostic) -> dict[str, Any] | None:
    """The fix ``check --fix`` would take for this diagnostic (its first safe one)."""
    return next((fix for fix in _fixes_of(diagnostic) if fix.get("safe")), None)


def has_safe_fix(published: Sequence[Published]) -> bool:
    return any(_first_safe(item.lsp) is not None for item in published)


def fix_all_placeholder(uri: str) -> types.CodeAction:
    """The fix-all action before its edit is computed (``codeAction/resolve`` fills it in)."""
    return types.CodeAction(
        title=FIX_ALL_TITLE, kind=FIX_ALL_KIND, data={"uri": uri, "fixAll": True}
    )


def whole_text_edit(original: str, fixed: str, codec: PositionCodec) -> types.TextEdit:
    """One edit turning ``original`` into ``fixed``: the changed middle, common ends kept."""
    limit = min(len(original), len(fixed))
    prefix = 0
    while prefix < limit and original[prefix] == fixed[prefix]:
        prefix += 1
    if 0 < prefix < len(original) and original[prefix - 1] == "\r" and original[prefix] == "\n":
        prefix -= 1  # never split a CRLF
    suffix = 0
    while (
        suffix < limit - prefix
        and original[len(original) - 1 - suffix] == fixed[len(fixed) - 1 - suffix]
    ):
        suffix += 1
    start = _position(original, prefix, codec)
    end = _position(original, len(original) - suffix, codec)
    return types.TextEdit(types.Range(start, end), fixed[prefix : len(fixed) - suffix])


def _position(text: str, offset: int, codec: PositionCodec) -> types.Position:
    line = 0
    line_start = 0
    for match in LINE_BREAK.finditer(text, 0, offset):
        if match.end() > offset:
            break
        line += 1
        line_start = match.end()
    column = text[line_start:offset]
    return types.Position(line, int(codec.client_num_units(column)))


def fix_all(uri: str, published: Sequence[Published]) -> types.CodeAction | None:
    """One action applying every safe, non-overlapping fix in ``uri`` (one round).

    Used for notebook cells, whose fixes are placed per cell; text documents go through
    :func:`autograd_lint.fixes.fix_source` instead (several rounds, parse-checked).
    """
    taken: list[types.TextEdit] = []
    for item in published:
        fix = _first_safe(item.lsp)
        if fix is not None:
            changes = _edits_of(fix)
            if set(changes) != {uri}:
                continue  # a fix reaching into another cell is offered only as a quick fix
            edits = changes[uri]
            if any(_overlaps(e.range, t.range) for e in edits for t in taken):
                continue
            taken.extend(edits)
    if not taken:
        return None
    taken.sort(key=lambda e: (e.range.start.line, e.range.start.character))
    return types.CodeAction(
        title=FIX_ALL_TITLE,
        kind=FIX_ALL_KIND,
        edit=types.WorkspaceEdit(changes={uri: taken}),
    )
