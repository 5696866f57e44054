"""Generated and mutated programs run through the real ``check`` (and ``check --fix``).

Each program is one of: a ``match`` statement next to findings; deep nesting of one kind
(``lambda:``, unary operators, ``not``, conditional expressions, ``**``, brackets, calls,
subscripts, blocks); odd whitespace (form feeds, lone ``\\r``, ``\\r\\n``, U+2028, vertical
tabs); long literals; or a real file from ``tests/realworld`` or the bundled examples,
mutated (lines deleted, duplicated, swapped, re-indented, cut, characters inserted).

Every program that CPython compiles starts with a known finding (``_fuzz_w``) and ends with
another (``_fuzz_end``), so what must come back is known without a second implementation:

- no crash: the command exits 0 or 1 (never 2, never a signal), no E001 internal error;
- no lost file: every file of a multi-file run is in the report (a finding, E999 or E902);
- no hang: each batch finishes within its time limit;
- no false syntax error: a program CPython's own ``compile`` accepts is never E999 (except
  the deliberate "too deeply nested to analyse");
- positions as Python counts lines: the closing finding is reported on its own line;
- ``--fix`` keeps every file that compiled compiling, and keeps its form feeds (the text
  libcst parses has some removed; that text is never written back).

The suite runs a small fixed-seed budget (``tests/test_fuzz.py``); a larger run:

    python tests/fuzz_programs.py --programs 5000 --seed 1 --batch 100 --jobs 2
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPUS_DIRS = [REPO / "tests" / "realworld", REPO / "autograd_lint" / "examples"]
LINE_BREAK = re.compile(r"\r\n|\r|\n")

OPENING = """\
import torch as _fuzz_torch
_fuzz_w = _fuzz_torch.randn(3, requires_grad=True)
_fuzz_y = (_fuzz_w * _fuzz_w).sum()
_fuzz_w.data.mul_(10)
_fuzz_y.backward()
"""
CLOSING = """\
import torch as _fuzz_torch
_fuzz_end = _fuzz_torch.randn(3, requires_grad=True)
_fuzz_endy = (_fuzz_end * _fuzz_end).sum()
_fuzz_end.data.mul_(10)
_fuzz_endy.backward()
"""
CLOSING_WRITE_LINE = 4
"""Line of ``_fuzz_end.data.mul_(10)`` within :data:`CLOSING`."""

BODY = """\
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 2)

    def forward(self, x):
        return torch.sigmoid(self.fc(x))


def train(model, batches, opt):
    history = []
    for step, x in enumerate(batches):
        loss = model(x).sum()
        loss.backward()
        opt.step()
        history.append(model.fc.weight.clone())
    return history
