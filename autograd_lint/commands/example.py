"""``example``: check the bundled training script, with the runtime check on the mini
engine when it can run."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from autograd_lint.commands.check import check_and_report
from autograd_lint.commands.common import EXIT_CLEAN, UsageError, display_path
from autograd_lint.config import Settings
from autograd_lint.output import TEXT_FORMATS

EXAMPLE_RESOURCE = ("examples", "training_pitfalls.py")


def example_path() -> Path:
    """The bundled example script, as installed with the package."""
    return Path(__file__).resolve().parent.parent.joinpath(*EXAMPLE_RESOURCE)


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
