"""``Trace.of_type`` finds the events of a kind (subclasses included) in their order, and
sees events appended after it was last asked."""

from __future__ import annotations

import libcst as cst

from autograd_lint.analysis.trace import (
    BackwardCall,
    Event,
    GradReset,
    LoopEvent,
    OptimizerStep,
    Trace,
)


def _event(kind: type[Event], site: cst.CSTNode) -> Event:
    return kind(site=site, seq=1, statement=site, scope="f")


def test_of_type_keeps_the_events_order_across_subclasses_and_sees_appended_ones() -> None:
    trace = Trace(module=cst.Module(body=[]), source="")
    sites = [cst.Name(f"n{i}") for i in range(6)]
    kinds = [BackwardCall, OptimizerStep, BackwardCall, GradReset, OptimizerStep, BackwardCall]
    trace.events.extend(_event(kind, site) for kind, site in zip(kinds, sites, strict=True))
    assert [e.site for e in trace.of_type(BackwardCall)] == [sites[0], sites[2], sites[5]]
    assert [e.site for e in trace.of_type(LoopEvent)] == sites
    assert trace.of_type(Event) == trace.of_type(LoopEvent)
    late = _event(GradReset, cst.Name("late"))
    trace.events.append(late)
    assert trace.of_type(GradReset)[-1] is late
    assert [e.site for e in trace.of_type(LoopEvent)] == [*sites, late.site]
