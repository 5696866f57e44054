"""The report of a check: findings in the chosen format, the summary, warnings, refused
fixes and internal errors on stderr, and the exit status they add up to."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from autograd_lint.commands.common import EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, PROG
from autograd_lint.diagnostics import FileResult
from autograd_lint.output import TEXT_FORMATS


def confirmed_only(outcomes: Sequence[Any]) -> tuple[list[Any], str]:
    """The outcomes with only the rule findings a replay confirmed (errors such as E999 are
    always kept), and a sentence counting what was left out and why."""
    from dataclasses import replace

    left_out: dict[str, int] = {}
    kept_outcomes = []
    for outcome in outcomes:
        kept = []
        for diagnostic in outcome.result.diagnostics:
            status = diagnostic.confirmation.status if diagnostic.confirmation else "no witness"
            if not diagnostic.code.startswith("AG") or status == "confirmed":
                kept.append(diagnostic)
            else:
                reason = status.replace("_", " ")
                left_out[reason] = left_out.get(reason, 0) + 1
        result = replace(outcome.result, diagnostics=tuple(kept))
        kept_outcomes.append(replace(outcome, result=result))
    total = sum(left_out.values())
    if not total:
        return kept_outcomes, ""
    why = ", ".join(f"{count} {reason}" for reason, count in sorted(left_out.items()))
    noun = "finding" if total == 1 else "findings"
    return kept_outcomes, f"--confirmed-only: {total} {noun} not shown ({why})"


def report_outcomes(
    outcomes: Sequence[Any],
    options: Any,
    args: argparse.Namespace,
    stream: TextIO | None = None,
) -> int:
    """Print the report and the summary; the exit status for these outcomes."""
    from autograd_lint.output import render, render_statistics, render_summary

    quiet: bool = getattr(args, "quiet", False)
    results = [outcome.result for outcome in outcomes]
    fixed = sum(outcome.fixed for outcome in outcomes)
    if options.fix == "diff":
        report = "".join(outcome.diff for outcome in outcomes)
    elif getattr(args, "statistics", False):
        report = (
            render_statistics(results) if args.format in TEXT_FORMATS else json_statistics(results)
        )
    else:
        report = render(results, args.format)
        if args.format in ("text", "full", "concise") and not getattr(args, "output_file", None):
            from autograd_lint.output.colour import colourize, wants_colour

            if wants_colour(stream or sys.stdout):
                report = colourize(report)
    emit(report, getattr(args, "output_file", None), stream)
    for outcome in outcomes:
        for warning in outcome.warnings:
            print(f"{PROG}: warning: {outcome.result.path}:{warning}", file=sys.stderr)
        for reason in outcome.refused:
            print(f"{PROG}: {outcome.result.path}: fix not applied: {reason}", file=sys.stderr)
    if getattr(args, "show_fixes", False) and fixed:
        sys.stderr.write(render_fixes(outcomes))
    if args.format in TEXT_FORMATS and not quiet:
        if options.fix == "diff":
            would = f"Would fix {fixed} finding{'s' if fixed != 1 else ''}.\n" if fixed else ""
            sys.stderr.write(would or "No fixes available.\n")
        else:
            fix_hint = getattr(args, "fix_hint", True)
            sys.stderr.write(render_summary(results, fixed, fix_hint=fix_hint))
    errors = [outcome for outcome in outcomes if outcome.error]
    for outcome in errors:
        print(
            f"{PROG}: internal error while checking {outcome.result.path}: {outcome.error}",
            file=sys.stderr,
        )
        if args.verbose and outcome.error_traceback:
            sys.stderr.write(outcome.error_traceback)
    if errors:
        if not args.verbose:
            print(
                "hint: rerun with --verbose for the full traceback and report it", file=sys.stderr
            )
        return EXIT_ERROR
    if getattr(args, "exit_zero", False):
        return EXIT_CLEAN
    if getattr(args, "exit_non_zero_on_fix", False) and fixed:
        return EXIT_FINDINGS
    return EXIT_FINDINGS if any(result.diagnostics for result in results) else EXIT_CLEAN


def render_fixes(outcomes: Sequence[Any]) -> str:
    """``--show-fixes``: how many fixes went into each file (ruff prints the same list)."""
    lines = ["Fixed findings:"]
    for outcome in outcomes:
        if outcome.fixed:
            lines.append(f"  {outcome.result.path}: {outcome.fixed} fixed")
    return "".join(line + "\n" for line in lines)


def json_statistics(results: Sequence[FileResult]) -> str:
    from autograd_lint.output.text import render_statistics

    rows = []
    for line in render_statistics(results).splitlines():
        count, code, rest = line.split("\t", 2)
        marker, name = rest[:3], rest[4:]  # "[*] name" or "[ ] name"
        rows.append({"code": code, "name": name, "count": int(count), "fixable": marker == "[*]"})
    return json.dumps(rows, indent=2) + "\n"


def emit(report: str, output_file: str | None, stream: TextIO | None = None) -> None:
    """Write the report to ``--output-file`` (created with its folders) or stdout."""
    if output_file:
        target = Path(output_file)
        if target.parent != Path():
            target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(report, encoding="utf-8")
        return
    out = stream or sys.stdout
    out.write(report)
    out.flush()
