"""The ``autograd-lint`` command: ``check``, ``rule``, ``example``, ``verify``, ``server``.

Thin by design: it turns flags into :class:`~autograd_lint.config.Settings` and
:class:`~autograd_lint.runner.CheckOptions`, hands files to the runner and results to a
formatter. ``verify`` and ``server`` are imported only when used, so a problem in either
never stops ``check`` from working.

Exit codes: 0 no findings, 1 findings (after ``--fix``: the ones left), 2 usage,
configuration or internal error.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
import traceback
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, TextIO

from autograd_lint import __version__
from autograd_lint.config import (
    DEVICE_CHOICES,
    RUNTIME_CHECK_MODES,
    ConfigError,
    Settings,
    find_pyproject,
    load_settings,
    parse_code_list,
)
from autograd_lint.diagnostics import FileResult
from autograd_lint.output import TEXT_FORMATS

EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2
PROG = "autograd-lint"
EXAMPLE_RESOURCE = ("examples", "training_pitfalls.py")


class UsageError(Exception):
    """A combination of flags that cannot work; reported like an argparse error (exit 2)."""


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script and of ``python -m autograd_lint``."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments[:1] == ["server"]:
        # The server parses its own flags (--stdio, --tcp HOST:PORT); pass them through as-is.
        return run_server(arguments[1:])
    verbose = "--verbose" in arguments or "-v" in arguments
    try:
        parser = build_parser(with_verify=arguments[:1] == ["verify"])
    except ImportError as error:
        return fail(f"the verify command is not available: {error}", verbose)
    args = parser.parse_args(arguments)
    # -v may come before or after the command; argparse's subparser default would hide it.
    args.verbose = verbose or getattr(args, "verbose", False)
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_ERROR
    try:
        return int(args.handler(args))
    except (ConfigError, UsageError) as error:
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except Exception as error:  # the promise: a short message, a traceback only on request
        return fail(f"internal error: {type(error).__name__}: {error}", args.verbose)


def fail(message: str, verbose: bool) -> int:
    print(f"{PROG}: {message}", file=sys.stderr)
    if verbose:
        traceback.print_exc()
    else:
        print(
            "hint: rerun with --verbose for the full traceback and report it at "
            "https://github.com/autograd-lint/autograd-lint/issues",
            file=sys.stderr,
        )
    return EXIT_ERROR


# --- the parser ------------------------------------------------------------------------------


def build_parser(with_verify: bool = False) -> argparse.ArgumentParser:

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "-v", "--verbose", action="store_true", help="show tracebacks of internal errors"
    )
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Find PyTorch autograd pitfalls, and prove each finding by replaying it.",
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    check = sub.add_parser(
        "check", parents=[common], help="lint files and directories", description=CHECK_HELP
    )
    check.add_argument(
        "paths", nargs="*", metavar="PATH", help="default: . ('-' reads standard input)"
    )
    check.add_argument(
        "--stdin-filename",
        metavar="PATH",
        help="the file standard input stands for (configuration, ignores, reported name)",
    )
    check.add_argument("--select", metavar="CODES", help="comma list of codes or prefixes")
    check.add_argument(
        "--extend-select", metavar="CODES", help="codes or prefixes to enable on top of select"
    )
    check.add_argument("--ignore", metavar="CODES", help="comma list of codes or prefixes")
    add_format_flag(check)
    check.add_argument(
        "--exit-zero", action="store_true", help="exit 0 even when there are findings"
    )
    check.add_argument(
        "--exit-non-zero-on-fix",
        action="store_true",
        help="with --fix: exit 1 when a fix was applied, even if nothing is left",
    )
    check.add_argument(
        "--show-fixes", action="store_true", help="list the fixes applied, per file and code"
    )
    check.add_argument("--fix", action="store_true", help="apply safe fixes in place")
    check.add_argument(
        "--diff", action="store_true", help="print the fixes as a diff instead of writing them"
    )
    check.add_argument(
        "--unsafe-fixes",
        action="store_true",
        help="with --fix or --diff: also apply fixes that are only offered",
    )
    check.add_argument("--statistics", action="store_true", help="counts per code")
    check.add_argument(
        "--jobs", "-j", type=non_negative_int, default=1, metavar="N", help="0: one per CPU"
    )
    check.add_argument("--config", metavar="PATH", help="pyproject.toml or autograd-lint.toml")
    check.add_argument("--preview", action="store_true", help="also report preview findings")
    check.add_argument(
        "--no-follow-imports",
        action="store_true",
        help="analyse each file alone (do not follow imports of the project's own modules)",
    )
    check.add_argument(
        "--force-exclude",
        action="store_true",
        help="apply exclude patterns to files named explicitly too (for pre-commit)",
    )
    add_runtime_flags(check)
    check.add_argument(
        "--add-noqa",
        action="store_true",
        help="add `# noqa: CODE` to every line with findings (a baseline for existing code)",
    )
    check.add_argument(
        "--confirmed-only",
        action="store_true",
        help="report only findings the runtime check confirmed (implies --runtime-check mini)",
    )
    check.add_argument(
        "--no-cache", action="store_true", help="neither read nor write the result cache"
    )
    check.add_argument(
        "--cache-dir",
        metavar="DIR",
        help="result cache folder (default: $AUTOGRAD_LINT_CACHE_DIR, else "
        ".autograd_lint_cache beside the configuration)",
    )
    check.add_argument("--no-progress", action="store_true", help="never show a progress bar")
    check.add_argument("--quiet", "-q", action="store_true", help="only the findings")
    check.add_argument("--output-file", "-o", metavar="PATH", help="write the report here")
    check.set_defaults(handler=run_check)

    rule = sub.add_parser("rule", parents=[common], help="show a rule's documentation")
    rule.add_argument("code", nargs="?", help="e.g. AG001 or data-mutation")
    rule.add_argument("--all", action="store_true", help="list every rule")
    rule.add_argument(
        "--output-format", "--format", dest="format", choices=("text", "json"), default="text"
    )
    rule.set_defaults(handler=run_rule)

    example = sub.add_parser(
        "example",
        parents=[common],
        help="check the bundled example training script",
        description="Check a bundled training script that contains each pitfall "
        "(runtime check on the mini engine when available).",
    )
    add_format_flag(example)
    add_runtime_flags(example)
    example.add_argument("--show-path", action="store_true", help="print the script's path")
    example.set_defaults(handler=run_example)

    if with_verify:
        verify_cmd = importlib.import_module("autograd_lint.runtime_check.verify_cmd")
        verify = sub.add_parser("verify", parents=[common], help="replay findings to prove them")
        verify_cmd.add_arguments(verify)
        verify.set_defaults(handler=verify_cmd.run)
    else:
        sub.add_parser("verify", help="replay findings to prove them", add_help=False)
    sub.add_parser("server", help="run the language server (--stdio, --tcp HOST:PORT)")
    return parser


CHECK_HELP = """\
Lint Python files for autograd pitfalls. Exit status: 0 no findings, 1 findings,
2 usage, configuration or internal error."""


def add_format_flag(parser: argparse.ArgumentParser) -> None:
    """``--output-format`` as ruff names it; ``--format`` is kept as an alias."""
    from autograd_lint.output import FORMATS

    parser.add_argument(
        "--output-format",
        "--format",
        dest="format",
        choices=FORMATS,
        default="text",
        help="report format (text is full: findings with their notes)",
    )


def add_runtime_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--runtime-check",
        choices=RUNTIME_CHECK_MODES,
        help="replay each finding's witness: off, on the mini engine, or on torch",
    )
    parser.add_argument("--device", choices=DEVICE_CHOICES, help="device for --runtime-check")


def non_negative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 (one per CPU) or more")
    return value


# --- check -----------------------------------------------------------------------------------


def resolve_settings(args: argparse.Namespace, start: Path | None = None) -> tuple[Settings, Path]:
    """The configuration file's settings with the flags on top, and the directory it is in.

    The configuration is searched from ``start`` (default: the working directory).
    """
    if args.config:
        path = Path(args.config)
        if not path.is_file():
            raise ConfigError(f"{path}: configuration file not found")
        settings, root = load_settings(path), path.resolve().parent
    else:
        found = find_pyproject(start or Path.cwd())
        settings = load_settings(found)
        root = found.parent if found else Path.cwd()
    changes: dict[str, Any] = {
        "select": parse_code_list(args.select, "--select") if args.select is not None else None,
        "extend_select": (
            settings.extend_select + parse_code_list(args.extend_select, "--extend-select")
            if getattr(args, "extend_select", None) is not None
            else None
        ),
        "ignore": parse_code_list(args.ignore, "--ignore") if args.ignore is not None else None,
        "preview": True if args.preview else None,
        "force_exclude": True if getattr(args, "force_exclude", False) else None,
        "follow_imports": False if getattr(args, "no_follow_imports", False) else None,
        "runtime_check": args.runtime_check,
        "device": args.device,
    }
    return settings.merged(**changes), root


def run_check(args: argparse.Namespace) -> int:
    from autograd_lint.discovery import Discovery
    from autograd_lint.runner import RuntimeCheckUnavailable, load_confirm

    if args.unsafe_fixes and not (args.fix or args.diff):
        raise UsageError("--unsafe-fixes only applies together with --fix or --diff")
    if args.fix and args.diff:
        raise UsageError("--fix and --diff cannot be combined: --diff never writes")
    if args.statistics and args.format not in (*TEXT_FORMATS, "json"):
        raise UsageError("--statistics works with the text formats or json")
    if args.exit_non_zero_on_fix and not args.fix:
        raise UsageError("--exit-non-zero-on-fix only applies together with --fix")
    stdin_name = getattr(args, "stdin_filename", None)
    paths = args.paths or (["-"] if stdin_name else ["."])
    reads_stdin = "-" in paths
    if reads_stdin and len(paths) > 1:
        raise UsageError("'-' (standard input) cannot be combined with other paths")
    start = Path(stdin_name).absolute().parent if reads_stdin and stdin_name else None
    settings, root = resolve_settings(args, start)
    if args.confirmed_only:
        if args.fix or args.diff:
            raise UsageError(
                "--confirmed-only filters the report: it cannot be combined with --fix or --diff"
            )
        if settings.runtime_check == "off":
            settings = settings.merged(runtime_check="mini")
    if settings.runtime_check == "mini" and settings.device == "cuda":
        raise UsageError(
            "--device cuda needs --runtime-check torch: the mini engine runs on the CPU only"
        )
    if settings.runtime_check != "off":
        try:
            load_confirm()
        except RuntimeCheckUnavailable as error:
            raise UsageError(str(error)) from error
    if args.add_noqa and (args.fix or args.diff or reads_stdin):
        raise UsageError("--add-noqa edits files in place: not with --fix, --diff or stdin")
    if reads_stdin:
        return check_stdin(args, settings, root)
    files = Discovery(settings, root).files(paths)
    if args.add_noqa:
        return add_noqa_to(files, settings, quiet=args.quiet)
    if not files:
        if not args.quiet:
            print(f"{PROG}: warning: no Python files found", file=sys.stderr)
        return EXIT_CLEAN
    from autograd_lint.cache import cache_directory

    options = check_options(args, settings, checked_tree(root, paths))
    options = replace(options, cache_dir=cache_directory(args.cache_dir, args.no_cache, root))
    return check_and_report(files, options, args)


def add_noqa_to(files: list[str], settings: Settings, quiet: bool) -> int:
    """``check --add-noqa``: mark each current finding with a directive on its line."""
    from autograd_lint.add_noqa import add_noqa
    from autograd_lint.fixes import read_source, write_atomic
    from autograd_lint.lint import lint_source
    from autograd_lint.notebook import is_notebook

    added = 0
    for path in files:
        if is_notebook(path):
            continue  # cells are edited through --fix only; a notebook keeps its JSON
        try:
            source, bom = read_source(path)
        except (OSError, UnicodeDecodeError) as error:
            print(f"{PROG}: {path}: not read: {error}", file=sys.stderr)
            continue
        result = lint_source(source, path, settings, witnesses=False)
        edit = add_noqa(source, result.diagnostics)
        if edit.skipped:
            print(
                f"{PROG}: {path}: {edit.skipped} line(s) cannot take a comment "
                "(continued or inside a string): not marked",
                file=sys.stderr,
            )
        if edit.added:
            try:
                write_atomic(path, edit.text, bom)
            except OSError as error:
                print(f"{PROG}: {path}: not written: {error}", file=sys.stderr)
                continue
            added += edit.added
    if not quiet:
        noun = "directive" if added == 1 else "directives"
        print(f"Added {added} noqa {noun}.", file=sys.stderr)
    return EXIT_CLEAN


def checked_tree(root: Path, paths: Sequence[str]) -> tuple[str, ...]:
    """The project root and each named directory (a named file's own directory): ``--fix``
    writes through a symlink only to a target inside one of them."""
    named = [Path(p) if Path(p).is_dir() else Path(p).parent for p in paths]
    return tuple(str(directory.absolute()) for directory in [root, *named])


def check_options(args: argparse.Namespace, settings: Settings, tree: tuple[str, ...] = ()) -> Any:
    from autograd_lint.runner import CheckOptions

    return CheckOptions(
        settings,
        fix="apply" if args.fix else "diff" if args.diff else "none",
        unsafe_fixes=args.unsafe_fixes,
        tree=tree,
    )


def check_stdin(args: argparse.Namespace, settings: Settings, root: Path) -> int:
    """``check -``: the text on stdin, under ``--stdin-filename`` when given."""
    from autograd_lint.discovery import Discovery
    from autograd_lint.stdin_check import STDIN_NAME, check_text, read_stdin

    data = read_stdin()
    name = args.stdin_filename or STDIN_NAME
    if (
        args.stdin_filename
        and settings.force_exclude
        and Discovery(settings, root).is_excluded(Path(name), is_dir=False)
    ):
        if args.fix:
            sys.stdout.buffer.write(data)
        return EXIT_CLEAN
    options = check_options(args, settings)
    outcome, fixed_text = check_text(data, name, options)
    if options.fix == "apply":
        # The fixed text is the output; the report goes to stderr so it cannot mix with it.
        sys.stdout.write(fixed_text)
        sys.stdout.flush()
        return report_outcomes([outcome], options, args, stream=sys.stderr)
    return report_outcomes([outcome], options, args)


def check_and_report(files: list[str], options: Any, args: argparse.Namespace) -> int:
    from autograd_lint.runner import run_checks

    quiet: bool = getattr(args, "quiet", False)
    progress = not (getattr(args, "no_progress", False) or quiet)
    outcomes = run_checks(files, options, jobs=getattr(args, "jobs", 1), progress=progress)
    if getattr(args, "confirmed_only", False):
        outcomes, hidden = confirmed_only(outcomes)
        if hidden and not quiet:
            print(f"{PROG}: {hidden}", file=sys.stderr)
    return report_outcomes(outcomes, options, args)


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


# --- rule ------------------------------------------------------------------------------------


def run_rule(args: argparse.Namespace) -> int:
    """A rule's page (markdown) or its facts (``--output-format json``), as ``ruff rule``."""
    from autograd_lint.output.common import BUILTIN_CODES
    from autograd_lint.rules import ALL_RULES, RULES_BY_CODE

    as_json = args.format == "json"
    if args.all:
        if as_json:
            codes = [rule.code for rule in ALL_RULES] + list(BUILTIN_CODES)
            print(json.dumps([rule_facts(each) for each in codes], indent=2))
            return EXIT_CLEAN
        width = max((len(rule.name) for rule in ALL_RULES), default=0)
        for rule in ALL_RULES:
            print(f"{rule.code}  {rule.name:<{width}}  {rule.summary}")
        for builtin, (name, summary) in BUILTIN_CODES.items():
            print(f"{builtin}  {name:<{width}}  {summary}")
        return EXIT_CLEAN
    if not args.code:
        raise UsageError("give a rule code (e.g. `autograd-lint rule AG001`) or --all")
    wanted = args.code.strip()
    by_name: dict[str, str] = {rule.name: rule.code for rule in ALL_RULES}
    by_name.update({entry[0]: builtin for builtin, entry in BUILTIN_CODES.items()})
    upper = wanted.upper()
    code: str | None = upper if upper in {*RULES_BY_CODE, *BUILTIN_CODES} else None
    code = code or by_name.get(wanted.lower())
    if code is None:
        known = ", ".join([*sorted(RULES_BY_CODE), *BUILTIN_CODES])
        raise UsageError(f"unknown rule {wanted!r}; known rules: {known}")
    if as_json:
        print(json.dumps(rule_facts(code), indent=2))
    else:
        sys.stdout.write(rule_facts(code)["explanation"])
    return EXIT_CLEAN


def rule_facts(code: str) -> dict[str, Any]:
    """What ``rule --output-format json`` prints, with the keys ``ruff rule`` uses."""
    from autograd_lint.output.common import BUILTIN_CODES
    from autograd_lint.rules import RULES_BY_CODE

    rule = RULES_BY_CODE.get(code)
    if rule is not None:
        return {
            "name": rule.name,
            "code": rule.code,
            "linter": "autograd-lint",
            "summary": rule.summary,
            "default_severity": rule.default_severity.value,
            "fix": bool(rule.fix_note),
            "explanation": rule.docs_markdown(),
            "url": rule.url(),
        }
    name, summary = BUILTIN_CODES[code]
    explanation = (
        f"# {name} ({code})\n\n{summary}\n\n"
        "Reported by the checker itself, not by a rule, when it cannot analyse a file; "
        "there is nothing to fix automatically: correct the file and check again.\n"
    )
    return {
        "name": name,
        "code": code,
        "linter": "autograd-lint",
        "summary": summary,
        "default_severity": "error",
        "fix": False,
        "explanation": explanation,
        "url": None,
    }


# --- example ---------------------------------------------------------------------------------


def example_path() -> Path:
    """The bundled example script, as installed with the package."""
    return Path(__file__).resolve().parent.joinpath(*EXAMPLE_RESOURCE)


def run_example(args: argparse.Namespace) -> int:
    from autograd_lint.runner import CheckOptions, RuntimeCheckUnavailable, load_confirm

    path = example_path()
    if not path.is_file():
        raise UsageError(f"the bundled example is missing from this installation: {path}")
    runtime = args.runtime_check
    if runtime is None:
        try:
            load_confirm()
            runtime = "mini"
        except RuntimeCheckUnavailable:
            runtime = "off"
    elif runtime != "off":
        try:
            load_confirm()
        except RuntimeCheckUnavailable as error:
            raise UsageError(str(error)) from error
    settings = Settings().merged(runtime_check=runtime, device=args.device)
    shown = display_path(path)
    if args.show_path:
        print(path)
        return EXIT_CLEAN
    if args.format in TEXT_FORMATS:
        print(f"Checking the bundled example {shown} (runtime check: {runtime})", file=sys.stderr)
    args.quiet = False
    # The bundled script is part of the installation: it is never fixed, so do not offer to.
    args.fix_hint = False
    return check_and_report([shown], CheckOptions(settings), args)


def display_path(path: Path) -> str:
    """Relative to the working directory when inside it, so the output stays short."""
    try:
        return os.path.relpath(path) if path.is_relative_to(Path.cwd()) else str(path)
    except ValueError:
        return str(path)


# --- server ----------------------------------------------------------------------------------


def run_server(argv: list[str]) -> int:
    try:
        server = importlib.import_module("autograd_lint.server")
        server_main = server.main
    except (ImportError, AttributeError) as error:
        return fail(f"the language server is not available: {error}", "--verbose" in argv)
    return int(server_main(argv) or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
