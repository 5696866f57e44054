"""The real-world corpus (tests/realworld): its bookkeeping, the linter's scores on it, and
(with torch) its ground truth."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

REALWORLD = Path(__file__).resolve().parent / "realworld"
MIN_PER_CATEGORY = 6
MIN_CLEAN = 25


def _load(name: str) -> ModuleType:
    sys.path.insert(0, str(REALWORLD))
    try:
        spec = importlib.util.spec_from_file_location(f"realworld_{name}", REALWORLD / f"{name}.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module  # dataclasses look their module up here
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(REALWORLD))


corpus = _load("corpus")


def test_truth_and_corpus_agree() -> None:
    snippets = corpus.snippets()  # every header parses, or this raises
    truth = corpus.load_truth()
    keys = {s.key for s in snippets}
    assert sorted(keys - truth.keys()) == [], "files without a truth.toml entry"
    assert sorted(truth.keys() - keys) == [], "truth.toml entries without a file"
    for snippet in snippets:
        outcome = truth[snippet.key].outcome
        if snippet.is_clean:
            assert outcome == "ok", f"{snippet.key}: a clean file must run without error"
        else:
            assert outcome in ("raises", "silent", "static"), f"{snippet.key}: a positive must fail"
    for category in corpus.CATEGORIES:
        count = sum(s.category == category for s in snippets)
        assert count >= MIN_PER_CATEGORY, f"{category}: {count} files"
    assert sum(s.is_clean for s in snippets) >= MIN_CLEAN


def test_scores_do_not_drop_below_floors() -> None:
    score = _load("score")
    floors = corpus.load_floors()
    scores = score.compute()
    dropped = {
        code: (scores.recall[code], floor)
        for code, floor in floors["recall"].items()
        if scores.recall[code] < floor - 1e-9
    }
    assert dropped == {}, f"recall below its floor (measured, floor): {dropped}"
    assert scores.clean_flagged <= floors["clean"]["max_flagged"], score.render(scores)


@pytest.mark.torch
def test_ground_truth_matches_torch() -> None:
    pytest.importorskip("torch", reason="the ground truth runs the corpus on real torch")
    result = subprocess.run(
        [sys.executable, str(REALWORLD / "ground_truth.py")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def test_no_true_finding_is_called_not_reproduced() -> None:
    """Every finding on the corpus is replayed on the mini engine: a verdict of "not
    reproduced" on a real pitfall would tell the user the bug is not there."""
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "autograd_lint",
            "check",
            str(REALWORLD),
            *("--runtime-check", "mini", "--format", "json", "--jobs", "2"),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 1, result.stderr[-2000:]
    findings = json.loads(result.stdout)
    verdicts = [(f.get("confirmation") or {}).get("status") for f in findings]
    wrong = [
        f"{f['filename']}:{f['location']['row']} {f['code']}"
        for f, verdict in zip(findings, verdicts, strict=True)
        if verdict == "not_reproduced"
    ]
    assert wrong == []
    floors = corpus.load_floors()
    assert verdicts.count("confirmed") >= floors["replay"]["min_confirmed"]
