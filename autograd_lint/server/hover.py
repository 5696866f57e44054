"""Hover: a tensor's autograd facts, a rule's documentation over its diagnostic, or over its
code in a suppression; and the inlay hints built from the same facts.

The rule text shown is the rule's own ``docs_markdown()``, the same text ``autograd-lint
rule`` prints, so the editor never shows a second, drifting copy of a rule's explanation.
The facts are what the analysis knew at that name (:mod:`autograd_lint.analysis.facts`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from lsprotocol import types
from pygls.workspace.position_codec import PositionCodec

from autograd_lint.analysis.facts import Facts, describe, hint
from autograd_lint.rules import RULES_BY_CODE
from autograd_lint.server.convert import Published

_SUPPRESSION = re.compile(
    r"#\s*noqa:\s*(?P<noqa>[A-Z]+[0-9]+(?:[\s,]+[A-Z]+[0-9]+)*)"
    r"|#\s*autograd-lint:\s*ignore\[(?P<ignore>[^\]]*)\]",
    re.IGNORECASE,
)
_CODE = re.compile(r"[A-Z]+[0-9]+", re.IGNORECASE)


def suppressed_code_at(line_text: str, column: int) -> tuple[str, int, int] | None:
    """The code under ``column`` (code points) inside a suppression comment: (code, start, end)."""
    for match in _SUPPRESSION.finditer(line_text):
        group = "noqa" if match.group("noqa") is not None else "ignore"
        base = match.start(group)
        for code in _CODE.finditer(match.group(group)):
            start, end = base + code.start(), base + code.end()
            if start <= column <= end:
                return code.group().upper(), start, end
    return None


def rule_docs(code: str) -> str | None:
    rule = RULES_BY_CODE.get(code)
    return rule.docs_markdown() if rule is not None else None


def _contains(rng: types.Range, position: types.Position) -> bool:
    start = (rng.start.line, rng.start.character)
    end = (rng.end.line, rng.end.character)
    return start <= (position.line, position.character) <= end


def hover_for_diagnostics(
    position: types.Position, published: Sequence[Published]
) -> types.Hover | None:
    """Docs of every rule whose diagnostic covers ``position`` (messages for non-rules)."""
    parts: list[str] = []
    seen: set[str] = set()
    hit: types.Range | None = None
    for item in published:
        if not _contains(item.lsp.range, position):
            continue
        hit = hit or item.lsp.range
        code = item.finding.code
        if code in seen:
            continue
        seen.add(code)
        parts.append(rule_docs(code) or f"**{code}**: {item.finding.message}")
    if not parts:
        return None
    return types.Hover(
        contents=types.MarkupContent(types.MarkupKind.Markdown, "\n---\n\n".join(parts)),
        range=hit,
    )


def hover_for_suppression(
    line0: int, line_text: str, column: int, codec: PositionCodec
) -> types.Hover | None:
    """Docs for the code under the cursor (``column`` in code points) in ``# noqa: ...``."""
    found = suppressed_code_at(line_text, column)
    if found is None:
        return None
    code, start, end = found
    docs = rule_docs(code)
    if docs is None:
        return None
    rng = types.Range(
        types.Position(line0, int(codec.client_num_units(line_text[:start]))),
        types.Position(line0, int(codec.client_num_units(line_text[:end]))),
    )
    return types.Hover(contents=types.MarkupContent(types.MarkupKind.Markdown, docs), range=rng)


@dataclass(frozen=True)
class PlacedFacts:
    """A name's facts and its range on the document, in client units."""

    range: types.Range
    facts: Facts


def combine(facts: PlacedFacts | None, rules: types.Hover | None) -> types.Hover | None:
    """The facts of the name under the cursor first, then the docs of the rules there."""
    text = describe(facts.facts) if facts is not None else ""
    if not text:
        return rules
    if rules is not None and isinstance(rules.contents, types.MarkupContent):
        text += "\n\n---\n\n" + rules.contents.value
    assert facts is not None
    return types.Hover(
        contents=types.MarkupContent(types.MarkupKind.Markdown, text),
        range=facts.range if rules is None else rules.range,
    )


def inlay_hint(item: PlacedFacts) -> types.InlayHint:
    """``y: grad, saved`` after a bound tensor name; the tooltip has the full facts."""
    return types.InlayHint(
        position=item.range.end,
        label=hint(item.facts),
        kind=types.InlayHintKind.Type,
        tooltip=types.MarkupContent(types.MarkupKind.Markdown, describe(item.facts)),
        padding_left=False,
    )