"""

PATTERNS = [
    "0",
    "[x, *rest]",
    "{'k': v, **kw}",
    "Point(x=0, y=y)",
    "(1 | 2 | 3) as n",
    "str() | bytes()",
    "[_, [_, _]]",
    "x if x > 0",
    "None",
    "-1.5",
    "'a' 'b'",
    "{1: _, 2: [*_]}",
]

MATCH_ACTIONS = [
    "w.data.mul_(2)",
    "y.backward()",
    "snap = w.clone()",
    "w.add_(1)",
    "pass",
    "return w",
    "x = lambda: w * 2",
]


@dataclass
class Program:
    name: str
    kind: str
    source: str
    compiles: bool
    closing_line: int | None = None
    """Line the closing finding must be reported on (None: no closing finding)."""


def _nesting(kind: str, depth: int) -> str:
    shapes: dict[str, Callable[[int], str]] = {
        "lambda": lambda n: "x = " + "lambda: " * n + "1\n",
        "minus": lambda n: "x = " + "-" * n + "1\n",
        "invert": lambda n: "x = " + "~" * n + "1\n",
        "not": lambda n: "x = " + "not " * n + "1\n",
        "ternary": lambda n: "x = " + "1 if w else " * n + "1\n",
        "power": lambda n: "x = " + "2 ** " * n + "1\n",
        "paren": lambda n: "x = " + "(" * n + "w" + ")" * n + "\n",
        "list": lambda n: "x = " + "[" * n + "w" + "]" * n + "\n",
        "dict": lambda n: "x = " + "{1: " * n + "w" + "}" * n + "\n",
        "call": lambda n: "x = " + "f(" * n + "w" + ")" * n + "\n",
        "subscript": lambda n: "x = w" + "[0]" * n + "\n",
        "attribute": lambda n: "x = w" + ".grad" * n + "\n",
        "sum": lambda n: "x = " + " + ".join(["w"] * n) + "\n",
        "mixed": lambda n: (
            "x = "
            + "".join(("-", "not ", "(", "lambda: ")[i % 4] for i in range(n))
            + "1"
            + ")" * ((n + 1) // 4)
            + "\n"
        ),
        "blocks": lambda n: (
            "".join("    " * i + "if w:\n" for i in range(n)) + "    " * n + "pass\n"
        ),
    }
    return "import torch\nw = torch.ones(2, requires_grad=True)\n" + shapes[kind](depth)


NESTING_KINDS = [
    "lambda",
    "minus",
    "invert",
    "not",
    "ternary",
    "power",
    "paren",
    "list",
    "dict",
    "call",
    "subscript",
    "attribute",
    "sum",
    "mixed",
    "blocks",
]


def _match_program(rng: random.Random) -> str:
    cases = []
    for _ in range(rng.randint(1, 5)):
        action = rng.choice(MATCH_ACTIONS)
        cases.append(f"        case {rng.choice(PATTERNS)}:\n            {action}\n")
    cases.append("        case _:\n            pass\n")
    nested = rng.random() < 0.3
    inner = "".join(cases)
    if nested:
        inner = inner.replace(
            "            pass\n",
            "            match w:\n                case _:\n"
            + "                    w.data.zero_()\n",
            1,
        )
    return (
        "import torch\n\n"
        "w = torch.randn(3, requires_grad=True)\n"
        "y = (w * w).sum()\n\n"
        "def handle(cmd):\n"
        "    match cmd:\n" + inner + "    return None\n\n"
        f"handle({rng.choice(['1', '[1, 2]', 'dict(k=1)', 'None'])})\n"
        "y.backward()\n"
    )


def _odd_whitespace(rng: random.Random, source: str) -> str:
    lines = LINE_BREAK.split(source)
    out = []
    for line in lines:
        roll = rng.random()
        if roll < 0.1 and line:
            out.append("\f" + line)  # a form feed at the start of a line is indentation reset
        elif roll < 0.15:
            out.append(line + "  # note\u2028still the comment")
        elif roll < 0.2:
            out.append(line + "  # tab\there\vvertical\x0cfeed")
        elif roll < 0.23 and line.strip():
            out.append(line + " " * rng.randint(1, 8))
        else:
            out.append(line)
    newline = rng.choice(["\n", "\r\n", "\r", "mixed"])
    if newline != "mixed":
        return newline.join(out)
    text = ""
    for line in out:
        text += line + rng.choice(["\n", "\r\n", "\r"])
    return text


def _long_literal(rng: random.Random) -> str:
    size = rng.choice([100, 4300, 5000, 20000, 100_000])
    literal = rng.choice(
        [
            "1" * size,
            "0x" + "f" * size,
            "'" + "a" * size + "'",
            "b'" + "z" * size + "'",
            "1." + "5" * size,
            "'''" + ("line\n" * (size // 5)) + "'''",
            "[" + ", ".join(["1"] * (size // 3)) + "]",
        ]
    )
    return f"import torch\nw = torch.ones(2, requires_grad=True)\nx = {literal}\nw.data = w * 2\n"


def _corpus() -> list[str]:
    files: list[str] = []
    for directory in CORPUS_DIRS:
        files.extend(
            p.read_text(encoding="utf-8")
            for p in sorted(directory.rglob("*.py"))
            if "__future__" not in p.read_text(encoding="utf-8")
        )
    return files


def _mutate(rng: random.Random, source: str) -> str:
    lines = source.split("\n")
    for _ in range(rng.randint(1, 4)):
        if not lines:
            break
        i = rng.randrange(len(lines))
        what = rng.randrange(8)
        if what == 0:
            del lines[i]
        elif what == 1:
            lines.insert(i, lines[i])
        elif what == 2:
            j = rng.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
        elif what == 3:
            lines[i] = "    " + lines[i]
        elif what == 4:
            lines[i] = lines[i].lstrip()
        elif what == 5:
            lines = lines[: i + 1]
        elif what == 6 and lines[i]:
            k = rng.randrange(len(lines[i]) + 1)
            lines[i] = lines[i][:k] + rng.choice("()[]{}:\\\f#'\"\t;@") + lines[i][k:]
        else:
            lines[i] = "\f" + lines[i]
    return "\n".join(lines)


def _compiles(source: str) -> bool:
    try:
        compile(source, "<fuzz>", "exec", dont_inherit=True)
    except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError):
        return False
    return True


def generate(seed: int, count: int) -> Iterator[Program]:
    """``count`` programs, the same ones for the same seed."""
    corpus = _corpus()
    for index in range(count):
        rng = random.Random(f"{seed}:{index}")
        kind = rng.choice(["match", "nesting", "whitespace", "literal", "mutated", "mutated"])
        if kind == "match":
            body = _match_program(rng)
        elif kind == "nesting":
            shape = rng.choice(NESTING_KINDS)
            limit = 120 if shape == "blocks" else 12000
            body = _nesting(shape, min(limit, rng.choice([3, 30, 100, 500, 2000, 6000, 12000])))
            kind = f"nesting-{shape}"
        elif kind == "whitespace":
            body = _odd_whitespace(rng, rng.choice([BODY, _match_program(rng), *corpus[:20]]))
        elif kind == "literal":
            body = _long_literal(rng)
        else:
            body = _mutate(rng, rng.choice(corpus))
            if rng.random() < 0.3:
                body = _odd_whitespace(rng, body)
        yield _wrap(f"p{seed}_{index:05d}_{kind}.py", kind, body)


def _wrap(name: str, kind: str, body: str) -> Program:
    """The program with its opening and closing findings, where it compiles with them."""
    if not body.endswith(("\n", "\r")):
        body += "\n"
    wrapped = OPENING + body + CLOSING
    if _compiles(wrapped):
        lines_before = len(LINE_BREAK.findall(OPENING + body))
        return Program(name, kind, wrapped, True, lines_before + CLOSING_WRITE_LINE)
    return Program(name, kind, body, _compiles(body))


@dataclass
class Report:
    programs: int = 0
    batches: int = 0
    seconds: float = 0.0
    kinds: dict[str, int] = field(default_factory=dict)
    crashes: list[str] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)
    hangs: list[str] = field(default_factory=list)
    misplaced: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    """Programs CPython's own ``compile`` accepts but the checker reports as E999."""
    too_deep: int = 0
    """Programs refused on purpose as too deeply nested to analyse (a reported E999)."""
    broken_by_fix: list[str] = field(default_factory=list)

    @property
    def failures(self) -> list[str]:
        return (
            self.crashes
            + self.lost
            + self.hangs
            + self.misplaced
            + self.rejected
            + self.broken_by_fix
        )

    def summary(self) -> str:
        return (
            f"{self.programs} programs in {self.batches} batches, {self.seconds:.0f} s: "
            f"{len(self.crashes)} crashes, {len(self.lost)} lost files, {len(self.hangs)} hangs, "
            f"{len(self.misplaced)} misplaced findings, {len(self.rejected)} valid files called "
            f"syntax errors, {len(self.broken_by_fix)} broken by --fix; "
            f"{self.too_deep} refused as too deep"
        )


