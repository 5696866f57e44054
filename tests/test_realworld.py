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


_MAIN = """\
# source: https://example.org/snippet
# expect: AG010
# pitfall: the meter in meters.py keeps every iteration's loss tensor
import torch
import torch.nn as nn

from meters import Meter

model = nn.Linear(4, 1)
opt = torch.optim.SGD(model.parameters(), lr=0.1)
meter = Meter()
for _ in range(3):
    loss = model(torch.randn(2, 4)).pow(2).mean()
    opt.zero_grad()
    loss.backward()
    opt.step()
    meter.update(loss)
"""
_METERS = """\
class Meter:
    def __init__(self):
        self.sum = 0

    def update(self, val):
        self.sum += val
"""


def test_a_snippet_folder_is_one_snippet_run_and_scored_across_its_files(tmp_path: Path) -> None:
    """A bug that crosses modules: the folder's ``main.py`` carries the header and is run
    with its folder on ``sys.path``; the finding in the imported module counts for it."""
    folder = tmp_path / "AG010" / "meter_in_other_module"
    folder.mkdir(parents=True)
    (folder / "main.py").write_text(_MAIN, encoding="utf-8")
    (folder / "meters.py").write_text(_METERS, encoding="utf-8")
    (found,) = corpus.snippets(tmp_path)
    assert found.is_folder and found.key == "AG010/meter_in_other_module"
    assert [p.name for p in found.files] == ["main.py", "meters.py"]
    scored = _load("score").score_snippet(found)
    assert scored.hit and scored.reported == ["AG010"]
    ground = _load("ground_truth")
    assert ground.run_one(found, "assert meter.sum.grad_fn is not None", 60).status == "ran"
    assert ground.run_one(found, "assert meter.sum.grad_fn is None", 60).status == "check-failed"
    (folder / "meters.py").write_text(_METERS.replace("+= val", "+= val.item()"), "utf-8")
    assert not _load("score").score_snippet(found).hit  # the fixed program is not flagged


def test_a_snippet_folder_needs_its_entry_and_a_second_module(tmp_path: Path) -> None:
    folder = tmp_path / "AG010" / "incomplete"
    folder.mkdir(parents=True)
    (folder / "meters.py").write_text(_METERS, encoding="utf-8")
    with pytest.raises(corpus.CorpusError, match=r"main\.py"):
        corpus.snippets(tmp_path)
    (folder / "meters.py").unlink()
    (folder / "main.py").write_text(_MAIN, encoding="utf-8")
    with pytest.raises(corpus.CorpusError, match="two modules"):
        corpus.snippets(tmp_path)


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
