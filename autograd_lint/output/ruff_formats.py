"""The report formats ruff users and CI systems know: concise, grouped, json-lines, JUnit, GitLab.

- ``concise``: one ``path:line:col: CODE message`` line per finding (no notes).
- ``grouped``: findings under a line naming their file, as ruff's ``grouped``.
- ``json-lines``: one JSON object (the ``json`` format's) per line.
- ``junit``: JUnit XML, one test suite per file and one failed test case per finding, the
  shape Jenkins, GitLab and Azure read.
- ``gitlab``: GitLab's code-quality report (a JSON array of issues with a stable fingerprint).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from xml.etree import ElementTree

from autograd_lint.diagnostics import FileResult, Severity
from autograd_lint.output.common import cell_position, display_path, each_located
from autograd_lint.output.json_format import diagnostic_object

GITLAB_SEVERITIES = {
    Severity.ERROR: "major",
    Severity.WARNING: "minor",
    Severity.INFO: "info",
    Severity.PREVIEW: "info",
}


def render_concise(results: Sequence[FileResult]) -> str:
    lines = []
    for result, diagnostic in each_located(results):
        cell, span = cell_position(result.cells, diagnostic.range)
        path = display_path(result.path, cell)
        lines.append(
            f"{path}:{span.start_line}:{span.start_col + 1}: {diagnostic.code} {diagnostic.message}"
        )
    return "".join(line + "\n" for line in lines)


def render_grouped(results: Sequence[FileResult]) -> str:
    blocks = []
    for result in results:
        if not result.diagnostics:
            continue
        lines = [f"{result.path}:"]
        for diagnostic in result.diagnostics:
            cell, span = cell_position(result.cells, diagnostic.range)
            where = f"cell {cell}:" if cell is not None else ""
            lines.append(
                f"  {where}{span.start_line}:{span.start_col + 1} "
                f"{diagnostic.code} {diagnostic.message}"
            )
        blocks.append("\n".join(lines) + "\n")
    return "\n".join(blocks)


def render_json_lines(results: Sequence[FileResult]) -> str:
    return "".join(
        json.dumps(diagnostic_object(r.path, d, r.cells), ensure_ascii=False) + "\n"
        for r, d in each_located(results)
    )


def render_junit(results: Sequence[FileResult]) -> str:
    total = sum(len(result.diagnostics) for result in results)
    cases = sum(max(len(result.diagnostics), 1) for result in results)
    root = ElementTree.Element(
        "testsuites", name="autograd-lint", tests=str(cases), failures=str(total)
    )
    for result in results:
        suite = ElementTree.SubElement(
            root,
            "testsuite",
            name=result.path,
            tests=str(max(len(result.diagnostics), 1)),
            failures=str(len(result.diagnostics)),
            errors="0",
        )
        if not result.diagnostics:
            ElementTree.SubElement(suite, "testcase", name="autograd-lint", classname=result.path)
        for diagnostic in result.diagnostics:
            cell, span = cell_position(result.cells, diagnostic.range)
            place = f"{display_path(result.path, cell)}:{span.start_line}:{span.start_col + 1}"
            case = ElementTree.SubElement(
                suite,
                "testcase",
                name=f"{diagnostic.code}: {place}",
                classname=result.path,
                line=str(span.start_line),
                column=str(span.start_col + 1),
            )
            failure = ElementTree.SubElement(
                case, "failure", message=diagnostic.message, type=diagnostic.code
            )
            failure.text = f"{place}: {diagnostic.code} {diagnostic.message}"
    ElementTree.indent(root)
    body = ElementTree.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"


def render_gitlab(results: Sequence[FileResult]) -> str:
    issues = []
    seen: dict[str, int] = {}
    for result, diagnostic in each_located(results):
        cell, span = cell_position(result.cells, diagnostic.range)
        # Stable across runs and line moves: path, code, message, and the repeat count.
        key = f"{result.path}\0{diagnostic.code}\0{diagnostic.message}"
        seen[key] = seen.get(key, 0) + 1
        fingerprint = hashlib.sha256(f"{key}\0{seen[key]}".encode()).hexdigest()
        description = diagnostic.message if cell is None else f"cell {cell}: {diagnostic.message}"
        issues.append(
            {
                "type": "issue",
                "check_name": diagnostic.code,
                "description": f"{diagnostic.code}: {description}",
                "categories": ["Bug Risk"],
                "severity": GITLAB_SEVERITIES[diagnostic.severity],
                "fingerprint": fingerprint,
                "location": {
                    "path": result.path,
                    "lines": {"begin": span.start_line, "end": span.end_line},
                },
            }
        )
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"
