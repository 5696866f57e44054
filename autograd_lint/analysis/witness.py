"""Witnesses: short scripts, cut from the analysed code, that reproduce a finding.

A witness is the provenance slice of the values a finding rests on: the statements that
made them, in execution order (loops come out unrolled, ``no_grad`` blocks re-wrapped),
with placeholders for what the file does not show (function parameters, calls of code the
analyzer does not know: a stand-in ``nn.Linear`` for an unknown module call). Only registry
calls, literals and plain assignments survive; anything else makes the finding "not
replayable" rather than a script that runs the user's code.

This module holds the slices of the core rules' findings and what each witness expects;
the rendering is :mod:`witness_render`, the names :mod:`witness_names`, the stand-ins
:mod:`witness_stand_ins`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

import libcst as cst

from autograd_lint import stand_ins
from autograd_lint.analysis.latent import stopped_before
from autograd_lint.analysis.trace import (
    Backward,
    CloneEscape,
    DataWrite,
    Event,
    StaleSave,
    TensorFromTensor,
    Trace,
)
from autograd_lint.analysis.values import NoGradArm, Tensor, Tri
from autograd_lint.analysis.witness_extent import with_layers, with_returns
from autograd_lint.analysis.witness_loop_targets import flag_writes_on_layers, upstream_parameter
from autograd_lint.analysis.witness_names import (
    _ALLOWED_BUILTINS,
    _name_in_script,
    _names_read,
    _read_before_bound,
    _render_expression,
)
from autograd_lint.analysis.witness_render import HEADER, SliceBuilder
from autograd_lint.analysis.witness_render_values import names_in
from autograd_lint.analysis.witness_stand_ins import (
    LAYER_TENSOR,
    flattened,
    unread_stand_ins_dropped,
)
from autograd_lint.diagnostics import Expectation, Witness

MODIFIED_SAVED = (
    "one of the variables needed for gradient computation has been modified by an inplace operation"
)
NO_GRAD_FN = "element 0 of tensors does not require grad and does not have a grad_fn"
SECOND_BACKWARD = "Trying to backward through the graph a second time"
"""torch's RuntimeError messages (their first words) for AG002, AG003 and AG004."""


def _script(trace: Trace, seqs: set[int], essential: frozenset[int] = frozenset()) -> str | None:
    if not trace.want_witnesses:
        return None
    return SliceBuilder(trace).render(seqs, essential)


def _backward_seqs(event: Backward) -> set[int]:
    value = event.tensor
    return set(getattr(value, "prov", frozenset())) | {event.seq}


def _leaf_with_grad(trace: Trace, seqs: set[int]) -> str | None:
    """A name, bound in the slice, of a leaf that requires grad (its ``.grad`` is observed)."""
    for seq in sorted(seqs):
        for name, value in trace.bindings.get(seq, {}).items():
            if (
                isinstance(value, Tensor)
                and value.requires_grad is Tri.YES
                and value.is_leaf is Tri.YES
            ):
                return name
    return None


def _silent_gradient(
    trace: Trace, seqs: set[int], write_seq: int, essential: frozenset[int] = frozenset()
) -> Witness | None:
    """The program with and without a ``.data`` write: a different gradient is the evidence."""
    leaf = _leaf_with_grad(trace, seqs)
    if not trace.want_witnesses:
        return None
    builder = SliceBuilder(trace)
    script = builder.render(seqs, essential | {write_seq})
    if leaf is None and script is not None and not _names_read(trace, {write_seq}) & builder.free:
        # no leaf of the slice has a name: a parameter of a layer the script creates
        # upstream of the written tensor (the write itself must hold no stand-in: that
        # would write another tensor than the file's)
        leaf = upstream_parameter(trace, builder, write_seq)
    control = _script(trace, seqs - {write_seq})
    if leaf is None or script is None or control is None:
        return None
    return Witness(
        script,
        Expectation(kind="differs", observe=f"{leaf}.grad", control_script=control),
        f"the gradient of `{leaf}` differs with and without the `.data` write",
    )


