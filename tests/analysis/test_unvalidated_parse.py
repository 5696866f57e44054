"""libcst's parse without its per-node validation builds the same trees, and leaves
validation on for every node built outside it (or while another thread runs)."""

from __future__ import annotations

import threading
from pathlib import Path

import libcst as cst
import pytest

from autograd_lint.analysis import parse as parsing
from autograd_lint.analysis.parse import ParseFailure, parse

FILES = sorted((Path(__file__).resolve().parents[1] / "realworld").rglob("*.py"))[:60]


def test_the_trees_are_those_of_the_validated_parse() -> None:
    assert len(FILES) >= 30
    for path in FILES:
        text = path.read_text(encoding="utf-8")
        try:
            validated = cst.parse_module(text)
        except cst.ParserSyntaxError:
            continue
        tree = parse(text)
        assert tree.deep_equals(validated), path
        assert tree.code == text


def test_validation_is_back_after_a_parse_and_after_a_failed_one() -> None:
    checked = cst.CSTNode.__dict__["__post_init__"]
    parse("x = 1\n")
    with pytest.raises(ParseFailure):
        parse("def f(:\n    pass\n")
    assert cst.CSTNode.__dict__["__post_init__"] is checked
    with pytest.raises(cst.CSTValidationError):
        cst.Name("not a name")


def test_validation_stays_on_while_another_thread_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    checked = cst.CSTNode.__dict__["__post_init__"]
    seen: list[bool] = []
    real = cst.parse_module

    def spy(source: str) -> cst.Module:
        seen.append(cst.CSTNode.__dict__["__post_init__"] is checked)
        return real(source)

    monkeypatch.setattr(parsing.cst, "parse_module", spy)
    parse("x = 1\n")
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        parse("x = 1\n")
    finally:
        stop.set()
        thread.join()
    assert seen == [False, True]
