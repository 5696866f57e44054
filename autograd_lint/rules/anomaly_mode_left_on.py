"""AG014 anomaly-mode-left-on: anomaly detection switched on for a whole run."""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from autograd_lint.analysis.anomaly import anomaly_context
from autograd_lint.analysis.trace import AnomalyMode, Trace
from autograd_lint.analysis.values import Tri
from autograd_lint.diagnostics import Diagnostic, Severity
from autograd_lint.rules._build import diagnostic, line_of
from autograd_lint.rules.base import Rule


class AnomalyModeLeftOn(Rule):
    code = "AG014"
    name = "anomaly-mode-left-on"
    summary = (
        "`torch.autograd.set_detect_anomaly(True)` / `detect_anomaly()` left on for a training run."
    )
    why = """
Anomaly detection records a traceback for every op of the forward pass and checks every
gradient of the backward for NaN: it is a debugging aid, and torch itself warns that it
slows execution. Switched on at module level, or around a training loop, it is on for every
step of every run — typically left behind after a NaN hunt. The calls are reported where
nothing decides when they run: not inside tests, not under an `if` (a debug flag, an
environment variable), not with a mode that is not the literal `True`.

The rule is static: the program computes the same results with the mode on, only slower,
so there is nothing for a replay to show; findings carry no witness, the runtime check
gives them no verdict, and `--confirmed-only` leaves them out (counted as "no witness").
"""
    example = """
torch.autograd.set_detect_anomaly(True)
for x, y in loader:
    loss = criterion(model(x), y)
    loss.backward()
    optimizer.step()
"""
    use_instead = """
torch.autograd.set_detect_anomaly(args.debug)
for x, y in loader:
    loss = criterion(model(x), y)
    loss.backward()
    optimizer.step()
"""
    fix_note = (
        "No automatic fix: remove the call, or put it behind a debug flag or an environment "
        "variable."
    )
    default_severity = Severity.WARNING
    static = True
    valid = (
        "torch.autograd.set_detect_anomaly(False)\n",
        "import os\nif os.environ.get('DEBUG'):\n    torch.autograd.set_detect_anomaly(True)\n",
        "def main(args):\n    torch.autograd.set_detect_anomaly(args.debug)\n",
        "def test_grads():\n    torch.autograd.set_detect_anomaly(True)\n"
        "    for _ in range(2):\n        loss.backward()\n",
        "with torch.autograd.detect_anomaly():\n    out = model(x)\n    out.backward()\n",
        "def find_nan(loss):\n    with torch.autograd.detect_anomaly():\n        loss.backward()\n",
    )
    invalid = (
        "torch.autograd.set_detect_anomaly(True)\n",
        "def train(model, loader, opt):\n    torch.autograd.set_detect_anomaly(True)\n"
        "    for x in loader:\n        model(x).sum().backward()\n        opt.step()\n",
        "def train(model, loader, opt):\n    with torch.autograd.detect_anomaly():\n"
        "        for x in loader:\n            model(x).sum().backward()\n",
    )

    def check(self, trace: Trace) -> Iterator[Diagnostic]:
        for event in trace.of_type(AnomalyMode):
            if event.enabled is not Tri.YES:
                continue
            context = anomaly_context(trace.module, event.call)
            if context is None or context.in_test or context.guarded:
                continue
            loop = context.training_loop
            head = _loop_head(loop)
            if context.inside_loop and head is not None:
                where = f"inside the training loop at line {line_of(trace, head)}, at every step"
            elif context.with_block is not None:
                if head is None:
                    continue
                where = f"around the training loop at line {line_of(trace, head)}"
            elif context.module_level:
                where = "at module level, for the whole run"
            elif head is not None:
                where = f"with the training loop at line {line_of(trace, head)}"
            else:
                continue
            call = (
                "`torch.autograd.detect_anomaly()`"
                if event.api == "detect_anomaly"
                else "`torch.autograd.set_detect_anomaly(True)`"
            )
            yield diagnostic(
                trace,
                self.code,
                event.site,
                f"{call} {where}: anomaly detection slows every step; remove it or guard "
                "it with a debug flag",
                Severity.WARNING,
                [(head, "the training loop runs with anomaly mode on")],
            )


def _loop_head(loop: cst.For | cst.While | None) -> cst.CSTNode | None:
    """The part of a loop's header a location points at (its target, or its test)."""
    if isinstance(loop, cst.For):
        return loop.target
    if isinstance(loop, cst.While):
        return loop.test
    return None