def latest_backward_from(
    trace: Trace, origin: frozenset[int], past: Callable[[Event], bool]
) -> Backward | None:
    """The latest backward, among the events before the first one ``past`` accepts, whose
    loss was computed from ``origin`` (a tensor's provenance): a write that reads ``.grad``
    reads what only that backward gave it."""
    found = None
    for other in trace.events:
        if past(other):
            break
        if isinstance(other, Backward) and set(getattr(other.tensor, "prov", ())) & origin:
            found = other
    return found


def _backward_that_filled_grad(trace: Trace, event: DataWrite) -> Backward | None:
    return latest_backward_from(trace, event.target.prov, lambda other: other.seq >= event.seq)


def witness_for_data_write(trace: Trace, event: DataWrite) -> Witness | None:
    seqs = set(event.target.prov) | set(event.prov) | {event.seq}
    if event.silently_stale and event.stale_backward is not None:
        return _silent_gradient(trace, seqs | _backward_seqs(event.stale_backward), event.seq)
    if not trace.want_witnesses:
        return None
    statement = trace.statements[event.seq][0]
    assert isinstance(statement, cst.SimpleStatementLine)
    builder = SliceBuilder(trace)
    name = _name_in_script(event.target)
    bind = ""
    loop_target = name is None
    if loop_target:  # ``for p in model.parameters()``: the script names it as the file does
        name = event.receiver_name
        if name is None:
            return None
        if ".grad" in trace.code_of(statement):
            filled = _backward_that_filled_grad(trace, event)
            if filled is None:
                return None
            seqs |= _backward_seqs(filled)
    before = builder.render(seqs - {event.seq})
    if before is None:
        return None
    if loop_target:  # bound by the ``for``, which no slice contains
        parameter = builder.parameter_of_layer(event.target)
        if parameter is None:
            return None
        bind = f"{name} = {parameter}\n"
    write = builder._statement(statement, set(builder.layers), event.seq)
    if write is None:
        return None
    as_written = write
    chain = _written_chain(write)
    if not loop_target and chain is not None and chain != name and LAYER_TENSOR.fullmatch(chain):
        # ``layer.module.weight.data = ...`` of a layer held by an object the slice does
        # not build: the parameter as one tensor, the holders being scaffolding
        flat = flattened(write, chain)
        if flat is None:
            return None
        write = flat
        name = chain.replace(".", "_")
        kind = "leaf" if event.target.requires_grad is Tri.YES or event.target.is_param else "plain"
        bind = f"{name} = {stand_ins.fill(kind, (2,))}  # stand-in for `{chain}`\n"
    script = f"{before}{bind}version_before = {name}._version\n{write}\n"
    if _read_before_bound(script) - _ALLOWED_BUILTINS:
        # the write reads names the slice before it never binds (``x.data[:, c] = ...``
        # with ``c`` a loop target, a list of constants): the slice with the write in it
        # defines them, and the observation goes in front of the write
        observed = _observed_before(
            builder, seqs, event.seq, as_written, f"{bind}version_before = {name}._version"
        )
        if observed is None:
            return None
        script = observed.replace(f"\n{as_written}\n", f"\n{write}\n")
    if write != as_written:
        script = unread_stand_ins_dropped(script)
    return Witness(
        script,
        Expectation(kind="equals", observe=f"{name}._version == version_before", value="True"),
        f"the write leaves the version counter of `{name}` unchanged: autograd cannot see it",
    )


def _written_chain(write: str) -> str | None:
    """``a.b.weight`` of a write through ``a.b.weight.data``."""
    found = re.match(r"([A-Za-z_][\w.]*?)\.data\b", write)
    return found.group(1) if found else None


def _observed_before(
    builder: SliceBuilder, seqs: set[int], write_seq: int, write: str, lines: str
) -> str | None:
    """The slice rendered with its write, ``lines`` inserted before the write's line (at
    its indentation); ``None`` where the script does not hold that line exactly once."""
    script = builder.render(seqs, frozenset({write_seq}))
    if script is None or _read_before_bound(script) - _ALLOWED_BUILTINS:
        return None
    rows = script.splitlines()
    at = [i for i, row in enumerate(rows) if row.strip() == write]
    if len(at) != 1:
        return None
    indent = rows[at[0]][: len(rows[at[0]]) - len(rows[at[0]].lstrip())]
    rows[at[0] : at[0]] = [indent + line for line in lines.splitlines() if line]
    return "\n".join(rows) + "\n"


