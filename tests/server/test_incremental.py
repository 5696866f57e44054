"""Linting through the chunk cache gives what a full lint gives, edit after edit.

Real files (the real-world corpus and the shipped examples) are edited at random, with a
fixed seed, the way people type: lines inserted inside functions and at the top level,
deleted, duplicated, commented, broken and mended, strings whose lines start in column 0,
tabs, CRLF. After every edit the text is linted with the cache (as the language server's
worker does) and without it, and the two results must be the same; where the cache could
put a module together, it must also be equal, node for node, to libcst's parse.
"""

from __future__ import annotations

import ast
import random
import warnings
from pathlib import Path

import libcst as cst
import pytest
from lsprotocol import types
from server_helpers import RecordingClient, open_doc, wait_for

from autograd_lint.analysis.chunks import ChunkCache, compiles_alone, cut
from autograd_lint.config import Settings
from autograd_lint.lint import lint_source

ROOT = Path(__file__).resolve().parents[2]
FILES = sorted(
    [*ROOT.glob("tests/realworld/AG*/**/*.py"), *ROOT.glob("autograd_lint/examples/*.py")]
)
SETTINGS = Settings(runtime_check="off", preview=True)

SNIPPETS = [
    "x = 1",
    "# a comment in column 0",
    "",
    "    y = x.detach()",
    "    w.data.mul_(2)  # noqa: AG001",
    "    out = torch.sigmoid(h)",
    "    loss.backward()",
    "def added(w):\n    z = w.sigmoid()\n    w.data.zero_()\n    z.sum().backward()",
    'TEXT = """\nimport nothing\ndef not_code():\n"""',
    "x = (",
    ")",
    "else:",
    "@decorated",
    "class Added:\n\tdef tabbed(self):\n\t\treturn 1",
    "if True:\n    pass\n# trailing\n  # odd indent\nelse:\n    pass",
]


def _edit(rng: random.Random, text: str) -> str:
    lines = text.splitlines(keepends=True) or [""]
    where = rng.randrange(len(lines) + 1)
    kind = rng.random()
    if kind < 0.45:
        snippet = rng.choice(SNIPPETS)
        indent = ""
        if where < len(lines) and rng.random() < 0.5:
            line = lines[where]
            indent = line[: len(line) - len(line.lstrip(" \t"))]
        new = "".join(indent + part + "\n" for part in snippet.split("\n"))
        lines.insert(where, new)
    elif kind < 0.65 and len(lines) > 1:
        del lines[min(where, len(lines) - 1)]
    elif kind < 0.8:
        pieces = cut(text)
        i = rng.randrange(len(pieces))
        pieces.insert(i, pieces[i])  # the same statement twice: one node must not be shared
        return "".join(pieces)
    elif kind < 0.9 and where < len(lines):
        line = lines[where]
        column = rng.randrange(len(line) + 1)
        lines[where] = line[:column] + rng.choice(["(", ":", " ", "1", '"""', "\\"]) + line[column:]
    else:
        return text.replace("\n", "\r\n") if rng.random() < 0.5 else text.replace("\r\n", "\n")
    return "".join(lines)


def _valid(text: str) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(text)
    except SyntaxError:
        return False
    return True


def _same(text: str, path: str, cache: ChunkCache) -> None:
    chunked = cache.assemble(text)
    if chunked is not None:
        assert chunked.module.code == text
        assert chunked.module.deep_equals(cst.parse_module(text))
    incremental = lint_source(text, path, SETTINGS, chunks=cache)
    full = lint_source(text, path, SETTINGS)
    assert incremental.diagnostics == full.diagnostics
    assert incremental.skipped == full.skipped


def test_the_corpus_is_there() -> None:
    assert len(FILES) >= 30


@pytest.mark.parametrize("path", FILES[::3], ids=lambda p: p.name)
def test_random_edit_sequences_lint_as_a_full_lint(path: Path) -> None:
    rng = random.Random(path.name)
    cache = ChunkCache()
    text = mended = path.read_text()
    _same(text, path.name, cache)
    for _ in range(30):
        if _valid(text):
            mended = text
        elif rng.random() < 0.7:
            text = mended  # people mend what they broke, mostly
        text = _edit(rng, text)
        _same(text, path.name, cache)


def test_every_corpus_file_is_put_together_from_its_chunks() -> None:
    cache = ChunkCache()
    for path in FILES:
        text = path.read_text()
        chunked = cache.assemble(text)
        assert chunked is not None, path
        assert chunked.module.deep_equals(cst.parse_module(text)), path
        assert len(chunked.chunks) == len(cut(text)) or len(chunked.chunks) >= 1


def test_an_edit_reparses_only_the_statement_it_changed() -> None:
    text = "import torch\n\n" + "".join(
        f"def f{i}(w):\n    y = w.sigmoid()\n    return y\n\n\n" for i in range(40)
    )
    cache = ChunkCache()
    assert cache.assemble(text) is not None
    before = cache.misses
    edited = text.replace("def f7(w):\n    y = w", "def f7(w):\n    y = 2 * w")
    chunked = cache.assemble(edited)
    assert chunked is not None
    assert cache.misses == before + 1
    assert chunked.module.deep_equals(cst.parse_module(edited))


