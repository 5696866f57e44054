"""Code actions and hover against a real server: quick fix, fix-all, noqa, rule docs."""

from __future__ import annotations

import pytest
from lsprotocol import types
from server_helpers import (
    RecordingClient,
    apply_text_edits,
    codes,
    init_params,
    open_doc,
    wait_for,
)
from server_snippets import AG001, AG002, AG004, AG005

from autograd_lint.config import Settings
from autograd_lint.lint import lint_source
from autograd_lint.rules import RULES_BY_CODE

pytestmark = pytest.mark.asyncio

URI = "file:///tmp/autograd_lint_server_test/actions.py"


async def _actions(
    client: RecordingClient, diagnostics: list[types.Diagnostic], only: list[str] | None = None
) -> list[types.CodeAction]:
    rng = (
        diagnostics[0].range
        if diagnostics
        else types.Range(types.Position(0, 0), types.Position(0, 0))
    )
    result = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(URI),
            range=rng,
            context=types.CodeActionContext(diagnostics=diagnostics, only=only),
        )
    )
    return [a for a in result or [] if isinstance(a, types.CodeAction)]


def _edits(action: types.CodeAction, uri: str = URI) -> list[types.TextEdit]:
    assert action.edit is not None and action.edit.changes is not None
    return list(action.edit.changes[uri])


async def test_quick_fix_rewrites_the_detached_alias(client: RecordingClient) -> None:
    open_doc(client, URI, AG002)
    params = await wait_for(client, URI, lambda p: bool(p.diagnostics))
    ag002 = [d for d in params.diagnostics if d.code == "AG002"]
    actions = await _actions(client, ag002, only=[types.CodeActionKind.QuickFix])
    fixes = [a for a in actions if "noqa" not in a.title]
    assert fixes, actions
    fix = fixes[0]
    assert fix.kind == types.CodeActionKind.QuickFix
    assert fix.is_preferred
    assert fix.diagnostics is not None and fix.diagnostics[0].code == "AG002"
    fixed = apply_text_edits(AG002, _edits(fix))
    assert "c = out.detach().clone()\n" in fixed
    assert lint_source(fixed).diagnostics == ()


async def test_a_data_write_the_backward_needs_offers_no_rewrite(client: RecordingClient) -> None:
    open_doc(client, URI, AG001)
    params = await wait_for(client, URI, lambda p: bool(p.diagnostics))
    ag001 = [d for d in params.diagnostics if d.code == "AG001"]
    assert ag001
    actions = await _actions(client, ag001, only=[types.CodeActionKind.QuickFix])
    assert [a for a in actions if "noqa" not in a.title] == []


async def test_unsafe_fix_is_offered_but_not_preferred(client: RecordingClient) -> None:
    open_doc(client, URI, AG004)
    params = await wait_for(client, URI, lambda p: bool(p.diagnostics))
    actions = await _actions(client, list(params.diagnostics))
    retain = [a for a in actions if "retain_graph" in a.title]
    assert len(retain) == 1
    assert not retain[0].is_preferred
    fixed = apply_text_edits(AG004, _edits(retain[0]))
    assert "loss.backward(retain_graph=True)\nloss.backward()\n" in fixed
    # An unsafe fix is never part of fix-all.
    fix_all = await _actions(client, [], only=[types.CodeActionKind.SourceFixAll])
    assert fix_all == []


async def test_add_noqa_then_merge_into_existing_list(client: RecordingClient) -> None:
    text = AG001.replace("w.data.mul_(10)\n", "w.data.mul_(10)  # noqa: AG999\n")
    open_doc(client, URI, text)
    params = await wait_for(client, URI, lambda p: "AG001" in codes(p))
    ag001 = [d for d in params.diagnostics if d.code == "AG001"]
    actions = await _actions(client, ag001)
    noqa = [a for a in actions if "noqa" in a.title]
    assert len(noqa) == 1
    merged = apply_text_edits(text, _edits(noqa[0]))
    assert "w.data.mul_(10)  # noqa: AG999, AG001\n" in merged
    assert "AG001" not in [d.code for d in lint_source(merged).diagnostics]

    open_doc(client, URI.replace("actions", "plain"), AG001)
    plain_uri = URI.replace("actions", "plain")
    params = await wait_for(client, plain_uri, lambda p: "AG001" in codes(p))
    result = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(plain_uri),
            range=params.diagnostics[0].range,
            context=types.CodeActionContext(
                diagnostics=[d for d in params.diagnostics if d.code == "AG001"]
            ),
        )
    )
    noqa = [a for a in result or [] if isinstance(a, types.CodeAction) and "noqa" in a.title]
    added = apply_text_edits(AG001, _edits(noqa[0], plain_uri))
    assert "w.data.mul_(10)  # noqa: AG001\n" in added
    assert lint_source(added).diagnostics == ()


