"""Witnesses: the statements a slice needs beyond its provenance.

A tensor's provenance names the statements that computed it; a script needs a few more to
run: the construction of a layer a statement calls beside the one the slice followed, the
``return`` of a followed call whose body the slice runs, and the statement that bound a
setting the slice reads (a size, a list of sizes, a device, a dtype).
"""

from __future__ import annotations

import re

import libcst as cst

from autograd_lint.analysis.names import dotted, is_literal
from autograd_lint.analysis.trace import Trace
from autograd_lint.analysis.values import NNModule, PlainValue, Sequence
from autograd_lint.analysis.witness_names import _names_read


def with_layers(trace: Trace, seqs: set[int] | frozenset[int]) -> set[int] | frozenset[int]:
    """``seqs`` with the statement that made each built-in layer a statement of theirs
    calls (``return self.cls(h), self.reg(h)`` where the slice followed only ``cls``):
    a layer's construction reads nothing of the program's state, and without it the
    script could not call the layer at all."""
    extra: set[int] = set()
    for seq in seqs:
        entry = trace.statements.get(seq)
        if entry is None:
            continue
        for name in _called_names(entry[0]):
            made = _layer_made(trace, name, seq)
            if made is not None and made not in seqs:
                extra.add(made)
    return set(seqs) | extra if extra else seqs


def _layer_made(trace: Trace, name: str, seq: int) -> int | None:
    """The statement that last bound ``name`` (``self_reg`` for ``self.reg``, in the
    same instance) before ``seq``, where it bound a built-in layer."""
    instance = trace.selves.get(seq)
    latest = max(
        (
            s
            for s, bound in trace.bindings.items()
            if s < seq and name in bound and trace.selves.get(s) is instance
        ),
        default=None,
    )
    if latest is None:
        return None
    value = trace.bindings[latest][name]
    if isinstance(value, NNModule) and value.builtin and latest in trace.statements:
        return latest
    return None


def with_returns(trace: Trace, seqs: set[int] | frozenset[int]) -> set[int] | frozenset[int]:
    """``seqs`` with the ``return`` of each followed call whose body the slice runs
    (``func(t).sum().backward()``, the slice through ``t_copy = t.detach()`` in
    ``func``): the call is then written as the value that ``return`` computed, where
    without it the script would have to call the user's function."""
    called_from = trace.called_from
    bodies = {called_from[seq] for seq in seqs if seq in called_from}
    extra = {
        seq
        for seq in trace.returned_by.values()
        if seq not in seqs and called_from.get(seq) in bodies and called_from[seq] in seqs
    }
    return set(seqs) | extra if extra else seqs


def binding_seqs(trace: Trace, names: set[str], seqs: set[int] | frozenset[int]) -> set[int]:
    """For each of ``names``: the statement each read of it in the slice sees (the last
    one before the read that binds it, in execution order, in the same run of a function
    where that run binds it: ``outputs = []`` at the top of each call of a ``forward``),
    else the last before the slice's last statement, where it binds a plain value (``size
    = pred.size()``). A tensor's statement is left out: its own inputs may have changed
    since, which only their provenance would tell."""
    last = max(seqs, default=-1)
    found: set[int] = set()
    for name in names:
        binding = [
            seq
            for seq, b in trace.bindings.items()
            if name in b and seq < last and seq in trace.statements
        ]
        if not binding:
            continue
        seen = {max(binding)}
        for read in seqs:
            if name not in _names_read(trace, {read}):
                continue
            run = trace.called_from.get(read)
            own = [s for s in binding if s < read and trace.called_from.get(s) == run]
            if own:
                seen.add(max(own))
        found |= {seq for seq in seen if _plain_binding(trace, seq, name)}
    return found


def _plain_binding(trace: Trace, seq: int, name: str) -> bool:
    """Whether statement ``seq`` binds ``name`` to what a script may write as the file does."""
    value = trace.bindings[seq][name]
    return (
        isinstance(value, PlainValue)
        or (  # a tuple of sizes: ``h_size = (batch_size, hidden_size)``
            isinstance(value, Sequence)
            and bool(value.items)
            and all(isinstance(item, PlainValue) for item in value.items)
        )
        or _binds_a_setting(trace.statements[seq][0], name)
        or _unpacks_a_name(trace.statements[seq][0])
        or _binds_an_empty_container(trace.statements[seq][0], name)
    )


def _binds_an_empty_container(statement: cst.CSTNode, name: str) -> bool:
    """Whether ``statement`` is ``name = {}`` (or ``[]``, ``dict()``, ``list()``): a
    container the slice's own statements fill (``outputs['loss'] = ...``); it holds only
    what they put in it, so it is exact wherever they are the slice's."""
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return False
    small = statement.body[0]
    if not (isinstance(small, cst.Assign) and len(small.targets) == 1):
        return False
    target, value = small.targets[0].target, small.value
    if not (isinstance(target, cst.Name) and target.value == name):
        return False
    if isinstance(value, cst.Dict | cst.List):
        return not value.elements
    return (
        isinstance(value, cst.Call)
        and not value.args
        and isinstance(value.func, cst.Name)
        and value.func.value in {"dict", "list"}
    )


def _unpacks_a_name(statement: cst.CSTNode) -> bool:
    """Whether ``statement`` is ``a, b = pair`` (names unpacked from a name): it computes
    nothing, so the tensors it binds are the very ones the script's ``pair`` holds, and
    it is exact wherever the script binds ``pair`` as the file did."""
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return False
    small = statement.body[0]
    if not (isinstance(small, cst.Assign) and len(small.targets) == 1):
        return False
    target = small.targets[0].target
    return (
        isinstance(small.value, cst.Name)
        and isinstance(target, cst.Tuple | cst.List)
        and all(
            isinstance(element, cst.Element) and isinstance(element.value, cst.Name)
            for element in target.elements
        )
    )


def _called_names(statement: cst.CSTNode) -> set[str]:
    """The names a statement calls, ``self.reg`` as the ``self_reg`` its binding has."""
    found: set[str] = set()

    class Calls(cst.CSTVisitor):
        def visit_Call(self, node: cst.Call) -> None:
            name = dotted(node.func)
            if name is None:
                return
            if name.startswith("self.") and name.count(".") == 1:
                found.add("self_" + name[5:])
            elif "." not in name:
                found.add(name)

    statement.visit(Calls())
    return found


_SETTING_CALLS = frozenset({"torch.device"})
_DTYPE = re.compile(
    r"torch\.(float|double|half|bfloat16|long|int|bool|float(16|32|64)|int(8|16|32|64))$"
)


def _binds_a_setting(statement: cst.CSTNode, name: str) -> bool:
    """Whether ``statement`` is ``name = <literal>`` (``x_list = [15, 5, 34]``), a device
    (``device = torch.device("cpu")``) or a dtype (``dtype = torch.float32``): a value the
    file itself gives, which no stand-in should replace (a tensor for a device is an error
    on torch, a random list of sizes a wrong shape)."""
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return False
    small = statement.body[0]
    if not (
        isinstance(small, cst.Assign)
        and len(small.targets) == 1
        and isinstance(small.targets[0].target, cst.Name)
        and small.targets[0].target.value == name
    ):
        return False
    value = small.value
    if is_literal(value):
        return True
    if isinstance(value, cst.Call):
        return dotted(value.func) in _SETTING_CALLS and all(
            is_literal(arg.value) and arg.star == "" for arg in value.args
        )
    return _DTYPE.match(dotted(value) or "") is not None
