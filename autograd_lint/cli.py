"""The ``autograd-lint`` command: ``check``, ``rule``, ``example``, ``verify``, ``server``.

Thin by design: this module builds the parser and dispatches; each command lives in
:mod:`autograd_lint.commands` (``check`` turns flags into settings, hands files to the runner
and results to the report). ``verify`` and ``server`` are imported only when used, so a
problem in either never stops ``check`` from working.

Exit codes: 0 no findings, 1 findings (after ``--fix``: the ones left), 2 usage,
configuration or internal error.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import traceback
from collections.abc import Sequence

from autograd_lint import __version__
from autograd_lint.commands.check import run_check
from autograd_lint.commands.common import EXIT_ERROR, PROG, UsageError
from autograd_lint.commands.example import run_example
from autograd_lint.commands.rule import run_rule
from autograd_lint.config import DEVICE_CHOICES, RUNTIME_CHECK_MODES, ConfigError


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
