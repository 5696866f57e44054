"""Hover and inlay-hint facts: the autograd facts of names at a position or on a range of
lines, computed by a worker on the document's current text and placed on the document in the
client's position units. A request waits :data:`FACTS_TIMEOUT_S` at most: a hover without
facts is better than a hover that never comes.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from lsprotocol import types

if TYPE_CHECKING:
    from autograd_lint.server.app import AutogradLintServer

from autograd_lint.server import hover
from autograd_lint.server.pool import LARGE_DOCUMENT_CHARS

log = logging.getLogger(__name__)

FACTS_TIMEOUT_S = 3.0
"""A hover or inlay-hint request waits this long for the facts, then answers without them."""


async def facts_at(
    ls: AutogradLintServer, uri: str, where: tuple[int, int, int]
) -> list[hover.PlacedFacts]:
    """Facts of names in ``uri``: at (0-based line, code-point column, 0), or the tensors
    bound on 0-based lines (first, last, 1); placed on the document in client units."""
    key = ls.key_for(uri)
    unit = ls.snapshot(key)
    if unit is None or len(unit.text) >= LARGE_DOCUMENT_CHARS:
        return []  # a huge document's analysis takes longer than a hover may
    settings = ls.settings_for(unit)
    if settings.excluded:
        return []
    first, second, ranged = where
    query = (
        (unit.program_line(uri, first), unit.program_line(uri, second), 1)
        if ranged
        else (unit.program_line(uri, first), second, 0)
    )
    try:
        found = await asyncio.wait_for(
            ls.engine.pool.facts(
                unit.text, unit.path, settings.lint, query, ls.project_context(unit)
            ),
            FACTS_TIMEOUT_S,
        )
    except Exception:  # a timeout, a worker that broke: the hover goes without facts
        log.debug("no facts for %s", uri, exc_info=True)
        return []
    placed: list[hover.PlacedFacts] = []
    for item in found:
        item_uri, line0 = unit.locate(item.line)
        if item_uri != uri:
            continue
        text = ls.line_text(uri, line0)
        codec = ls.codec()
        placed.append(
            hover.PlacedFacts(
                types.Range(
                    types.Position(line0, int(codec.client_num_units(text[: item.start]))),
                    types.Position(line0, int(codec.client_num_units(text[: item.end]))),
                ),
                item.facts,
            )
        )
    return placed


def refresh_inlay_hints(ls: AutogradLintServer) -> None:
    workspace = ls.client_capabilities.workspace
    if workspace and workspace.inlay_hint and workspace.inlay_hint.refresh_support:
        ls.workspace_inlay_hint_refresh(None)
