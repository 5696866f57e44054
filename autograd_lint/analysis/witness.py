"""Witnesses: short scripts, cut from the analysed code, that reproduce a finding.

A witness is the provenance slice of the values a finding rests on: the statements that
made them, in execution order (loops come out unrolled, ``no_grad`` blocks re-wrapped),
with placeholders for what the file does not show (function parameters, calls of code the
analyzer does not know: a stand-in ``nn.Linear`` for an unknown module call). Only registry
calls, literals and plain assignments survive; anything else makes the finding "not
replayable" rather than a script that runs the user's code.
"""

from __future__ import annotations

import libcst as cst

from autograd_lint import ops
from autograd_lint.analysis.names import dotted
from autograd_lint.analysis.trace import Backward, CloneEscape, DataWrite, Event, StaleSave, TensorFromTensor, Trace
from autograd_lint.analysis.values import NNModule, Tensor, Tri, Value
from autograd_lint.diagnostics import Expectation, Witness

HEADER = ("import torch", "import torch.nn as nn", "import torch.nn.functional as F")
_ALLOWED_BUILTINS = frozenset({"range", "len", "float", "int", "abs", "min", "max", "list", "tuple"})
_TENSOR_METHODS = frozenset(
    set(ops.INPLACE_METHODS)
    | set(ops.NON_TENSOR_METHODS)
    | {name for name, spec in ops.OPS.items() if spec.method}
    | {"backward", "detach", "detach_", "requires_grad_", "retain_grad", "to", "cpu", "float", "size", "append"}
)
_TORCH_ROOTS = ("torch", "nn", "F", "optim")


def _known_callee(name: str) -> bool:
    parts = name.split(".")
    if parts[0] in _TORCH_ROOTS and len(parts) >= 2:
        last = parts[-1]
        return (
            last in ops.OPS
            or last in ops.CREATION_FUNCTIONS
            or last in ops.MODULES
            or last in ops.OPTIMIZERS
            or last in ops.GRAD_MODE_CONTEXTS
            or last in {"Parameter", "backward", "grad"}
            or last in ops.INPLACE_METHODS
        )
    return False


class _SelfRenamer(cst.CSTTransformer):
    """``self.h`` -> ``self_h``: the witness has no instance, only names."""

    def leave_Attribute(self, original: cst.Attribute, updated: cst.Attribute) -> cst.BaseExpression:
        if isinstance(updated.value, cst.Name) and updated.value.value == "self":
            return cst.Name(f"self_{updated.attr.value}")
        return updated


class _Checker(cst.CSTVisitor):
    """Decides whether a statement uses only what a witness may contain."""

    def __init__(self, modules: set[str]) -> None:
        self.ok = True
        self.modules = modules

    def visit_Call(self, node: cst.Call) -> None:
        name = dotted(node.func)
        if name is not None and (_known_callee(name) or name in _ALLOWED_BUILTINS or name in self.modules):
            return
        if isinstance(node.func, cst.Attribute) and node.func.attr.value in _TENSOR_METHODS:
            return
        self.ok = False

    def visit_Lambda(self, node: cst.Lambda) -> None:
        self.ok = False

    def visit_Await(self, node: cst.Await) -> None:
        self.ok = False


def _placeholder(name: str, value: Value) -> str | None:
    if isinstance(value, Tensor):
        if value.requires_grad is Tri.YES and value.is_leaf is not Tri.NO:
            return f"{name} = torch.randn(2, 2, requires_grad=True)"
        if value.requires_grad is Tri.YES:
            return f"{name} = nn.Linear(2, 2)(torch.randn(2, 2))"
        return f"{name} = torch.randn(2, 2)"
    if isinstance(value, NNModule):
        return f"{name} = nn.Linear(2, 2)"
    return None


