"""Hover with a tensor's autograd facts, and inlay hints, from a real server process."""

from __future__ import annotations

import pytest
from lsprotocol import types
from server_helpers import RecordingClient, init_params, open_doc, wait_for

from autograd_lint.analysis.facts import analyze_facts

URI = "file:///tmp/autograd_lint_facts_test/train.py"

TEXT = (
    "import torch\n"  # 1
    "x = torch.randn(3, requires_grad=True)\n"  # 2
    "out = torch.sigmoid(x)\n"  # 3
    "c = out.detach()\n"  # 4
    "with torch.no_grad():\n"  # 5
    "    z = x * 2\n"  # 6
    "c.zero_()\n"  # 7
    "out.sum().backward()\n"  # 8
)


def test_facts_per_name_and_place() -> None:
    index = analyze_facts(TEXT)
    x = index.at(2, 0)
    assert x is not None and x.facts.kind == "tensor"
    assert (x.facts.requires_grad, x.facts.is_leaf, x.facts.grad_mode) == ("yes", "yes", "on")
    out = index.at(8, 1)
    assert out is not None
    assert out.facts.saved_by == (("sigmoid", 3),)
    assert (out.start, out.end) == (0, 3)
    c = index.at(7, 0)
    assert c is not None and c.facts.alias_of == ("out", "detach")
    assert c.facts.requires_grad == "no"
    z = index.at(6, 4)
    assert z is not None and z.facts.grad_mode == "off" and z.facts.requires_grad == "no"
    assert index.at(1, 2) is None  # a keyword
    assert [b.facts.name for b in index.bindings(2, 4)] == ["x", "out", "c"]


def test_a_parameter_of_a_function_analysed_alone_is_unknown() -> None:
    index = analyze_facts("import torch\n\ndef f(w):\n    y = w.sigmoid()\n    return y\n")
    y = index.at(5, 11)
    assert y is not None and y.facts.requires_grad == "unknown"


async def _hover(client: RecordingClient, line: int, character: int) -> str:
    found = await client.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(URI), types.Position(line, character))
    )
    assert found is not None and isinstance(found.contents, types.MarkupContent)
    return found.contents.value


@pytest.mark.asyncio
async def test_hover_shows_the_facts_where_the_name_is(client: RecordingClient) -> None:
    open_doc(client, URI, TEXT)
    await wait_for(client, URI, lambda p: True)
    on_out = await _hover(client, 7, 1)
    assert "**`out`**" in on_out and "requires grad: **yes**" in on_out
    assert "saved for backward by `sigmoid` at line 3" in on_out
    on_c = await _hover(client, 6, 0)
    assert "alias of `out` (detach)" in on_c
    assert "requires grad: **no**" in on_c
    on_z = await _hover(client, 5, 4)
    assert "grad mode: off" in on_z
    # hints are off by default
    hints = await client.text_document_inlay_hint_async(
        types.InlayHintParams(
            types.TextDocumentIdentifier(URI),
            types.Range(types.Position(0, 0), types.Position(8, 0)),
        )
    )
    assert hints == []


@pytest.mark.asyncio
async def test_inlay_hints_when_turned_on(raw_client: RecordingClient) -> None:
    await raw_client.initialize_session(init_params({"inlayHints": True}))
    open_doc(raw_client, URI, TEXT)
    request = types.InlayHintParams(
        types.TextDocumentIdentifier(URI), types.Range(types.Position(1, 0), types.Position(3, 0))
    )
    # The first request starts the facts worker; on a loaded machine that can outlast the
    # request's wait (then the answer is empty, as a hover's would be): ask again.
    for _ in range(5):
        hints = await raw_client.text_document_inlay_hint_async(request)
        if hints:
            break
    assert hints is not None
    labels = [(h.position.line, h.position.character, h.label) for h in hints]
    assert labels == [
        (1, 1, ": grad, leaf"),
        (2, 3, ": grad, saved"),
        (3, 1, ": no grad, leaf, detach of out"),
    ]


MODELS = """\
import torch


def make_leaf():
    return torch.zeros(3, requires_grad=True)
"""
USES_MODELS = "import torch\nfrom models import make_leaf\n\nw = make_leaf()\nv = w * 2\n"


def test_facts_follow_the_projects_imports(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from autograd_lint.analysis.project import Project

    (tmp_path / "models.py").write_text(MODELS)
    train = tmp_path / "train.py"
    train.write_text(USES_MODELS)
    alone = analyze_facts(USES_MODELS, owner=str(train)).at(5, 0)
    assert alone is not None and alone.facts.requires_grad == "unknown"
    followed = analyze_facts(USES_MODELS, owner=str(train), project=Project(tmp_path)).at(5, 0)
    assert followed is not None and followed.facts.requires_grad == "yes"


@pytest.mark.asyncio
async def test_hover_on_a_name_from_an_imported_function(client: RecordingClient, tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'demo'\n")
    (tmp_path / "models.py").write_text(MODELS)
    train = tmp_path / "train.py"
    train.write_text(USES_MODELS)
    open_doc(client, train.as_uri(), USES_MODELS)
    await wait_for(client, train.as_uri(), lambda p: True)
    found = await client.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(train.as_uri()), types.Position(4, 0))
    )
    assert found is not None and isinstance(found.contents, types.MarkupContent)
    assert "**`v`**" in found.contents.value and "requires grad: **yes**" in found.contents.value