def test_a_statement_written_twice_gets_two_nodes() -> None:
    text = "import torch\nx = torch.ones(2)\nx = torch.ones(2)\n"
    chunked = ChunkCache().assemble(text)
    assert chunked is not None
    first, second = chunked.module.body[1], chunked.module.body[2]
    assert first is not second
    assert first.deep_equals(second)


def test_a_string_with_lines_in_column_0_is_one_chunk() -> None:
    text = 'import torch\nDOC = """\ndef f():\nreturn\n"""\nx = torch.ones(1)\n'
    chunked = ChunkCache().assemble(text)
    assert chunked is not None
    assert chunked.module.deep_equals(cst.parse_module(text))
    assert [c.text for c in chunked.chunks][1] == 'DOC = """\ndef f():\nreturn\n"""\n'


def test_a_syntax_error_is_reported_as_a_full_lint_reports_it() -> None:
    text = "import torch\n\ndef f(w):\n    y = (w\n\nz = 1\n"
    cache = ChunkCache()
    assert cache.assemble(text) is None
    incremental = lint_source(text, "t.py", SETTINGS, chunks=cache)
    assert incremental.diagnostics == lint_source(text, "t.py", SETTINGS).diagnostics
    assert incremental.diagnostics[0].code == "E999"


COMPILE_ERRORS = [
    "import torch\n\ndef f(w):\n    return w\n\nreturn 1\n",
    "import torch\n\nfor x in range(2):\n    pass\n\nbreak\n",
    "import torch\n\nnonlocal w\n",
    "import torch\n\nfrom __future__ import annotations\n",
    "from __future__ import annotations\nimport torch\n\ndef f(x: (yield)):\n    pass\n",
    "import torch\n\ndef f():\n    x = 1\n    global x\n",
]


@pytest.mark.parametrize("text", COMPILE_ERRORS)
def test_what_parses_but_does_not_compile_is_reported_as_a_full_lint_reports_it(
    text: str,
) -> None:
    cache = ChunkCache()
    chunked = cache.assemble(text)
    assert chunked is not None  # every chunk parses: only the compiler refuses
    assert not compiles_alone(chunked)
    incremental = lint_source(text, "t.py", SETTINGS, chunks=cache)
    full = lint_source(text, "t.py", SETTINGS)
    assert [d.code for d in full.diagnostics] == ["E999"]
    assert incremental.diagnostics == full.diagnostics


def test_chunks_that_compile_alone_compile_in_the_file() -> None:
    text = (
        "from __future__ import annotations\nimport torch\n\n"
        "def f(x: torch.Tensor) -> torch.Tensor:\n    return x\n\nawait f(torch.ones(1))\n"
    )
    chunked = ChunkCache().assemble(text)
    assert chunked is not None
    assert compiles_alone(chunked)
    assert lint_source(text, "t.py", SETTINGS).diagnostics == ()


def test_the_cache_keeps_open_texts_and_a_bounded_margin() -> None:
    cache = ChunkCache(retired_chars=2_000)
    text = "import torch\n\n" + "".join(
        f"def f{i}(w):\n    return w * {i}\n\n\n" for i in range(50)
    )
    assert cache.assemble(text, "a.py") is not None
    held = len(cache)
    for edit in range(300):
        edited = text.replace("return w * 7\n", f"return w * 7 + {edit}\n")
        assert cache.assemble(edited, "a.py") is not None
    assert len(cache) <= held + 2_000 // len("def f7(w):\n    return w * 7 + 100\n\n\n")
    before = cache.misses
    assert cache.assemble(text, "a.py") is not None  # the other statements were kept
    assert cache.misses == before + 1


def test_a_long_docstring_in_prose_is_not_cut_line_by_line() -> None:
    prose = "".join(f"Line {i} of prose about the module.\n" for i in range(200))
    text = f'"""Title.\n\n{prose}"""\n\nimport torch\n\n\ndef f(w):\n    return w.sigmoid()\n'
    cache = ChunkCache()
    chunked = cache.assemble(text)
    assert chunked is not None
    assert chunked.module.deep_equals(cst.parse_module(text))
    assert cache.misses == len(chunked.chunks)  # no failed attempt at a cut inside the string


@pytest.mark.asyncio
async def test_the_server_publishes_what_a_full_lint_finds_after_each_edit(
    client: RecordingClient,
) -> None:
    path = next(p for p in FILES if p.parent.name == "examples")
    uri = "file:///tmp/autograd_lint_incremental_test/" + path.name
    text = path.read_text()
    open_doc(client, uri, text)
    await wait_for(client, uri, lambda p: p.version == 1)
    rng = random.Random(13)
    for version in range(2, 12):
        lines = text.splitlines(keepends=True)
        line = rng.randrange(len(lines))
        indent = lines[line][: len(lines[line]) - len(lines[line].lstrip())]
        insert = indent + rng.choice(["y = x.detach()", "pass", "# note", "w.data.zero_()"]) + "\n"
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                content_changes=[
                    types.TextDocumentContentChangePartial(
                        range=types.Range(types.Position(line, 0), types.Position(line, 0)),
                        text=insert,
                    )
                ],
            )
        )
        lines.insert(line, insert)
        text = "".join(lines)
        published = await wait_for(client, uri, lambda p, v=version: p.version == v)
        full = lint_source(text, path.name, Settings(runtime_check="off"))
        assert [
            (str(d.code), d.range.start.line + 1, d.range.start.character)
            for d in published.diagnostics
        ] == [(d.code, d.range.start_line, d.range.start_col) for d in full.diagnostics]