def witness_for_stale(trace: Trace, backward: Backward, stale: StaleSave) -> Witness | None:
    seqs = _backward_seqs(backward) | set(stale.saved.tensor.prov) | {stale.write.seq}
    seqs |= set(stale.write.target.prov) | set(getattr(stale.write, "prov", ()))
    essential = frozenset({stale.write.seq, stale.saved.seq, backward.seq})
    if isinstance(stale.write, DataWrite):
        return _silent_gradient(trace, seqs, stale.write.seq, essential)
    return _raises(
        trace,
        seqs,
        MODIFIED_SAVED,
        "the backward fails because a saved tensor was modified in place",
        essential,
    )


def _statements_of(trace: Trace, site: cst.CSTNode | None, seqs: set[int]) -> set[int]:
    """The numbers, among ``seqs``, of the statement that holds ``site``."""
    if site is None:
        return set()
    owner = site if isinstance(site, cst.BaseStatement) else trace.owner.get(site)
    return {seq for seq in seqs if trace.statements.get(seq, (None,))[0] is owner}


def witness_for_no_grad(trace: Trace, backward: Backward) -> Witness | None:
    seqs = _backward_seqs(backward)
    seqs |= flag_writes_on_layers(
        trace, with_layers(trace, with_returns(trace, seqs)), backward.seq
    )
    cut = getattr(backward.tensor, "cut_site", None)
    return _raises(
        trace,
        seqs,
        NO_GRAD_FN,
        "backward on a tensor that does not require grad",
        frozenset({backward.seq} | _statements_of(trace, cut, seqs)),
    )


def witness_for_one_arm(trace: Trace, arm: NoGradArm, label: str) -> Witness | None:
    """What the backward meets on the arm of an ``if`` where the loss is a constant: the
    value made there, then the backward. Only where that value is made from ``torch`` and
    literals alone (``torch.tensor(0, dtype=torch.float32)``), so the script is the arm's
    own code; the test that picks the arm is the program's data, not replayed."""
    code = trace.module.code_for_node(arm.site)
    if names_in(code) - {"torch"}:
        return None
    name = label if label.isidentifier() else "loss"
    script = f"import torch\n{name} = {code}\n{name}.backward()\n"
    return Witness(
        script,
        Expectation(kind="raises", exception="RuntimeError", message=NO_GRAD_FN),
        f"on that arm of the `if`, `{name}` is made from `{code}` alone: its backward raises",
    )


def witness_for_repeated(trace: Trace, backward: Backward, first: Backward) -> Witness | None:
    seqs = _backward_seqs(backward) | _backward_seqs(first)
    essential = {backward.seq, first.seq}
    for node, _ in backward.freed:
        essential |= _statements_of(trace, node.site, seqs)  # where the freed graph was made
    witness = _raises(
        trace,
        seqs,
        SECOND_BACKWARD,
        "a second backward through a graph whose saved tensors were freed",
        frozenset(essential),
    )
    latent = stopped_before(trace, backward.seq) if witness is not None else None
    return replace(witness, latent=latent) if witness is not None and latent else witness


def _raises(
    trace: Trace,
    seqs: set[int],
    message: str,
    description: str,
    essential: frozenset[int] = frozenset(),
) -> Witness | None:
    """The slice, expected to stop with torch's ``RuntimeError`` starting with ``message``."""
    script = _script(trace, seqs, essential)
    if script is None:
        return None
    return Witness(
        script,
        Expectation(kind="raises", exception="RuntimeError", message=message),
        description,
    )


def witness_for_clone(trace: Trace, event: CloneEscape) -> Witness | None:
    tensor = event.tensor
    if event.how == "numpy":
        script = _script(trace, set(tensor.prov) | {event.seq}, frozenset({event.seq}))
        if script is None:
            return None
        return Witness(
            script,
            Expectation(
                kind="raises",
                exception="RuntimeError",
                message="Can't call numpy() on Tensor that requires grad",
            ),
            "the clone still requires grad, so `.numpy()` raises",
        )
    name = _name_in_script(tensor)
    seqs = set(tensor.prov)
    extra = ""
    bound = name is not None and any(trace.bindings.get(s, {}).get(name) is tensor for s in seqs)
    if not bound or tensor.site is not tensor.clone_site:
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