async def test_fix_all_resolves_to_an_edit_that_fixes_the_file(client: RecordingClient) -> None:
    text = AG005 + "\n" + AG002.replace("import torch\n", "")
    open_doc(client, URI, text)
    params = await wait_for(client, URI, lambda p: bool(p.diagnostics))
    assert {"AG002", "AG005"} <= set(codes(params))
    actions = await _actions(client, [], only=[types.CodeActionKind.SourceFixAll])
    assert [a.kind for a in actions] == ["source.fixAll.autograd-lint"]
    assert actions[0].edit is None  # computed on resolve
    resolved = await client.code_action_resolve_async(actions[0])
    fixed = apply_text_edits(text, _edits(resolved))
    remaining = {d.code for d in lint_source(fixed).diagnostics}
    assert not remaining & {"AG002", "AG005"}, fixed
    assert "target = w.detach().clone()" in fixed


async def test_fix_all_without_resolve_support_comes_with_its_edit(
    raw_client: RecordingClient,
) -> None:
    await raw_client.initialize_session(init_params(resolve=False))
    open_doc(raw_client, URI, AG005)
    await wait_for(raw_client, URI, lambda p: bool(p.diagnostics))
    actions = await _actions(raw_client, [], only=["source.fixAll"])
    assert len(actions) == 1
    fixed = apply_text_edits(AG005, _edits(actions[0]))
    assert lint_source(fixed).diagnostics == ()


async def test_hover_on_diagnostic_and_on_noqa_code_shows_rule_docs(
    client: RecordingClient,
) -> None:
    text = AG001 + "z = w.data  # noqa: AG005\n"
    open_doc(client, URI, text)
    await wait_for(client, URI, lambda p: "AG001" in codes(p))
    on_diagnostic = await client.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(URI), types.Position(3, 4))
    )
    assert on_diagnostic is not None
    assert isinstance(on_diagnostic.contents, types.MarkupContent)
    assert on_diagnostic.contents.kind == types.MarkupKind.Markdown
    assert RULES_BY_CODE["AG001"].docs_markdown() in on_diagnostic.contents.value
    column = text.splitlines()[5].index("AG005") + 2
    on_noqa = await client.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(URI), types.Position(5, column))
    )
    assert on_noqa is not None and isinstance(on_noqa.contents, types.MarkupContent)
    assert on_noqa.contents.value == RULES_BY_CODE["AG005"].docs_markdown()
    assert on_noqa.range is not None
    assert on_noqa.range.start.character == column - 2
    nowhere = await client.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(URI), types.Position(0, 2))
    )
    assert nowhere is None


MIXED = (
    "import torch\n"
    "x = torch.randn(3, requires_grad=True)\n"
    "out = x.sigmoid()\n"
    "c = out.detach()\n"
    "c.zero_()\n"
    "out.sum().backward()\n"
    "w = torch.randn(3, requires_grad=True)\n"
    "w.data = torch.zeros(3)\n"
    "v = torch.randn(3, requires_grad=True)\n"
    "v.data = torch.zeros_like(v)\n"
)
"""A safe fix (AG002), a display-only one (AG013 with a layout not known to match) and a
look-alike AG013 whose ``copy_`` rewrite is known right (safe). Unsafe fixes: the AG004 test."""


async def test_preferred_only_when_safe_and_display_only_never_in_fix_all(
    raw_client: RecordingClient,
) -> None:
    await raw_client.initialize_session(init_params({"select": ["AG"]}))
    open_doc(raw_client, URI, MIXED)
    params = await wait_for(raw_client, URI, lambda p: bool(p.diagnostics))
    by_line = {d.range.start.line: d for d in params.diagnostics}
    assert (by_line[4].code, by_line[7].code, by_line[9].code) == ("AG002", "AG013", "AG013")
    found = {}
    for line in (4, 7, 9):
        actions = await _actions(raw_client, [by_line[line]], only=[types.CodeActionKind.QuickFix])
        (fix,) = [a for a in actions if "noqa" not in a.title]
        found[line] = fix
    assert found[4].is_preferred is True
    assert by_line[4].data["fixes"][0]["applicability"] == "safe"
    # a display-only fix is shown, with its edit, but never preferred
    assert by_line[7].data["fixes"][0]["applicability"] == "display-only"
    assert not found[7].is_preferred
    assert "w.copy_(torch.zeros(3))" in apply_text_edits(MIXED, _edits(found[7]))
    assert by_line[9].data["fixes"][0]["applicability"] == "safe"
    assert found[9].is_preferred is True
    # fix-all takes the safe fixes only
    (fix_all,) = await _actions(raw_client, [], only=[types.CodeActionKind.SourceFixAll])
    resolved = await raw_client.code_action_resolve_async(fix_all)
    fixed = apply_text_edits(MIXED, _edits(resolved))
    assert "c = out.detach().clone()\n" in fixed
    assert "w.data = torch.zeros(3)\n" in fixed
    assert "v.copy_(torch.zeros_like(v))\n" in fixed
    remaining = lint_source(fixed, settings=Settings(select=("AG",))).diagnostics
    assert [(d.code, d.range.start_line) for d in remaining] == [("AG013", 8)]
