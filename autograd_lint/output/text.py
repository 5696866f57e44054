"""Human and tool readable text: ``path:line:col: CODE message`` as flake8 and ruff print it.

Columns are printed 1-based (the diagnostics store them 0-based), so editors and CI problem
matchers that understand flake8 jump to the right place.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from autograd_lint.diagnostics import FileResult
from autograd_lint.output.common import (
    cell_position,
    confirmation_label,
    display_path,
    each_diagnostic,
    each_located,
    is_fixable,
    other_file,
    rule_name,
)


def render_text(results: Sequence[FileResult], show_related: bool = True) -> str:
    lines: list[str] = []
    for result, diagnostic in each_located(results):
        cell, start = cell_position(result.cells, diagnostic.range)
        path = display_path(result.path, cell)
        line = f"{path}:{start.start_line}:{start.start_col + 1}: {diagnostic.code} "
        line += diagnostic.message
        label = confirmation_label(diagnostic.confirmation)
        if label:
            line += f" [{label}]"
        lines.append(line)
        if show_related:
            for related in diagnostic.related:
                if related.path is not None:  # in another module of the project
                    where, place = related.range, other_file(related.path)
                else:
                    related_cell, where = cell_position(result.cells, related.range)
                    place = display_path(result.path, related_cell)
                lines.append(
                    f"    {place}:{where.start_line}:{where.start_col + 1}: note: {related.message}"
                )
    return "".join(line + "\n" for line in lines)


def render_summary(results: Sequence[FileResult], fixed: int = 0, fix_hint: bool = True) -> str:
    """The closing lines: how many findings, how many ``--fix`` could resolve.

    ``fix_hint`` is off where ``--fix`` does not exist (``example``), so it is not advertised.
    """
    diagnostics = [d for _, d in each_diagnostic(results)]
    parts: list[str] = []
    if fixed:
        parts.append(f"Fixed {fixed} finding{'s' if fixed != 1 else ''}.")
    if diagnostics:
        count = len(diagnostics)
        files = sum(1 for result in results if result.diagnostics)
        parts.append(
            f"Found {count} finding{'s' if count != 1 else ''} "
            f"in {files} file{'s' if files != 1 else ''}."
        )
        fixable = sum(1 for d in diagnostics if is_fixable(d))
        if fixable and fix_hint:
            parts.append(f"{fixable} fixable with the `--fix` option.")
    elif not fixed:
        parts.append("All checks passed!")
    return "".join(part + "\n" for part in parts)


def render_statistics(results: Sequence[FileResult]) -> str:
    """Counts per code, most frequent first (``--statistics``)."""
    counts = Counter(d.code for _, d in each_diagnostic(results))
    fixable = Counter(d.code for _, d in each_diagnostic(results) if is_fixable(d))
    if not counts:
        return ""
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    width = max(len(str(count)) for count in counts.values())
    lines = []
    for code, count in ordered:
        marker = "[*]" if fixable[code] else "[ ]"
        lines.append(f"{count:>{width}}\t{code}\t{marker} {rule_name(code)}".rstrip())
    return "".join(line + "\n" for line in lines)
