"""``autograd-lint verify PATH[:LINE]``: lint, replay each finding's witness, show the proof.

For a person who wants to know whether a finding is real before changing code: every
diagnosis is printed with its verdict (confirmed / not reproduced / not replayable), the
evidence the replay produced, and on request the witness script itself, which runs under
real torch unchanged and can be pasted into an issue.

Exit status (the same convention as ``check``, so scripts can treat both alike):

- ``0``: no findings (on LINE, if given);
- ``1``: at least one finding; the verdicts are in the output, not in the status;
- ``2``: usage error: a path that does not exist, a bad ``:LINE``, an unknown code in
  ``--select``/``--ignore``, an unreadable configuration.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from autograd_lint.config import (
    ConfigError,
    Settings,
    find_pyproject,
    load_settings,
    parse_code_list,
)
from autograd_lint.diagnostics import Confirmation, Diagnostic, Witness
from autograd_lint.isolation import failed_file
from autograd_lint.lint import lint_path

EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2

STATUS_WORDS = {
    "confirmed": "confirmed",
    "not_reproduced": "not reproduced",
    "not_replayable": "not replayable",
}


class UsageError(Exception):
    """A command line that cannot be carried out; reported with exit status 2."""


@dataclass(frozen=True)
class Target:
    """One ``PATH[:LINE]`` argument."""

    path: str
    line: int | None


@dataclass(frozen=True)
class Verified:
    """A diagnosis in a file with the verdict of its replay."""

    path: str
    diagnostic: Diagnostic
    confirmation: Confirmation


EPILOG = (
    "exit status: 0 no findings, 1 findings (each with its verdict: confirmed, "
    "not reproduced, not replayable), 2 usage error"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``verify``."""
    parser.epilog = EPILOG
    parser.add_argument(
        "targets",
        nargs="+",
        metavar="PATH[:LINE]",
        help="file or directory to verify; with :LINE only the findings on that line",
    )
    parser.add_argument(
        "--backend",
        choices=("mini", "torch"),
        default=None,
        help="replay on the embedded mini engine (default) or on real torch",
    )
    parser.add_argument(
        "--device",
        choices=("cpu", "cuda", "auto"),
        default=None,
        help="device for the torch backend; auto picks cuda when available (default: cpu)",
    )
    parser.add_argument("--show-witness", action="store_true", help="print each witness script")
    parser.add_argument("--format", choices=("text", "json"), default="text", dest="output_format")
    parser.add_argument(
        "--select", default=None, help="comma-separated codes or prefixes to report"
    )
    parser.add_argument("--ignore", default=None, help="comma-separated codes or prefixes to skip")
    parser.add_argument(
        "--timeout",
        type=_positive(float),
        default=10.0,
        help="seconds each witness may run (default: 10)",
    )
    parser.add_argument(
        "--memory-mb",
        type=_positive(int),
        default=1024,
        help="memory each witness may use (default: 1024)",
    )


def _positive(kind: type[float] | type[int]) -> Callable[[str], float]:
    def convert(text: str) -> float:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
        if value <= 0:
            raise argparse.ArgumentTypeError(f"must be positive: {text!r}")
        return value

    return convert


def parse_target(text: str) -> Target:
    """``model.py:12`` -> (``model.py``, 12); a path that itself contains ``:`` still works."""
    if Path(text).exists():
        return Target(text, None)
    head, sep, tail = text.rpartition(":")
    if sep and head:
        if not tail.isdigit() or int(tail) < 1:
            raise UsageError(f"{text}: LINE must be a positive integer")
        if not Path(head).exists():
            raise UsageError(f"{head}: no such file or directory")
        return Target(head, int(tail))
    raise UsageError(f"{text}: no such file or directory")


def _settings(args: argparse.Namespace, first_path: str) -> Settings:
    try:
        settings = load_settings(find_pyproject(Path(first_path)))
        select = parse_code_list(args.select, "--select") if args.select else None
        ignore = parse_code_list(args.ignore, "--ignore") if args.ignore else None
    except ConfigError as error:
        raise UsageError(str(error)) from error
    return settings.merged(select=select, ignore=ignore)


def _files(target: Target, settings: Settings) -> list[str]:
    if Path(target.path).is_dir():
        from autograd_lint.discovery import discover

        return discover([target.path], settings)
    return [target.path]


def verify(
    targets: Sequence[Target],
    settings: Settings,
    backend: str,
    device: str,
    timeout_s: float = 10.0,
    memory_mb: int = 1024,
) -> list[Verified]:
    """Lint the targets and replay every kept diagnosis (all witnesses in one sandbox batch)."""
    found: list[tuple[str, Diagnostic]] = []
    for target in targets:
        for path in _files(target, settings):
            try:
                result = lint_path(path, settings, witnesses=True)
            except Exception as error:  # this file is reported; the others are verified
                result = failed_file(path, "the analysis", error)
            found.extend(
                (result.path, d)
                for d in result.diagnostics
                if target.line is None or d.line == target.line
            )
    witnesses = [d.witness for _, d in found if d.witness is not None]
    verdicts = iter(_confirm_each(witnesses, backend, device, timeout_s, memory_mb))
    verified = []
    for path, diagnostic in found:
        if diagnostic.witness is None:
            shown = "cpu" if device == "auto" else device
            confirmation = Confirmation(
                "not_replayable", backend, shown, "this finding has no witness"
            )
        else:
            confirmation = next(verdicts)
        verified.append(Verified(path, diagnostic.with_(confirmation=confirmation), confirmation))
    return verified


