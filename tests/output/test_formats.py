"""Each report format carries every field of a finding, in the shape its consumers expect."""

from __future__ import annotations

import json

from autograd_lint.diagnostics import FileResult
from autograd_lint.output import render, render_statistics, render_summary


def test_text_is_flake8_style_with_one_based_columns(results: list[FileResult]) -> None:
    lines = render(results, "text").splitlines()
    assert lines[0] == (
        "src/train.py:3:1: AG001 `w.data.mul_` changes `w` behind autograd's back [confirmed: mini]"
    )
    assert lines[1] == "    src/train.py:2:6: note: saved for backward here"
    assert lines[2].startswith("src/train.py:7:5: AG005 clone keeps history")
    assert lines[-1] == ("dir with space/ü.py:1:1: AG004 second backward through a freed graph")
    assert "[not reproduced: torch/cuda]" in render(results, "text")


def test_text_summary_counts_findings_and_fixables(results: list[FileResult]) -> None:
    summary = render_summary(results)
    assert "Found 3 findings in 2 files." in summary
    assert "2 fixable with the `--fix` option." in summary
    assert render_summary([FileResult("a.py", ())]) == "All checks passed!\n"
    assert "Fixed 2 findings." in render_summary([FileResult("a.py", ())], fixed=2)


def test_statistics_count_per_code(results: list[FileResult]) -> None:
    doubled = [*results, results[0]]
    lines = render_statistics(doubled).splitlines()
    assert lines[0].split("\t") == ["2", "AG001", "[*] data-mutation"]
    assert [line.split("\t")[1] for line in lines] == ["AG001", "AG005", "AG004"]
    assert lines[2].split("\t")[2] == "[ ] repeated-backward"  # AG004's fix is only offered
    assert render_statistics([]) == ""


def test_json_objects_have_every_field(results: list[FileResult]) -> None:
    objects = json.loads(render(results, "json"))
    assert [o["code"] for o in objects] == ["AG001", "AG005", "AG004"]
    first = objects[0]
    assert set(first) >= {
        "code",
        "message",
        "filename",
        "location",
        "end_location",
        "severity",
        "fix",
        "related",
        "confirmation",
    }
    assert first["filename"] == "src/train.py"
    assert first["location"] == {"row": 3, "column": 1}
    assert first["end_location"] == {"row": 3, "column": 17}
    assert first["severity"] == "error"
    assert first["fix"]["applicability"] == "safe"
    assert first["fix"]["edits"][0]["content"].startswith("with torch.no_grad():")
    assert first["related"] == [
        {
            "message": "saved for backward here",
            "filename": "src/train.py",
            "location": {"row": 2, "column": 6},
            "end_location": {"row": 2, "column": 11},
        }
    ]
    assert first["confirmation"] == {
        "status": "confirmed",
        "backend": "mini",
        "device": "cpu",
        "evidence": "w.grad differs",
    }
    assert objects[2]["fix"]["applicability"] == "unsafe"
    assert objects[2]["confirmation"] is None
    assert json.loads(render([], "json")) == []


def test_github_workflow_commands_escape_properly(results: list[FileResult]) -> None:
    lines = render(results, "github").splitlines()
    assert lines[0] == (
        "::error file=src/train.py,line=3,col=1,endLine=3,endColumn=17,title=AG001::"
        "`w.data.mul_` changes `w` behind autograd's back [confirmed: mini]"
    )
    assert lines[1].startswith("::warning file=src/train.py,line=7,col=5,")
    assert lines[1].endswith(
        "::clone keeps history, with: comma %25 and%0Anewline [not reproduced: torch/cuda]"
    )
    assert lines[2].startswith("::notice file=dir with space/ü.py,line=1,col=1,")
    assert len(lines) == 3
