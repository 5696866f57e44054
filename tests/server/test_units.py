"""The pure parts of the server: line maps, position conversion, settings, edit helpers."""

from __future__ import annotations

from lsprotocol import types
from pygls.workspace.position_codec import PositionCodec
from server_helpers import apply_text_edits

from autograd_lint.diagnostics import Range
from autograd_lint.server.actions import whole_text_edit
from autograd_lint.server.convert import Placer
from autograd_lint.server.hover import suppressed_code_at
from autograd_lint.server.settings import DEFAULT_DEBOUNCE_MS, parse_editor_settings
from autograd_lint.server.units import notebook_unit, split_lines, text_unit


def test_notebook_line_map_round_trips_every_line() -> None:
    cells = [
        ("c0", "a = 1\nb = 2\n", 1),
        ("c1", "", 1),
        ("c2", "%timeit x\r\ny = 3", 4),
        ("c3", "z = 4\n\n", 2),
    ]
    unit = notebook_unit("nb", "nb.ipynb", 7, cells)
    lines = split_lines(unit.text)
    expected = [
        ("c0", 0, "a = 1"),
        ("c0", 1, "b = 2"),
        ("c1", 0, ""),
        ("c2", 0, "pass#timeit x"),
        ("c2", 1, "y = 3"),
        ("c3", 0, "z = 4"),
        ("c3", 1, ""),
    ]
    for number, (uri, line0, text) in enumerate(expected, start=1):
        assert unit.locate(number) == (uri, line0)
        assert unit.program_line(uri, line0) == number
        assert lines[number - 1] == text
    assert unit.uris() == ["c0", "c1", "c2", "c3"]
    assert unit.version_of("c2") == 4


def test_placer_converts_code_points_to_utf16_and_cuts_ranges_at_cell_end() -> None:
    unit = notebook_unit(
        "nb", "nb.ipynb", 1, [("c0", "s = '😀'; w.data.zero_()\n", 1), ("c1", "x\n", 1)]
    )
    placer = Placer(unit, split_lines(unit.text), PositionCodec(types.PositionEncodingKind.Utf16))
    uri, rng, start, end = placer.place(Range(1, 10, 2, 1))
    assert uri == "c0"
    assert rng.start == types.Position(0, 11)  # the emoji is two UTF-16 units
    assert rng.end == types.Position(0, len("s = '😀'; w.data.zero_()") + 1)
    assert start == (0, 10)
    assert end == (0, len("s = '😀'; w.data.zero_()"))
    plain = text_unit("f", "x = 1\n", "f.py", 1)
    codec = PositionCodec(types.PositionEncodingKind.Utf8)
    assert Placer(plain, ["é = 1"], codec).column(1, 1) == 2


def test_whole_text_edit_changes_only_the_middle() -> None:
    codec = PositionCodec()
    original = "a = 1\nw.data.mul_(2)\nb = 2\n"
    fixed = "a = 1\nwith torch.no_grad():\n    w.mul_(2)\nb = 2\n"
    edit = whole_text_edit(original, fixed, codec)
    assert edit.range.start.line == 1
    assert apply_text_edits(original, [edit]) == fixed
    assert apply_text_edits(original, [whole_text_edit(original, original, codec)]) == original


def test_suppressed_code_under_cursor() -> None:
    line = "x.data.zero_()  # noqa: AG001, AG004"
    start = line.index("AG004")
    assert suppressed_code_at(line, start + 2) == ("AG004", start, start + 5)
    assert suppressed_code_at(line, 3) is None
    ignore = "y  # autograd-lint: ignore[AG002]"
    assert suppressed_code_at(ignore, ignore.index("AG002"))[0] == "AG002"  # type: ignore[index]


def test_editor_settings_nested_or_top_level_with_bad_values_dropped() -> None:
    nested = parse_editor_settings(
        {"autograd-lint": {"select": "AG001, AG004", "runtimeCheck": "torch", "debounceMs": 20}}
    )
    assert nested.overrides == {"select": ("AG001", "AG004"), "runtime_check": "torch"}
    assert nested.debounce_ms == 20
    top = parse_editor_settings({"ignore": ["AG002"], "device": "gpu", "debounceMs": "soon"})
    assert top.overrides == {"ignore": ("AG002",)}
    assert top.debounce_ms == DEFAULT_DEBOUNCE_MS
    assert len(top.problems) == 2
    assert parse_editor_settings(None).overrides == {}
