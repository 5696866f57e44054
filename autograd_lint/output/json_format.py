"""JSON: one object per finding, in the shape ruff's ``--output-format json`` uses.

Rows and columns are 1-based here, like the text format, so both point at the same place.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from autograd_lint.diagnostics import (
    Confirmation,
    Diagnostic,
    FileResult,
    Fix,
    Range,
    RelatedLocation,
)
from autograd_lint.output.common import each_diagnostic


def location(span: Range) -> tuple[dict[str, int], dict[str, int]]:
    return (
        {"row": span.start_line, "column": span.start_col + 1},
        {"row": span.end_line, "column": span.end_col + 1},
    )


def fix_object(fix: Fix | None) -> dict[str, Any] | None:
    if fix is None:
        return None
    edits = []
    for edit in fix.edits:
        start, end = location(edit.range)
        edits.append({"content": edit.new_text, "location": start, "end_location": end})
    return {
        "message": fix.title,
        "applicability": "safe" if fix.safe else "unsafe",
        "edits": edits,
    }


def related_object(path: str, related: RelatedLocation) -> dict[str, Any]:
    start, end = location(related.range)
    return {"message": related.message, "filename": path, "location": start, "end_location": end}


def confirmation_object(confirmation: Confirmation | None) -> dict[str, Any] | None:
    if confirmation is None:
        return None
    return confirmation.to_dict()


def diagnostic_object(path: str, diagnostic: Diagnostic) -> dict[str, Any]:
    from autograd_lint.rules import RULES_BY_CODE

    start, end = location(diagnostic.range)
    rule = RULES_BY_CODE.get(diagnostic.code)
    return {
        "code": diagnostic.code,
        "message": diagnostic.message,
        "filename": path,
        "location": start,
        "end_location": end,
        "severity": diagnostic.severity.value,
        "fix": fix_object(diagnostic.fix),
        "related": [related_object(path, r) for r in diagnostic.related],
        "confirmation": confirmation_object(diagnostic.confirmation),
        "url": rule.url() if rule is not None else None,
    }


def render_json(results: Sequence[FileResult]) -> str:
    objects = [diagnostic_object(path, d) for path, d in each_diagnostic(results)]
    return json.dumps(objects, indent=2, ensure_ascii=False) + "\n"
