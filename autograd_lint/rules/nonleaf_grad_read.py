"""AG006 nonleaf-grad-read: reading ``.grad`` of a tensor that is not a leaf."""

from __future__ import annotations

import io
import re
import tokenize
from collections.abc import Iterator

import libcst as cst

from autograd_lint.analysis.trace import GradRead, RetainGrad, Trace
from autograd_lint.analysis.values import Tensor, Tri
from autograd_lint.analysis.witness_grad_facts import witness_for_grad_read
from autograd_lint.diagnostics import Diagnostic, Edit, Fix, Severity
from autograd_lint.rules._build import diagnostic, line_of
from autograd_lint.rules._local import in_this_file
from autograd_lint.rules.base import Rule

_RETAIN_CALL = re.compile(r"\.\s*retain_grad\s*\(")
_WARNING = "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed"


class NonleafGradRead(Rule):
    code = "AG006"
    name = "nonleaf-grad-read"
    summary = "Reading `.grad` of a tensor that is not a leaf: it is None."
    why = """
Autograd fills `.grad` only on leaves: tensors created by the user with
`requires_grad=True` and parameters. A module's output, `a + b`, or a copy such as
`w.cuda()` / `w.double()` of a leaf is a non-leaf: its gradient flows through it during
`backward()` and is then thrown away, so its `.grad` stays None and torch warns "The .grad
attribute of a Tensor that is not a leaf Tensor is being accessed". Code that reads it gets
None (or crashes on `None.norm()`), and `w.cuda()` of a leaf is the classic way to end up
with a tensor that never receives a gradient.
"""
    example = """
w = torch.randn(3, requires_grad=True).double()   # a copy: not a leaf
loss = (w * x).sum()
loss.backward()
print(w.grad)                                     # None, with a warning
"""
    use_instead = """
w = torch.randn(3, dtype=torch.float64, requires_grad=True)   # the leaf itself
loss = (w * x).sum()
loss.backward()
print(w.grad)
"""
    fix_note = """
Offered (never applied by `--fix`): insert `t.retain_grad()` right after `t` is made, so
that `backward()` keeps its gradient. For a copy of a leaf (`.cuda()`, `.double()`), making
the leaf on the right device or dtype is usually what was meant; the message says so.
"""
    default_severity = Severity.WARNING
    valid = (
        "w = torch.randn(3, requires_grad=True)\n(w * 2).sum().backward()\ng = w.grad\n",
        "x = torch.randn(3, requires_grad=True)\nh = x * 2\nh.retain_grad()\nh.sum().backward()\ng = h.grad\n",
        "fc = nn.Linear(3, 1)\nfc(torch.randn(2, 3)).sum().backward()\ng = fc.weight.grad\n",
        "def report(t):\n    return t.grad\n",
    )
    invalid = (
        "x = torch.randn(3, requires_grad=True)\nh = x * 2\nh.sum().backward()\ng = h.grad\n",
        "fc = nn.Linear(3, 1)\nout = fc(torch.randn(2, 3))\nout.sum().backward()\ng = out.grad\n",
        "w = torch.randn(3, requires_grad=True).double()\n(w * 2).sum().backward()\ng = w.grad\n",
    )

    def check(self, trace: Trace) -> Iterator[Diagnostic]:
        retained: set[int] = set()
        known_sites: set[int] = set()
        for retain in trace.of_type(RetainGrad):
            retained |= retain.storages
            known_sites.add(id(retain.site))
        if len(_RETAIN_CALL.findall(trace.source)) > len(known_sites) and _retain_calls_in_code(
            trace.source
        ) > len(known_sites):
            return  # a retain_grad() on a tensor the analysis does not know: it may be this one
        for event in trace.of_type(GradRead):
            tensor = event.tensor
            if tensor.is_leaf is not Tri.NO or tensor.requires_grad is not Tri.YES:
                continue
            if tensor.storage in retained:
                continue
            yield self._diagnostic(trace, event, tensor)

    def _diagnostic(self, trace: Trace, event: GradRead, tensor: Tensor) -> Diagnostic:
        name = f"`{tensor.label}`" if tensor.label else "this tensor"
        made = line_of(trace, tensor.site)
        copy = _copy_method(trace, tensor)
        if copy is not None:
            why = (
                f"{name} is the copy `.{copy}()` made at line {made}, not the leaf it was made "
                f"from; create the leaf with the device or dtype it needs"
            )
        else:
            why = f"{name} (made at line {made}) is not a leaf"
        fixes = _fixes(trace, tensor)
        advice = f"; call `{tensor.label}.retain_grad()` after it is made" if fixes else ""
        return diagnostic(
            trace,
            self.code,
            event.site,
            f"`.grad` of a non-leaf is None: {why}, so backward() does not keep its gradient"
            f"{advice} (torch warns '{_WARNING}')",
            Severity.WARNING,
            [(tensor.site, "non-leaf made here")],
            fixes=fixes,
            witness=witness_for_grad_read(trace, event),
        )


def _retain_calls_in_code(source: str) -> int:
    """How many ``.retain_grad(`` calls the code itself makes: a comment or a string that
    mentions one (a note to call it first) is no call. Where the tokenizer cannot
    read the source, every textual mention counts (unknown means silent)."""
    count = 0
    try:
        tokens = [
            t
            for t in tokenize.generate_tokens(io.StringIO(source).readline)
            if t.type not in (tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT)
        ]
    except (tokenize.TokenError, SyntaxError, ValueError):
        return len(_RETAIN_CALL.findall(source))
    for before, token, after in zip(tokens, tokens[1:], tokens[2:], strict=False):
        if (
            token.type == tokenize.NAME
            and token.string == "retain_grad"
            and before.string == "."
            and after.string == "("
        ):
            count += 1
    return count


def _copy_method(trace: Trace, tensor: Tensor) -> str | None:
    site = tensor.site
    node = tensor.node
    if node is not None and node.op == "ToCopyBackward0" and isinstance(site, cst.Call):
        func = site.func
        if isinstance(func, cst.Attribute):
            return func.attr.value
    return None


def _fixes(trace: Trace, tensor: Tensor) -> tuple[Fix, ...]:
    """``t.retain_grad()`` on the line after ``t = ...``, where that statement binds the
    name alone on its line."""
    label = tensor.label
    if not label.isidentifier():
        return ()
    statement = next(
        (
            trace.statements[seq][0]
            for seq, names in sorted(trace.bindings.items())
            if names.get(label) is tensor and seq in trace.statements
        ),
        None,
    )
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return ()
    if not in_this_file(trace, statement):
        return ()
    small = statement.body[0]
    if not (
        isinstance(small, cst.Assign)
        and len(small.targets) == 1
        and isinstance(small.targets[0].target, cst.Name)
        and small.targets[0].target.value == label
    ):
        return ()
    where = trace.range_of(small)
    indent = " " * where.start_col
    text = f"{trace.code_of(small).strip()}\n{indent}{label}.retain_grad()"
    return (
        Fix(
            f"Keep the gradient: `{label}.retain_grad()` after it is made",
            (Edit(where, text),),
            safe=False,
        ),
    )
