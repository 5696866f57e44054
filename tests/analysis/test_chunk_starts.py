"""Statement starts found chunk by chunk are those the whole module's matching gives."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest

from autograd_lint.analysis.chunks import ChunkCache
from autograd_lint.analysis.positions import cst_statements

ROOT = Path(__file__).resolve().parents[2]
FILES = sorted(
    [*ROOT.glob("tests/realworld/AG*/**/*.py"), *ROOT.glob("autograd_lint/examples/*.py")]
)[::2]


def _whole(chunked_module: cst.Module, starts: list[tuple[int, int]]) -> dict:
    statements = list(cst_statements(chunked_module.body))
    assert len(statements) == len(starts)
    table: dict[cst.CSTNode, tuple[int, int]] = {}
    for node, start in zip(statements, starts, strict=True):
        table.setdefault(node, start)
    return table


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_chunk_starts_are_the_whole_modules(path: Path) -> None:
    cache = ChunkCache()
    text = path.read_text()
    # comments between statements end a chunk: the next chunk's first statement is then a
    # node of the module's own (it carries them), not the chunk's
    commented = text.replace("\n\ndef ", "\n# a comment\n\ndef ")
    for source in (text, commented):
        chunked = cache.assemble(source)
        assert chunked is not None
        expected = _whole(chunked.module, chunked.statement_starts())
        table = chunked.statement_table()
        assert dict(table.items()) == expected
        assert all(table[node] == start for node, start in expected.items())
        assert cst.Pass() not in table and chunked.module not in table


def test_a_head_carrying_the_lines_before_it_is_placed() -> None:
    text = "import torch\n# before\n\ndef f(w):\n    return w\n"
    chunked = ChunkCache().assemble(text)
    assert chunked is not None and len(chunked.chunks) == 2
    head = chunked.module.body[1]
    assert head is not chunked.chunks[1].module.body[0]
    assert chunked.statement_table()[head] == (4, 0)
