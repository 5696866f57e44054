"""Measure the linter on the real-world corpus.

    python tests/realworld/score.py [--json]

A positive file counts as found when one of its expected codes is reported anywhere in it
(a rule that is off by default, AG013, is turned on for the files that expect it, as a user
would with ``extend-select``); a clean file counts as flagged when any AG finding of the
default rule set is reported in it. A multi-file snippet (a
folder) counts as one: the findings of all its files together.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from corpus import CATEGORIES, Snippet, snippets

from autograd_lint.lint import DEFAULT_SETTINGS, lint_path
from autograd_lint.rules import RULES_BY_CODE


@dataclass(frozen=True)
class FileScore:
    key: str
    category: str
    expect: list[str]
    reported: list[str]
    hit: bool
    """For a positive: an expected code was reported. For a clean file: nothing was."""


@dataclass(frozen=True)
class Scores:
    files: list[FileScore]
    recall: dict[str, float]
    found: dict[str, int]
    total: dict[str, int]
    clean_total: int
    clean_flagged: int


def score_snippet(snippet: Snippet) -> FileScore:
    off_by_default = tuple(
        code
        for code in snippet.expect
        if code in RULES_BY_CODE and not RULES_BY_CODE[code].default_enabled
    )
    settings = DEFAULT_SETTINGS.merged(extend_select=off_by_default)
    reported = sorted(
        {
            d.code
            for path in snippet.files
            for d in lint_path(path, settings, witnesses=False).diagnostics
            if d.code.startswith("AG")
        }
    )
    hit = not reported if snippet.is_clean else any(code in reported for code in snippet.expect)
    return FileScore(snippet.key, snippet.category, list(snippet.expect), reported, hit)


def compute() -> Scores:
    files = [score_snippet(s) for s in snippets()]
    found = {c: sum(f.hit for f in files if f.category == c) for c in CATEGORIES}
    total = {c: sum(f.category == c for f in files) for c in CATEGORIES}
    recall = {c: (found[c] / total[c] if total[c] else 0.0) for c in CATEGORIES}
    clean = [f for f in files if f.category == "clean"]
    flagged = sum(not f.hit for f in clean)
    return Scores(files, recall, found, total, len(clean), flagged)


def render(scores: Scores) -> str:
    lines = [f"{'category':<8} {'found':>5} {'total':>5} {'recall':>7}"]
    for code in CATEGORIES:
        lines.append(
            f"{code:<8} {scores.found[code]:>5} {scores.total[code]:>5} {scores.recall[code]:>7.2f}"
        )
    lines.append(f"clean    flagged {scores.clean_flagged} of {scores.clean_total}")
    lines.append("")
    lines.append(f"{'file':<48} {'expect':<12} {'reported':<24} result")
    for f in scores.files:
        expect = ",".join(f.expect) or "clean"
        reported = ",".join(f.reported) or "-"
        if f.category == "clean":
            verdict = "ok" if f.hit else "FLAGGED"
        else:
            verdict = "found" if f.hit else "MISSED"
        lines.append(f"{f.key:<48} {expect:<12} {reported:<24} {verdict}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1].strip())
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    args = parser.parse_args(argv)
    scores = compute()
    if args.json:
        print(json.dumps(asdict(scores), indent=2))
    else:
        print(render(scores))
    return 0


if __name__ == "__main__":
    sys.exit(main())
