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
import threading
import warnings
from pathlib import Path

import libcst as cst
import pytest
from lsprotocol import types
from server_helpers import RecordingClient, open_doc, wait_for

from autograd_lint.analysis.chunks import ChunkCache, compiles_alone, cut
from autograd_lint.analysis.indentation import expand_mixed_indentation
from autograd_lint.analysis.scope_cache import ID_BASE, ScopeCache, analyze_cached
from autograd_lint.analysis.trace import Trace
from autograd_lint.config import Settings
from autograd_lint.diagnostics import FileResult
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
    # module state that functions analysed alone read: rebound imports, new helpers
    "F = None",
    "import torch.nn.functional as F",
    "torch = None",
    "def sigmoid(x):\n    return x.sigmoid()",
    "model = torch.nn.Linear(2, 2)",
    "class Linear(torch.nn.Module):\n    def forward(self, x):\n        x.data.zero_()\n        return x",
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


INSIDE = ["y = x.detach()", "w.data.mul_(2)", "pass", "# note", "loss.backward()", "z = F.relu(w)"]


def _edit_inside_a_function(rng: random.Random, text: str) -> str:
    """A line added at the indentation of a line inside a block (what typing in a function
    body does), or one such line deleted."""
    lines = text.splitlines(keepends=True)
    inside = [i for i, line in enumerate(lines) if line[:1] in (" ", "\t") and line.strip()]
    if not inside:
        return text
    where = rng.choice(inside)
    if rng.random() < 0.2:
        del lines[where]
    else:
        indent = lines[where][: len(lines[where]) - len(lines[where].lstrip(" \t"))]
        lines.insert(where, indent + rng.choice(INSIDE) + "\n")
    return "".join(lines)


def test_edits_inside_functions_replay_the_other_functions_as_they_were_analysed() -> None:
    """Every corpus file, edited where people mostly type: the unchanged functions come from
    the scope cache, and every lint is still the full lint's."""
    cache = ChunkCache()
    for path in FILES:
        rng = random.Random(path.name + "inside")
        text = mended = path.read_text()
        _same(text, path.name, cache)
        for _ in range(6):
            text = _edit_inside_a_function(rng, mended if _valid(text) else text)
            if _valid(text):
                mended = text
            _same(text, path.name, cache)
    assert cache.scopes.hits * 3 > cache.scopes.misses  # replays happen, and not rarely


MODULE = """import torch
import torch.nn.functional as F

model = torch.nn.Linear(2, 2)


def uses_the_module_model(x):
    model.weight.data.mul_(2)
    return model(x)


def helper(w):
    y = w.sigmoid()
    w.data.zero_()
    return y


def calls_the_helper(w):
    out = helper(w)
    out.sum().backward()


""" + "".join(
    f"def leaf_{i}(x):\n    w = torch.randn(3, requires_grad=True)\n    y = F.relu(w * w).sum()\n"
    f"    w.data.mul_({i})\n    y.backward()\n\n\n"
    for i in range(12)
)


def _lint(text: str, cache: ChunkCache) -> FileResult:
    result = lint_source(text, "m.py", SETTINGS, chunks=cache)
    assert result.diagnostics == lint_source(text, "m.py", SETTINGS).diagnostics
    return result


def test_an_edit_of_one_function_analyses_that_function_alone_again() -> None:
    cache = ChunkCache()
    first = _lint(MODULE, cache)
    assert sum(d.code == "AG001" for d in first.diagnostics) >= 12
    hits, misses = cache.scopes.hits, cache.scopes.misses
    _lint(MODULE.replace("w.data.mul_(7)", "w.data.mul_(7.5)"), cache)
    # the leaves and ``helper`` are replayed; the edited leaf is analysed again, and so is
    # what read module state (``model``, the function ``helper``)
    assert cache.scopes.hits - hits == 12
    assert cache.scopes.misses - misses == 3


@pytest.mark.parametrize(
    "change",
    [
        ("import torch.nn.functional as F\n", "import torch.nn as F\n"),
        ("import torch.nn.functional as F\n", "F = None\n"),
        ("import torch\n", "import torch\ndef relu(w):\n    return w\nF = 1\n"),
        ("model = torch.nn.Linear(2, 2)\n", "model = torch.nn.Linear(2, 2)\nF = model\n"),
    ],
    ids=["import-rebound", "import-shadowed", "name-unbound", "name-to-module-state"],
)
def test_a_function_is_analysed_again_when_a_global_it_read_changed(
    change: tuple[str, str],
) -> None:
    cache = ChunkCache()
    _lint(MODULE, cache)
    misses = cache.scopes.misses
    _lint(MODULE.replace(*change), cache)
    assert cache.scopes.misses - misses >= 12  # every leaf read ``F``


def test_a_replayed_function_carries_the_numbers_a_new_analysis_gives_it() -> None:
    """Statement numbers and object identities of the functions' blocks, replayed or not,
    are the same: the rules that compare them see one and the same order."""
    chunks = ChunkCache()
    edited = MODULE.replace("w.data.mul_(3)", "w.data.mul_(3.5)")
    traces = []
    for cache in (ScopeCache(), ScopeCache()):
        for text in (MODULE, edited) if not traces else (edited,):
            chunked = chunks.assemble(text)
            assert chunked is not None
            trace = analyze_cached(chunked.module, text, cache, "m.py")
        traces.append((trace, cache.hits))
    (warm, hits), (cold, none) = traces
    assert hits == 12 and none == 0

    def numbers(trace: Trace) -> list[tuple[str, int, int | None, int]]:
        return [
            (type(e).__name__, e.seq, e.order if e.order >= ID_BASE else None, id(e.site))
            for e in trace.events
        ]

    assert numbers(warm) == numbers(cold)
    assert list(warm.statements) == list(cold.statements)
    assert [(k, v[0]) for k, v in warm.statements.items()] == [
        (k, v[0]) for k, v in cold.statements.items()
    ]


def test_the_scope_cache_keeps_the_latest_text_of_each_document() -> None:
    cache = ChunkCache()
    _lint(MODULE, cache)
    held = len(cache.scopes)
    assert held >= 12
    for edit in range(20):
        _lint(MODULE.replace("w.data.mul_(5)", f"w.data.mul_(5 + {edit})"), cache)
    assert len(cache.scopes) == held
    cache.clear()
    assert len(cache.scopes) == 0


def test_outside_the_main_thread_functions_are_analysed_the_plain_way() -> None:
    """The server's thread fallback may lint two documents at once: the scope cache, which
    swaps the process-wide identity counter, stays out of it."""
    cache = ChunkCache()
    found: list[FileResult] = []
    worker = threading.Thread(target=lambda: found.append(_lint(MODULE, cache)))
    worker.start()
    worker.join()
    assert len(found) == 1 and len(found[0].diagnostics) == 12
    assert cache.scopes.hits == cache.scopes.misses == 0
    _lint(MODULE, cache)
    assert cache.scopes.misses > 0


def test_every_corpus_file_is_put_together_from_its_chunks() -> None:
    cache = ChunkCache()
    for path in FILES:
        text = path.read_text()
        chunked = cache.assemble(text)
        if expand_mixed_indentation(text) is not None:
            # indentation mixing tabs and spaces, which libcst rejects: the whole file is
            # parsed instead, with its indentation expanded as CPython reads it
            assert chunked is None, path
            continue
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