class SliceBuilder:
    """Renders a set of executed statements as a witness script."""

    def __init__(self, trace: Trace) -> None:
        self.trace = trace
        self.empty = cst.Module(body=[])

    def render(self, seqs: set[int] | frozenset[int]) -> str | None:
        lines: list[str] = []
        defined: set[str] = set()
        modules: set[str] = set()
        no_grad_open = False
        for seq in sorted(seqs):
            entry = self.trace.statements.get(seq)
            if entry is None:
                continue
            statement, grad_mode = entry
            assert isinstance(statement, cst.SimpleStatementLine)
            rendered = self._statement(statement, modules)
            bound = self.trace.bindings.get(seq, {})
            if rendered is None:
                placeholders = [_placeholder(name, value) for name, value in bound.items()]
                if not placeholders or None in placeholders:
                    return None
                rendered_lines = [p for p in placeholders if p is not None]
            else:
                rendered_lines = rendered.splitlines()
            for name, value in bound.items():
                defined.add(name)
                if isinstance(value, NNModule):
                    modules.add(name)
            if grad_mode is False and not no_grad_open:
                lines.append("with torch.no_grad():")
                no_grad_open = True
            elif grad_mode is not False and no_grad_open:
                no_grad_open = False
            prefix = "    " if no_grad_open else ""
            lines.extend(prefix + line for line in rendered_lines)
        free = self._free_names("\n".join(lines), defined)
        if free is None:
            return None
        preamble = [f"{name} = torch.randn(2, 2)" for name in sorted(free)]
        return "\n".join([*self._imports(), *preamble, *lines]) + "\n"

    def _statement(self, statement: cst.SimpleStatementLine, modules: set[str]) -> str | None:
        if any(isinstance(s, cst.Return | cst.Import | cst.ImportFrom | cst.Global | cst.Nonlocal) for s in statement.body):
            return None
        renamed = statement.visit(_SelfRenamer())
        assert isinstance(renamed, cst.SimpleStatementLine)
        checker = _Checker(modules)
        renamed.visit(checker)
        if not checker.ok:
            return None
        cleaned = renamed.with_changes(leading_lines=[], trailing_whitespace=cst.TrailingWhitespace())
        return self.empty.code_for_node(cleaned).strip()

    def _imports(self) -> list[str]:
        lines = list(HEADER)
        for statement in self.trace.module.body:
            if isinstance(statement, cst.SimpleStatementLine):
                for small in statement.body:
                    if isinstance(small, cst.Import | cst.ImportFrom):
                        code = self.empty.code_for_node(small).strip()
                        root = code.split()[1].split(".")[0]
                        if root == "torch" and code not in lines:
                            lines.append(code)
        return lines

    def _free_names(self, code: str, defined: set[str]) -> set[str] | None:
        """Names the slice reads but never binds: they get placeholder tensors."""
        try:
            module = cst.parse_module(code)
        except cst.ParserSyntaxError:
            return None
        collector = _NameCollector()
        module.visit(collector)
        known = defined | set(_TORCH_ROOTS) | _ALLOWED_BUILTINS | {"True", "False", "None"}
        if collector.called - known:
            return None
        return collector.loaded - known - collector.called


class _NameCollector(cst.CSTVisitor):
    def __init__(self) -> None:
        self.loaded: set[str] = set()
        self.called: set[str] = set()
        self.assigned: set[str] = set()

    def visit_Call(self, node: cst.Call) -> None:
        if isinstance(node.func, cst.Name):
            self.called.add(node.func.value)

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        node.value.visit(self)
        return False

    def visit_Arg(self, node: cst.Arg) -> bool:
        node.value.visit(self)
        return False

    def visit_Name(self, node: cst.Name) -> None:
        self.loaded.add(node.value)


def _name_in_script(tensor: Tensor) -> str | None:
    label = tensor.label
    if not label:
        return None
    if label.startswith("self."):
        label = "self_" + label[5:]
    return label if label.isidentifier() else None


def _script(trace: Trace, seqs: set[int]) -> str | None:
    return SliceBuilder(trace).render(seqs)


def _backward_seqs(event: Backward) -> set[int]:
    value = event.tensor
    return set(getattr(value, "prov", frozenset())) | {event.seq}


