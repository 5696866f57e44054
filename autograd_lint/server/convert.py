"""autograd-lint diagnostics -> LSP diagnostics, per URI, in the client's position encoding.

The core speaks libcst coordinates (1-based lines, code-point columns) about one program; the
editor wants 0-based lines, columns in its own code units (UTF-16 by default), on the URI
the line belongs to (a notebook cell). Everything a code action needs later is put in the
diagnostic's ``data`` so the action does not depend on server state that may have moved on.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.workspace.position_codec import PositionCodec

from autograd_lint.analysis.frame import budget_note
from autograd_lint.diagnostics import (
    Confirmation,
    Diagnostic,
    Edit,
    Fix,
    Range,
    RelatedLocation,
    Severity,
)
from autograd_lint.rules import RULES_BY_CODE
from autograd_lint.server.units import LintUnit, split_lines

SOURCE = "autograd-lint"

SEVERITIES: dict[Severity, types.DiagnosticSeverity] = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
    Severity.INFO: types.DiagnosticSeverity.Information,
    Severity.PREVIEW: types.DiagnosticSeverity.Hint,
}


@dataclass(frozen=True)
class MappedEdit:
    """An edit placed on its document: LSP range in client units plus code-point range."""

    uri: str
    range: types.Range
    new_text: str
    start: tuple[int, int]
    """(0-based line, code-point column), for overlap checks and local application."""
    end: tuple[int, int]


@dataclass(frozen=True)
class Published:
    """One diagnostic as sent to the editor, and the finding it came from."""

    uri: str
    lsp: types.Diagnostic
    finding: Diagnostic
    index: int
    """Position of ``finding`` in the lint result (stable for one document version)."""


class Placer:
    """Turns program coordinates into per-document LSP positions for one lint unit."""

    def __init__(self, unit: LintUnit, lines: list[str], codec: PositionCodec) -> None:
        self.unit = unit
        self.lines = lines
        self.codec = codec

    def column(self, line: int, column: int) -> int:
        """Code-point column on 1-based program ``line`` -> client code units."""
        text = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        column = max(min(column, len(text)), 0)
        if text.isascii():
            return column
        return int(self.codec.client_num_units(text[:column]))

    def place_elsewhere(self, path: str, rng: Range) -> tuple[str, types.Range]:
        """A range in another file of the project (a related location of a finding that a
        call led into): its URI, with columns in code points (that file's text is not at
        hand to count UTF-16 units; they differ only on lines with characters beyond the
        BMP)."""
        start = types.Position(max(rng.start_line - 1, 0), max(rng.start_col, 0))
        end = types.Position(max(rng.end_line - 1, 0), max(rng.end_col, 0))
        return Path(path).as_uri(), types.Range(start, end)

    def place(self, rng: Range) -> tuple[str, types.Range, tuple[int, int], tuple[int, int]]:
        """A program range -> (URI, LSP range, code-point start, code-point end).

        A range that runs into the next cell is cut at the end of its first line.
        """
        uri, start_line = self.unit.locate(rng.start_line)
        end_uri, end_line = self.unit.locate(rng.end_line)
        end_program_line, end_col = rng.end_line, rng.end_col
        if end_uri != uri or rng.end_line < rng.start_line:
            end_line, end_program_line = start_line, rng.start_line
            end_col = (
                len(self.lines[rng.start_line - 1]) if rng.start_line <= len(self.lines) else 0
            )
        start = types.Position(start_line, self.column(rng.start_line, rng.start_col))
        end = types.Position(end_line, self.column(end_program_line, end_col))
        clamp = (
            min(end_col, len(self.lines[end_program_line - 1]))
            if 0 < end_program_line <= len(self.lines)
            else 0
        )
        return (
            uri,
            types.Range(start, end),
            (start_line, max(rng.start_col, 0)),
            (end_line, clamp),
        )

    def edit(self, edit: Edit) -> MappedEdit:
        uri, rng, start, end = self.place(edit.range)
        return MappedEdit(uri, rng, edit.new_text, start, end)


def confirmation_suffix(confirmation: Confirmation | None) -> str:
    if confirmation is None or confirmation.status != "confirmed":
        return ""
    backend = confirmation.backend
    if backend != "mini":
        backend = f"{backend} on {confirmation.device}"
    return f" (confirmed by runtime check: {backend})"


def to_lsp(
    unit: LintUnit,
    findings: tuple[Diagnostic, ...],
    codec: PositionCodec,
    confirmations: Mapping[int, Confirmation] | None = None,
    lines: list[str] | None = None,
    stopped_at_line: int | None = None,
    stopped_in: tuple[int, int] | None = None,
) -> dict[str, list[Published]]:
    """Every URI of ``unit`` (clean ones too, so stale squiggles are cleared) -> diagnostics.

    ``stopped_at_line``: where the analysis ran out of its statement budget; that line gets
    an Information diagnostic saying so (see :func:`budget_diagnostic`)."""
    by_uri: dict[str, list[Published]] = {uri: [] for uri in unit.uris()}
    if not findings and stopped_at_line is None:
        return by_uri
    placer = Placer(unit, lines if lines is not None else split_lines(unit.text), codec)
    if stopped_at_line is not None:
        note = budget_diagnostic(stopped_at_line, placer.lines, stopped_in)
        uri, rng, _, _ = placer.place(note.range)
        lsp = types.Diagnostic(
            range=rng,
            message=note.message,
            severity=SEVERITIES[note.severity],
            code=note.code,
            source=SOURCE,
        )
        by_uri.setdefault(uri, []).append(Published(uri, lsp, note, len(findings)))
    confirmations = confirmations or {}
    for index, finding in enumerate(findings):
        uri, rng, _, _ = placer.place(finding.range)
        confirmation = confirmations.get(index, finding.confirmation)
        related = [
            types.DiagnosticRelatedInformation(
                location=types.Location(uri=rel_uri, range=rel_range), message=item.message
            )
            for item in finding.related
            for rel_uri, rel_range in [_related_place(placer, item)]
        ]
        rule = RULES_BY_CODE.get(finding.code)
        lsp = types.Diagnostic(
            range=rng,
            message=finding.message + confirmation_suffix(confirmation),
            severity=SEVERITIES[finding.severity],
            code=finding.code,
            code_description=types.CodeDescription(href=rule.url()) if rule else None,
            source=SOURCE,
            related_information=related or None,
            data=_data(unit, index, finding, placer, confirmation),
        )
        by_uri.setdefault(uri, []).append(Published(uri, lsp, finding, index))
    return by_uri


BUDGET_CODE = "too-complex"


def budget_diagnostic(
    line: int, lines: list[str], part: tuple[int, int] | None = None
) -> Diagnostic:
    """The statement budget's note, on the whole line where the analysis stopped.

    An Information diagnostic rather than a log message: the editor shows it where the
    unchecked code begins and in its problems list, beside the findings, so a file that is
    only partly checked never looks clean; a log or a pop-up would be missed, or repeated on
    every keystroke. It has no fix and no witness. ``part``: the lines of the segment whose
    analysis stopped, in a file analysed in segments (the note then names them)."""
    width = len(lines[line - 1]) if 0 < line <= len(lines) else 0
    return Diagnostic(BUDGET_CODE, budget_note(part), Range(line, 0, line, width), Severity.INFO)


def _data(
    unit: LintUnit,
    index: int,
    finding: Diagnostic,
    placer: Placer,
    confirmation: Confirmation | None,
) -> dict[str, Any]:
    return {
        "unit": unit.key,
        "index": index,
        "code": finding.code,
        "fixes": [fix_data(fix, placer, fix is finding.fix) for fix in finding.fixes],
        "witness": finding.witness is not None,
        "confirmation": confirmation_data(confirmation),
    }


def fix_data(fix: Fix, placer: Placer, primary: bool) -> dict[str, Any]:
    """A fix as JSON; ``primary`` marks the rule's own fix (the one fix-all may apply)."""
    return {
        "title": fix.title,
        "safe": fix.safe and not fix.display_only,
        "applicability": fix.applicability,
        "primary": primary,
        "edits": [
            {"uri": m.uri, "range": range_data(m.range), "newText": m.new_text}
            for m in (placer.edit(edit) for edit in fix.edits)
        ],
    }


def confirmation_data(confirmation: Confirmation | None) -> dict[str, str] | None:
    if confirmation is None:
        return None
    return confirmation.to_dict()


def range_data(rng: types.Range) -> dict[str, dict[str, int]]:
    return {
        "start": {"line": rng.start.line, "character": rng.start.character},
        "end": {"line": rng.end.line, "character": rng.end.character},
    }


def range_from_data(data: Any) -> types.Range | None:
    try:
        return types.Range(
            types.Position(int(data["start"]["line"]), int(data["start"]["character"])),
            types.Position(int(data["end"]["line"]), int(data["end"]["character"])),
        )
    except (KeyError, TypeError, ValueError):
        return None


def _related_place(placer: Placer, item: RelatedLocation) -> tuple[str, types.Range]:
    if item.path is not None:
        return placer.place_elsewhere(item.path, item.range)
    uri, rng, _, _ = placer.place(item.range)
    return uri, rng