def _confirm_each(
    witnesses: list[Witness], backend: str, device: str, timeout_s: float, memory_mb: int
) -> list[Confirmation]:
    """One verdict per witness: one batch, or when the batch fails, one witness at a time,
    so that a witness that breaks the replay costs only its own verdict."""
    from autograd_lint.runtime_check.replay import confirm_many

    if not witnesses:
        return []
    try:
        return list(confirm_many(witnesses, backend, device, timeout_s, memory_mb))
    except Exception:
        pass
    verdicts: list[Confirmation] = []
    for witness in witnesses:
        try:
            verdicts.extend(confirm_many([witness], backend, device, timeout_s, memory_mb))
        except Exception as error:
            shown = "cpu" if device == "auto" else device
            reason = f"runtime check failed: {type(error).__name__}: {error}"
            verdicts.append(Confirmation("not_replayable", backend, shown, reason))
    return verdicts


def _indent(text: str, prefix: str) -> str:
    """Lines broken where Python breaks them (a U+2028 in a string literal stays put)."""
    return "\n".join(prefix + line for line in _LINE_BREAK.split(text.rstrip("\r\n")))


_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def printable(text: str) -> str:
    """``text`` with what a terminal would act on written as Python escapes (``\\x1b``,
    ``\\u202e``): a witness quotes the file's string literals, and printing them raw would
    let a file recolour, retitle or reorder what the user reads. Tabs and newlines stay."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() or c in "\n\t" else repr(c)[1:-1] for c in text)


def _witness_text(witness: Witness) -> str:
    exp = witness.expectation
    lines = [_indent(witness.script, "        ")]
    if exp.kind == "raises":
        expected = f"raises {exp.exception or 'an exception'}" + (
            f": {exp.message}..." if exp.message else ""
        )
    elif exp.kind == "warns":
        expected = f"warns: {exp.message}..."
    elif exp.kind == "equals":
        expected = f"{exp.observe} == {exp.value}"
    else:
        expected = f"{exp.observe} differs from the control script:"
    lines.append(f"    expected: {expected}")
    if exp.kind == "differs" and exp.control_script is not None:
        lines.append(_indent(exp.control_script, "        "))
    return "\n".join(lines)


def render_text(verified: Sequence[Verified], show_witness: bool) -> str:
    """One block per diagnosis, then a summary line."""
    blocks = []
    for item in verified:
        d, c = item.diagnostic, item.confirmation
        where = c.backend if c.device == "cpu" else f"{c.backend}/{c.device}"
        block = [
            f"{item.path}:{d.line}:{d.column + 1}: {d.code} {d.message}",
            f"    {STATUS_WORDS.get(c.status, c.status)} ({where}): {c.evidence}",
        ]
        if show_witness and d.witness is not None:
            block += ["    witness:", _witness_text(d.witness)]
        blocks.append("\n".join(block))
    blocks.append(summary_line(verified))
    return printable("\n".join(blocks)) + "\n"


def summary_line(verified: Sequence[Verified]) -> str:
    if not verified:
        return "No findings."
    counts = Counter(str(item.confirmation.status) for item in verified)
    parts = [f"{counts.get(status, 0)} {word}" for status, word in STATUS_WORDS.items()]
    noun = "finding" if len(verified) == 1 else "findings"
    return f"{len(verified)} {noun}: " + ", ".join(parts) + "."


def render_json(verified: Sequence[Verified], show_witness: bool) -> str:
    """The ``check --format json`` object of each diagnosis, plus its witness and a summary.

    The witness is always included here: JSON is read by programs, which can ignore it.
    """
    from autograd_lint.output.json_format import diagnostic_object

    objects: list[dict[str, Any]] = []
    for item in verified:
        entry = diagnostic_object(item.path, item.diagnostic)
        witness = item.diagnostic.witness
        entry["witness"] = None
        if witness is not None:
            exp = witness.expectation
            entry["witness"] = {
                "script": witness.script,
                "description": witness.description,
                "expectation": {
                    "kind": exp.kind,
                    "exception": exp.exception,
                    "message": exp.message,
                    "observe": exp.observe,
                    "control_script": exp.control_script,
                    "value": exp.value,
                },
            }
        objects.append(entry)
    counts = Counter(str(item.confirmation.status) for item in verified)
    summary = {status: counts.get(status, 0) for status in STATUS_WORDS}
    return json.dumps({"results": objects, "summary": summary}, indent=2) + "\n"


def run(args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """The body of ``autograd-lint verify``; returns the exit status (see module docs)."""
    out = out or sys.stdout
    err = err or sys.stderr
    try:
        targets = [parse_target(text) for text in args.targets]
        settings = _settings(args, targets[0].path)
    except UsageError as error:
        err.write(f"autograd-lint verify: error: {error}\n")
        return EXIT_USAGE
    backend = args.backend or (
        settings.runtime_check if settings.runtime_check != "off" else "mini"
    )
    device = args.device or settings.device
    if backend == "mini" and device == "cuda":
        err.write(
            "autograd-lint verify: error: --device cuda needs --backend torch: "
            "the mini engine runs on the CPU only\n"
        )
        return EXIT_USAGE
    verified = verify(targets, settings, backend, device, args.timeout, args.memory_mb)
    if args.output_format == "json":
        out.write(render_json(verified, args.show_witness))
    else:
        out.write(render_text(verified, args.show_witness))
    return EXIT_FINDINGS if verified else EXIT_CLEAN
