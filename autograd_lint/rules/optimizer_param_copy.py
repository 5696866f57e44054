"""AG016 optimizer-param-copy: an optimizer built from copies of the model's parameters."""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from autograd_lint.analysis.trace import OptimizerFromCopy, Trace
from autograd_lint.analysis.witness_training import NON_LEAF_MESSAGE, witness_for_param_copy
from autograd_lint.diagnostics import Diagnostic, Severity
from autograd_lint.rules._build import diagnostic, short
from autograd_lint.rules.base import Rule


class OptimizerParamCopy(Rule):
    code = "AG016"
    name = "optimizer-param-copy"
    summary = "An optimizer built from copies of parameters; the model's own never train."
    why = """
`p.to(dtype)`, `p.cuda()`, `p.double()` return a *new* tensor whenever they convert
anything, and `p * 1` or `p.clone()` always do. (`p.float()` and `p.to(torch.float32)` on
the float32 parameters layers make return the parameter itself: they are not reported.) An optimizer built from such copies
updates the copies; the module keeps computing with its own parameters, which no step
ever changes. When the copy is a non-leaf (it was computed from the parameter in grad
mode), torch refuses it: "can't optimize a non-leaf Tensor"; a detached copy is accepted
and the model silently never trains.

Moving the module first (`model.to(device)`, which converts its parameters in place)
and then building the optimizer from `model.parameters()` is the way; writing
`p.data = p.data.to(...)`, or assigning `nn.Parameter(p.to(...))` back into the module,
also keeps the optimizer and the module on the same tensors and is not reported.
"""
    example = """
params = [p.cuda() for p in model.parameters()]
optimizer = torch.optim.SGD(params, lr=0.1)    # steps copies, not the model
"""
    use_instead = """
model.cuda()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
"""
    fix_note = "None automatic: the message names the copy."
    default_severity = Severity.ERROR
    valid = (
        "model = nn.Linear(2, 1)\nparams = [p.float() for p in model.parameters()]\n"
        "opt = torch.optim.SGD(params, lr=0.1)\n",
        "model = nn.Linear(2, 1)\nmodel.to(torch.float64)\n"
        "opt = torch.optim.SGD(model.parameters(), lr=0.1)\n",
        "model = nn.Linear(2, 1)\nmodel.weight.data = model.weight.data.to(torch.float64)\n"
        "opt = torch.optim.SGD(model.parameters(), lr=0.1)\n",
        "model = nn.Linear(2, 1)\nmodel.weight = nn.Parameter(model.weight.to(torch.float64))\n"
        "opt = torch.optim.SGD(model.parameters(), lr=0.1)\n",
    )
    invalid = (
        "model = nn.Linear(2, 1)\nparams = [p.double() for p in model.parameters()]\n"
        "opt = torch.optim.SGD(params, lr=0.1)\n",
        "model = nn.Linear(2, 1)\nparams = []\nfor p in model.parameters():\n"
        "    p = p.cuda()\n    params.append(p)\nopt = torch.optim.SGD(params, lr=0.1)\n",
    )

    def check(self, trace: Trace) -> Iterator[Diagnostic]:
        seen: set[int] = set()
        for event in trace.of_type(OptimizerFromCopy):
            if id(event.site) in seen:
                continue
            seen.add(id(event.site))
            copy = short(trace, event.copy_site)
            what = (
                "a non-leaf computed from a leaf"
                if event.how == "a non-leaf"
                else "a copy of a parameter, not the parameter"
            )
            raises = (
                f' (it is a non-leaf: torch raises "{NON_LEAF_MESSAGE}")'
                if event.non_leaf
                else f' (when it converts, the copy is a non-leaf and torch raises "{NON_LEAF_MESSAGE}")'
            )
            advice = (
                "convert the module (`model.to(...)`) or create the tensor where it is used "
                "(`torch.randn(..., device=device, requires_grad=True)`) before building the "
                "optimizer, and pass the leaves themselves"
            )
            if _unpacks_into_chain(event.copy_site):
                what = "the rows of the tensors, not the tensors"
                advice = (
                    "`*` unpacks each tensor into its rows (views); chain the iterables "
                    "themselves: `itertools.chain(model.parameters(), [w])`"
                )
            yield diagnostic(
                trace,
                self.code,
                event.site,
                f"the optimizer is built from `{copy}`, {what}"
                f"{raises}: the tensor meant to be trained is never updated; {advice}",
                Severity.ERROR,
                [(event.copy_site, "the copy is made here")],
                witness=witness_for_param_copy(trace, event),
            )


def _unpacks_into_chain(site: cst.CSTNode) -> bool:
    """``itertools.chain(*params, w)``: iterating each tensor gives its rows."""
    return (
        isinstance(site, cst.Call)
        and isinstance(site.func, cst.Attribute)
        and site.func.attr.value == "chain"
        and any(a.star == "*" for a in site.args)
    )
