"""SARIF 2.1.0, the format GitHub code scanning and most CI dashboards ingest.

Built from plain dicts: one run, the rule catalogue as ``tool.driver.rules`` (with each rule's
docs as ``fullDescription`` / ``help`` and its docs page as ``helpUri``), and one result per
finding with its locations, related locations and fixes. Columns are code points
(``columnKind: unicodeCodePoints``) and 1-based, end exclusive, as SARIF wants.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import PurePath, PurePosixPath
from typing import Any
from urllib.parse import quote

from autograd_lint import __version__
from autograd_lint.diagnostics import CellMap, Diagnostic, FileResult, Fix, Range, Severity
from autograd_lint.output.common import BUILTIN_CODES, cell_position, each_located
from autograd_lint.output.json_format import confirmation_object

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
INFORMATION_URI = "https://github.com/autograd-lint/autograd-lint"
LEVELS = {
    Severity.ERROR: "error",
    Severity.WARNING: "warning",
    Severity.INFO: "note",
    Severity.PREVIEW: "note",
}


def artifact_uri(path: str) -> str:
    """A relative path stays a relative URI reference; an absolute one becomes ``file://``."""
    if os.path.isabs(path):
        return PurePath(os.path.abspath(path)).as_uri()
    return quote(PurePosixPath(*PurePath(path).parts).as_posix())


def region(span: Range) -> dict[str, int]:
    return {
        "startLine": span.start_line,
        "startColumn": span.start_col + 1,
        "endLine": span.end_line,
        "endColumn": span.end_col + 1,
    }


def physical_location(path: str, span: Range, cells: CellMap | None = None) -> dict[str, Any]:
    """In a notebook the region is within the cell, named in the location's ``cell`` property."""
    cell, span = cell_position(cells, span)
    location: dict[str, Any] = {
        "artifactLocation": {"uri": artifact_uri(path)},
        "region": region(span),
    }
    if cell is not None:
        location["properties"] = {"cell": cell}
    return location


def rule_descriptors(extra_codes: Sequence[str] = ()) -> list[dict[str, Any]]:
    """The catalogue as SARIF reporting descriptors, then the core's own codes."""
    from autograd_lint.rules import ALL_RULES

    descriptors: list[dict[str, Any]] = []
    for rule in ALL_RULES:
        descriptors.append(
            {
                "id": rule.code,
                "name": rule.name,
                "shortDescription": {"text": rule.summary},
                "fullDescription": {"text": " ".join(rule.why.split())},
                "help": {"text": rule.docs_markdown(), "markdown": rule.docs_markdown()},
                "helpUri": rule.url(),
                "defaultConfiguration": {"level": LEVELS[rule.default_severity]},
                "properties": {"tags": ["autograd", "pytorch", "correctness"]},
            }
        )
    known = {descriptor["id"] for descriptor in descriptors}
    for code, (name, description) in BUILTIN_CODES.items():
        descriptors.append(
            {
                "id": code,
                "name": name,
                "shortDescription": {"text": description},
                "fullDescription": {"text": description},
                "defaultConfiguration": {"level": "error"},
            }
        )
        known.add(code)
    for code in extra_codes:
        if code not in known:
            descriptors.append({"id": code, "shortDescription": {"text": code}})
            known.add(code)
    return descriptors


def fix_object(path: str, fix: Fix, cells: CellMap | None = None) -> dict[str, Any]:
    return {
        "description": {"text": fix.title},
        "artifactChanges": [
            {
                "artifactLocation": {"uri": artifact_uri(path)},
                "replacements": [
                    {
                        "deletedRegion": region(cell_position(cells, edit.range)[1]),
                        "insertedContent": {"text": edit.new_text},
                    }
                    for edit in fix.edits
                ],
            }
        ],
    }


def result_object(
    path: str, diagnostic: Diagnostic, rule_index: int, cells: CellMap | None = None
) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": diagnostic.code,
        "ruleIndex": rule_index,
        "level": LEVELS[diagnostic.severity],
        "message": {"text": diagnostic.message},
        "locations": [{"physicalLocation": physical_location(path, diagnostic.range, cells)}],
    }
    if diagnostic.related:
        result["relatedLocations"] = [
            {
                "id": index,
                "message": {"text": related.message},
                "physicalLocation": (
                    physical_location(related.path, related.range)
                    if related.path is not None
                    else physical_location(path, related.range, cells)
                ),
            }
            for index, related in enumerate(diagnostic.related)
        ]
    if diagnostic.fixes:
        result["fixes"] = [fix_object(path, fix, cells) for fix in diagnostic.fixes]
    properties: dict[str, Any] = {"severity": diagnostic.severity.value}
    cell = cell_position(cells, diagnostic.range)[0]
    if cell is not None:
        properties["cell"] = cell
    if diagnostic.confirmation is not None:
        properties["confirmation"] = confirmation_object(diagnostic.confirmation)
    if diagnostic.witness is not None:
        properties["witness"] = diagnostic.witness.script
    result["properties"] = properties
    return result


def sarif_log(results: Sequence[FileResult]) -> dict[str, Any]:
    pairs = list(each_located(results))
    rules = rule_descriptors([d.code for _, d in pairs])
    index = {descriptor["id"]: position for position, descriptor in enumerate(rules)}
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "autograd-lint",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": rules,
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": [result_object(r.path, d, index[d.code], r.cells) for r, d in pairs],
            }
        ],
    }


def render_sarif(results: Sequence[FileResult]) -> str:
    return json.dumps(sarif_log(results), indent=2, ensure_ascii=False) + "\n"