def witness_for_data_write(trace: Trace, event: DataWrite) -> Witness | None:
    name = _name_in_script(event.target)
    if name is None:
        return None
    if event.silently_stale and event.stale_backward is not None:
        backward = event.stale_backward
        seqs = set(event.target.prov) | _backward_seqs(backward) | {event.seq}
        script = _script(trace, seqs)
        control = _script(trace, seqs - {event.seq})
        if script is None or control is None:
            return None
        return Witness(
            script,
            Expectation(kind="differs", observe=f"{name}.grad", control_script=control),
            f"the gradient of `{name}` differs with and without the `.data` write",
        )
    script = _script(trace, set(event.target.prov) | {event.seq})
    if script is None:
        return None
    return Witness(
        script,
        Expectation(kind="equals", observe=f"{name}._version", value="0"),
        f"the write leaves the version counter of `{name}` at 0: autograd cannot see it",
    )


def witness_for_stale(trace: Trace, backward: Backward, stale: StaleSave) -> Witness | None:
    seqs = _backward_seqs(backward) | set(stale.saved.tensor.prov) | {stale.write.seq}
    seqs |= set(stale.write.target.prov)
    script = _script(trace, seqs)
    if script is None:
        return None
    return Witness(
        script,
        Expectation(
            kind="raises",
            exception="RuntimeError",
            message="one of the variables needed for gradient computation has been modified by an inplace operation",
        ),
        "the backward fails because a saved tensor was modified in place",
    )


def witness_for_no_grad(trace: Trace, backward: Backward) -> Witness | None:
    script = _script(trace, _backward_seqs(backward))
    if script is None:
        return None
    return Witness(
        script,
        Expectation(
            kind="raises",
            exception="RuntimeError",
            message="element 0 of tensors does not require grad and does not have a grad_fn",
        ),
        "backward on a tensor that does not require grad",
    )


def witness_for_repeated(trace: Trace, backward: Backward, first: Backward) -> Witness | None:
    script = _script(trace, _backward_seqs(backward) | _backward_seqs(first))
    if script is None:
        return None
    return Witness(
        script,
        Expectation(kind="raises", exception="RuntimeError", message="Trying to backward through the graph a second time"),
        "a second backward through a graph whose saved tensors were freed",
    )


def witness_for_clone(trace: Trace, event: CloneEscape) -> Witness | None:
    tensor = event.tensor
    if event.how == "numpy":
        script = _script(trace, set(tensor.prov) | {event.seq})
        if script is None:
            return None
        return Witness(
            script,
            Expectation(kind="raises", exception="RuntimeError", message="Can't call numpy() on Tensor that requires grad"),
            "the clone still requires grad, so `.numpy()` raises",
        )
    name = _name_in_script(tensor)
    seqs = set(tensor.prov)
    extra = ""
    if name is None or tensor.site is not tensor.clone_site:
        # an inline clone (``history.append(w.clone())``): name it in the witness
        seqs.discard(event.seq)
        clone = tensor.clone_site
        assert clone is not None
        name = "copy"
        extra = f"copy = {_render_expression(trace, clone)}\n"
    script = _script(trace, seqs)
    if script is None:
        return None
    return Witness(
        script + extra,
        Expectation(kind="equals", observe=f"{name}.grad_fn.name()", value="'CloneBackward0'"),
        "the copy keeps the autograd history of its source (CloneBackward0)",
    )


def _render_expression(trace: Trace, node: cst.CSTNode) -> str:
    renamed = node.visit(_SelfRenamer())
    assert isinstance(renamed, cst.CSTNode)
    return " ".join(cst.Module(body=[]).code_for_node(renamed).split())


def witness_for_tensor_copy(trace: Trace, event: TensorFromTensor) -> Witness | None:
    script = _script(trace, set(event.tensor.prov) | {event.seq})
    if script is None:
        return None
    return Witness(
        script,
        Expectation(
            kind="warns",
            message="To copy construct from a tensor, it is recommended to use sourceTensor.detach().clone()",
        ),
        "torch warns when `torch.tensor` copies a tensor",
    )


__all__ = [
    "Event",
    "SliceBuilder",
    "witness_for_clone",
    "witness_for_data_write",
    "witness_for_no_grad",
    "witness_for_repeated",
    "witness_for_stale",
    "witness_for_tensor_copy",
]