def _copied_stand_in(trace: Trace, event: TensorFromTensor) -> str | None:
    """Where the copied tensor's origin is out of the slice's reach (an attribute chain of
    objects, a helper's parameter): the copy of a stand-in for it, which is all the finding
    rests on, since torch warns for any tensor argument."""
    if not trace.want_witnesses:
        return None
    kind = "leaf" if event.tensor.requires_grad is Tri.YES else "plain"
    argument = " ".join(cst.Module(body=[]).code_for_node(event.argument).split())
    if len(argument) > 48:  # the end says what it is: ``...get_model_object("m").sigmas``
        argument = "..." + argument[-45:]
    copy = _copy_call(event)
    if copy is None:
        return None
    lines = [
        *HEADER,
        f"# stand-in for `{argument}`, a tensor",
        f"source = {stand_ins.fill(kind, (2,))}",
    ]
    if copy.startswith("other."):
        lines.append(f"other = {stand_ins.fill('plain', (2,))}  # stand-in for the receiver")
    return "\n".join([*lines, f"copied = {copy}", ""])


_LITERAL_OPTIONS = re.compile(r"(True|False|None|torch\.\w+|-?\d+(\.\d*)?|'\w*'|\"\w*\")")
"""The values of a copy's keyword options a stand-in copy may repeat as written."""


def _copy_call(event: TensorFromTensor) -> str | None:
    """The copy as the file writes it, of ``source``: ``torch.tensor(source)``, with the
    file's keyword options (``requires_grad=True``) where they are literals (a ``dtype``
    or ``device`` the file computes is left out: torch warns whatever they are);
    ``source.new_tensor(source, ...)`` for ``out.new_tensor(out, ...)`` (``other.`` for
    another receiver)."""
    call = event.site
    if not isinstance(call, cst.Call) or not call.args:
        return None
    code = cst.Module(body=[]).code_for_node
    options = []
    for arg in call.args[1:]:
        value = " ".join(code(arg.value).split())
        if arg.keyword is None:
            return None
        if not _LITERAL_OPTIONS.fullmatch(value):
            if arg.keyword.value in {"dtype", "device"}:
                continue  # a dtype or device of the file's: torch warns for any
            return None
        options.append(f"{arg.keyword.value}={value}")
    arguments = ", ".join(["source", *options])
    if event.copier == "torch.tensor":
        return f"torch.tensor({arguments})"
    if event.copier == "new_tensor" and isinstance(call.func, cst.Attribute):
        same = code(call.func.value).strip() == code(call.args[0].value).strip()
        return f"{'source' if same else 'other'}.new_tensor({arguments})"
    return None


def witness_for_tensor_copy(trace: Trace, event: TensorFromTensor) -> Witness | None:
    script = _script(trace, set(event.tensor.prov) | {event.seq}, frozenset({event.seq}))
    if script is None:
        script = _copied_stand_in(trace, event)
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


SCALAR_OF_GRAD = (
    "Converting a tensor with requires_grad=True to a scalar may lead to unexpected behavior."
)
"""torch's warning (its first sentence) when ``torch.tensor([a, b])`` turns a tensor that
requires grad into a number: the graph is dropped there."""


def witness_for_tensor_of_list(trace: Trace, event: TensorFromTensor) -> Witness | None:
    """``torch.tensor([a, b])`` of tensors that require grad: the slice that makes the
    list's items, then the file's statement; torch warns as it converts the one known to
    require grad."""
    seqs = set(event.tensor.prov) | set(event.sources) | {event.seq}
    script = _script(trace, seqs, frozenset({event.seq}))
    if script is None:
        return None
    return Witness(
        script,
        Expectation(kind="warns", message=SCALAR_OF_GRAD),
        "torch warns as `torch.tensor` turns a tensor that requires grad into a number",
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
    "witness_for_tensor_of_list",
]
