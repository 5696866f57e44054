"""Pull diagnostics: result ids that name the diagnostics themselves, and the workspace report.

A ``resultId`` is a digest of the diagnostics as sent, so a client that asks again after an
edit that changed nothing it shows (a keystroke in a comment, a re-save) is told
"unchanged" and redraws nothing. ``workspace/diagnostic`` covers the Python files of the
workspace folder as ``check`` would find them; a file not open in the editor is linted from
disk once per (modification time, size), so a client that pulls the workspace again and
again costs a ``stat`` per file.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from lsprotocol import converters, types

from autograd_lint.diagnostics import FileResult
from autograd_lint.discovery import discover
from autograd_lint.server.settings import DocumentSettings
from autograd_lint.server.units import LintUnit, text_unit

log = logging.getLogger(__name__)

MAX_WORKSPACE_FILES = 2000
"""Files a workspace report covers at most (the first found, in discovery order)."""

_converter = converters.get_converter()


def result_id(items: Iterable[types.Diagnostic]) -> str:
    """A digest of ``items`` as the client receives them."""
    payload = json.dumps(
        [_converter.unstructure(item) for item in items], sort_keys=True, default=str
    )
    return hashlib.blake2b(payload.encode("utf-8"), digest_size=12).hexdigest()


def document_report(
    items: list[types.Diagnostic], previous: str | None
) -> types.DocumentDiagnosticReport:
    """Full report, or "unchanged" when the client already holds exactly these diagnostics."""
    current = result_id(items)
    if previous == current:
        return types.RelatedUnchangedDocumentDiagnosticReport(result_id=current)
    return types.RelatedFullDocumentDiagnosticReport(items=items, result_id=current)


@dataclass
class _OnDisk:
    stamp: tuple[int, int]
    """(modification time in ns, size) when linted."""
    items: list[types.Diagnostic]
    result_id: str


Lint = Callable[[LintUnit, DocumentSettings], Awaitable[FileResult]]
Convert = Callable[[LintUnit, FileResult], list[types.Diagnostic]]


class WorkspaceDiagnostics:
    """The workspace folder's files, linted from disk and remembered by their stamp."""

    def __init__(self) -> None:
        self._files: dict[str, _OnDisk] = {}

    async def report(
        self,
        root: str,
        previous: dict[str, str],
        open_items: Callable[[str], tuple[str, list[types.Diagnostic]] | None],
        settings_for: Callable[[LintUnit], DocumentSettings],
        lint: Lint,
        convert: Convert,
    ) -> types.WorkspaceDiagnosticReport:
        """One entry per Python file under ``root``: open documents as the editor has them
        (``open_items``: a resolved path -> the document's URI and diagnostics), the others
        as they are on disk."""
        folder = text_unit(Path(root).as_uri(), "", root, None)
        try:
            paths = discover([root], settings_for(folder).lint, Path(root))
        except Exception:  # an unreadable folder or a broken pattern: report nothing
            log.exception("listing the workspace %s failed", root)
            paths = []
        entries: list[types.WorkspaceDocumentDiagnosticReport] = []
        seen: set[str] = set()
        # Notebooks are left out: their cells have URIs only an editor that opened them knows.
        scripts = [path for path in paths if path.endswith(".py")]
        for path in scripts[:MAX_WORKSPACE_FILES]:
            resolved = os.path.realpath(path)
            seen.add(path)
            opened = open_items(resolved)
            if opened is None:
                uri = Path(resolved).as_uri()
                found = await self._on_disk(path, uri, settings_for, lint, convert)
                if found is None:
                    continue
                items, current = found.items, found.result_id
            else:
                uri, items = opened
                current = result_id(items)
            if previous.get(uri) == current:
                entries.append(
                    types.WorkspaceUnchangedDocumentDiagnosticReport(
                        uri=uri, result_id=current, version=None
                    )
                )
            else:
                entries.append(
                    types.WorkspaceFullDocumentDiagnosticReport(
                        uri=uri, items=items, result_id=current, version=None
                    )
                )
        for gone in set(self._files) - seen:
            del self._files[gone]
        return types.WorkspaceDiagnosticReport(items=entries)

    async def _on_disk(
        self,
        path: str,
        uri: str,
        settings_for: Callable[[LintUnit], DocumentSettings],
        lint: Lint,
        convert: Convert,
    ) -> _OnDisk | None:
        try:
            info = os.stat(path)
        except OSError:
            self._files.pop(path, None)
            return None
        stamp = (info.st_mtime_ns, info.st_size)
        known = self._files.get(path)
        if known is not None and known.stamp == stamp:
            return known
        try:
            text = Path(path).read_bytes().decode("utf-8-sig")
        except (OSError, UnicodeDecodeError):
            return None
        unit = text_unit(uri, text, path, None)
        result = await lint(unit, settings_for(unit))
        items = convert(unit, result)
        known = self._files[path] = _OnDisk(stamp, items, result_id(items))
        return known
