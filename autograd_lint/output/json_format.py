"""JSON: one object per finding, in the shape ruff's ``--output-format json`` uses.

Rows and columns are 1-based here, like the text format, so both point at the same place.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from autograd_lint.diagnostics import (
    CellMap,
    Confirmation,
    Diagnostic,
    FileResult,
    Fix,
    Range,
    RelatedLocation,
)
from autograd_lint.output.common import cell_position, each_located


def location(span: Range, cells: CellMap | None = None) -> tuple[dict[str, int], dict[str, int]]:
    """1-based start and end; in a notebook, lines within the cell the range starts in."""
    span = cell_position(cells, span)[1]
    return (
        {"row": span.start_line, "column": span.start_col + 1},
        {"row": span.end_line, "column": span.end_col + 1},
    )


def fix_object(fix: Fix | None, cells: CellMap | None = None) -> dict[str, Any] | None:
    if fix is None:
        return None
    edits = []
    for edit in fix.edits:
        start, end = location(edit.range, cells)
        edits.append({"content": edit.new_text, "location": start, "end_location": end})
    return {
        "message": fix.title,
        "applicability": fix.applicability,
        "edits": edits,
    }


def related_object(
    path: str, related: RelatedLocation, cells: CellMap | None = None
) -> dict[str, Any]:
    if related.path is not None:  # in another module of the project
        start, end = location(related.range, None)
        return {
            "message": related.message,
            "filename": related.path,
            "location": start,
            "end_location": end,
        }
    start, end = location(related.range, cells)
    data: dict[str, Any] = {"message": related.message, "filename": path}
    if cells is not None:
        data["cell"] = cell_position(cells, related.range)[0]
    return {**data, "location": start, "end_location": end}


def confirmation_object(confirmation: Confirmation | None) -> dict[str, Any] | None:
    if confirmation is None:
        return None
    return confirmation.to_dict()


def diagnostic_object(
    path: str, diagnostic: Diagnostic, cells: CellMap | None = None
) -> dict[str, Any]:
    """One finding; ``cell`` is the 1-based notebook cell (``None`` outside notebooks), as ruff."""
    from autograd_lint.rules import RULES_BY_CODE

    start, end = location(diagnostic.range, cells)
    rule = RULES_BY_CODE.get(diagnostic.code)
    return {
        "code": diagnostic.code,
        "message": diagnostic.message,
        "filename": path,
        "cell": cell_position(cells, diagnostic.range)[0],
        "location": start,
        "end_location": end,
        "severity": diagnostic.severity.value,
        "fix": fix_object(diagnostic.fix, cells),
        "related": [related_object(path, r, cells) for r in diagnostic.related],
        "confirmation": confirmation_object(diagnostic.confirmation),
        "url": rule.url() if rule is not None else None,
    }


def render_json(results: Sequence[FileResult]) -> str:
    objects = [diagnostic_object(r.path, d, r.cells) for r, d in each_located(results)]
    return json.dumps(objects, indent=2, ensure_ascii=False) + "\n"
