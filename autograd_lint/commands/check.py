"""``check``: flags and configuration into settings, files to the runner, results to
:mod:`autograd_lint.commands.report`; ``--add-noqa`` and standard input are handled here."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from autograd_lint.commands.common import EXIT_CLEAN, PROG, UsageError
from autograd_lint.commands.report import confirmed_only, report_outcomes
from autograd_lint.config import (
    ConfigError,
    Settings,
    find_pyproject,
    load_settings,
    parse_code_list,
)
from autograd_lint.output import TEXT_FORMATS


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