def _command(*argv: str) -> list[str]:
    return [sys.executable, "-m", "autograd_lint", *argv]


def _environment() -> dict[str, str]:
    environment = dict(os.environ)
    environment["PYTHONPATH"] = os.pathsep.join(
        [str(REPO), *filter(None, [environment.get("PYTHONPATH")])]
    )
    environment["NO_COLOR"] = "1"
    return environment


def run_batch(
    programs: list[Program], directory: Path, report: Report, jobs: int, fix: bool
) -> None:
    """Check (and, with ``fix``, fix) one batch of programs in one run of the command."""
    directory.mkdir(parents=True)
    for program in programs:
        (directory / program.name).write_bytes(program.source.encode("utf-8"))
    limit = 60 + 3 * len(programs)
    argv = ["check", "--no-progress", "--output-format", "json", "--jobs", str(jobs)]
    argv += ["--fix"] if fix else []
    label = f"batch {programs[0].name}..{programs[-1].name}"
    try:
        completed = subprocess.run(
            _command(*argv, "."),
            cwd=directory,
            env=_environment(),
            capture_output=True,
            timeout=limit,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        report.hangs.append(f"{label}: no answer within {limit} s")
        return
    stderr = completed.stderr.decode("utf-8", "replace")
    if completed.returncode not in (0, 1):
        report.crashes.append(f"{label}: exit {completed.returncode}: {stderr[-2000:]}")
        return
    try:
        findings = json.loads(completed.stdout)
    except ValueError:
        report.crashes.append(f"{label}: the JSON report does not parse: {stderr[-500:]}")
        return
    by_file: dict[str, list[dict[str, object]]] = {}
    for finding in findings:
        by_file.setdefault(Path(str(finding["filename"])).name, []).append(finding)
    for program in programs:
        found = by_file.get(program.name, [])
        codes = {str(f["code"]) for f in found}
        if "E001" in codes:
            report.crashes.append(f"{program.name}: internal error: {found}")
        if not found:
            report.lost.append(f"{program.name}: not in the report")
        if program.compiles and "E999" in codes:
            message = next(str(f["message"]) for f in found if f["code"] == "E999")
            if "too deeply nested" in message:
                report.too_deep += 1
            else:
                report.rejected.append(f"{program.name}: compiles, but reported as {message}")
        text = (directory / program.name).read_bytes().decode("utf-8")
        if program.closing_line is not None:
            _check_closing(program, text, found, report)
        if fix and program.compiles:
            if not _compiles(text):
                report.broken_by_fix.append(
                    f"{program.name}: --fix left a file that does not compile"
                )
            elif text.count("\f") < program.source.count("\f"):
                report.broken_by_fix.append(f"{program.name}: --fix dropped form feeds")


def _check_closing(
    program: Program, text: str, found: list[dict[str, object]], report: Report
) -> None:
    """The closing finding is on its line: of the generated text, or of the text ``--fix``
    left (a fix above it may have added lines; the closing lines are never changed)."""
    expected = program.closing_line
    if text != program.source:
        end = text.rfind(CLOSING)
        if end < 0:
            report.broken_by_fix.append(f"{program.name}: --fix changed the closing lines")
            return
        expected = len(LINE_BREAK.findall(text[:end])) + CLOSING_WRITE_LINE
    rows = [
        f["location"]["row"]  # type: ignore[index]
        for f in found
        if "`_fuzz_end`" in str(f["message"]) and f["code"] == "AG001"
    ]
    if rows and expected not in rows:
        report.misplaced.append(
            f"{program.name}: closing finding on line {rows}, expected {expected}"
        )


def fuzz(
    seed: int,
    count: int,
    batch: int = 50,
    jobs: int = 1,
    fix_every: int = 2,
    keep: Path | None = None,
) -> Report:
    """Generate ``count`` programs and check them ``batch`` at a time; every ``fix_every``-th
    batch is run with ``--fix`` (0: never)."""
    report = Report()
    started = time.perf_counter()
    programs = list(generate(seed, count))
    for program in programs:
        family = program.kind.split("-")[0]
        report.kinds[family] = report.kinds.get(family, 0) + 1
    root = Path(tempfile.mkdtemp(prefix="autograd-lint-fuzz-"))
    try:
        for number, start in enumerate(range(0, len(programs), batch)):
            chunk = programs[start : start + batch]
            fix = bool(fix_every) and number % fix_every == fix_every - 1
            run_batch(chunk, root / f"batch{number:04d}", report, jobs, fix)
            report.batches += 1
            report.programs += len(chunk)
    finally:
        if keep is not None:
            shutil.copytree(root, keep, dirs_exist_ok=True)
        shutil.rmtree(root, ignore_errors=True)
    report.seconds = time.perf_counter() - started
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--programs", type=int, default=500)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--batch", type=int, default=50, help="programs per run of check")
    parser.add_argument("--jobs", type=int, default=1, help="check --jobs")
    parser.add_argument("--fix-every", type=int, default=2, help="every N-th batch with --fix")
    parser.add_argument("--keep", type=Path, help="copy the generated programs here")
    args = parser.parse_args()
    report = fuzz(args.seed, args.programs, args.batch, args.jobs, args.fix_every, args.keep)
    print("kinds:", ", ".join(f"{k} {v}" for k, v in sorted(report.kinds.items())))
    for failure in report.failures:
        print("FAIL", failure[:3000])
    print(report.summary())
    return 1 if report.failures else 0


if __name__ == "__main__":
    sys.exit(main())
