"""Witnesses: short scripts, cut from the analysed code, that reproduce a finding.

A witness is the provenance slice of the values a finding rests on: the statements that
made them, in execution order (loops come out unrolled, ``no_grad`` blocks re-wrapped),
with placeholders for what the file does not show (function parameters, calls of code the
analyzer does not know: a stand-in ``nn.Linear`` for an unknown module call). Only registry
calls, literals and plain assignments survive; anything else makes the finding "not
replayable" rather than a script that runs the user's code.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable

import libcst as cst

from autograd_lint import ops, stand_ins
from autograd_lint.analysis import config_constants, shapes
from autograd_lint.analysis.binding import literal_constant
from autograd_lint.analysis.names import dotted, is_literal
from autograd_lint.analysis.trace import (
    Backward,
    CloneEscape,
    DataWrite,
    Event,
    StaleSave,
    TensorFromTensor,
    Trace,
)
from autograd_lint.analysis.values import NNModule, PlainValue, Tensor, Tri, Unknown, Value
from autograd_lint.diagnostics import Expectation, Witness

HEADER = ("import torch", "import torch.nn as nn", "import torch.nn.functional as F")
_ALLOWED_BUILTINS = frozenset(
    {
        "range",
        "len",
        "float",
        "int",
        "abs",
        "min",
        "max",
        "list",
        "tuple",
        "sum",
        "zip",
        "enumerate",
    }
)
_TENSOR_METHODS = frozenset(
    set(ops.INPLACE_METHODS)
    | set(ops.NON_TENSOR_METHODS)
    | {name for name, spec in ops.OPS.items() if spec.method}
    | {
        "backward",
        "detach",
        "detach_",
        "requires_grad_",
        "retain_grad",
        "to",
        "cpu",
        "float",
        "double",
        "size",
        "append",
    }
)
_TORCH_ROOTS = ("torch", "nn", "F", "optim")

MODIFIED_SAVED = (
    "one of the variables needed for gradient computation has been modified by an inplace operation"
)
NO_GRAD_FN = "element 0 of tensors does not require grad and does not have a grad_fn"
SECOND_BACKWARD = "Trying to backward through the graph a second time"
"""torch's RuntimeError messages (their first words) for AG002, AG003 and AG004."""
_IMPORTS: dict[int, tuple[Trace, list[str]]] = {}
"""The torch imports of the last file rendered (one file's findings are rendered together)."""


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

    def leave_Attribute(
        self, original: cst.Attribute, updated: cst.Attribute
    ) -> cst.BaseExpression:
        if isinstance(updated.value, cst.Name) and updated.value.value == "self":
            return cst.Name(f"self_{updated.attr.value}")
        return updated


class _ConstantWriter(cst.CSTTransformer):
    """``args.lambda_adv`` -> ``1.0`` where the read gave that one constant: the witness has
    no settings object, only the value the file's settings hold."""

    def __init__(self, constants: dict[cst.CSTNode, int | bool | str | float | None]) -> None:
        self.constants = constants

    def leave_Attribute(
        self, original: cst.Attribute, updated: cst.Attribute
    ) -> cst.BaseExpression:
        const = self.constants.get(original)
        if const is None:
            return updated
        return cst.parse_expression(repr(const))

    def leave_AssignTarget(
        self, original: cst.AssignTarget, updated: cst.AssignTarget
    ) -> cst.AssignTarget:
        return original if isinstance(original.target, cst.Attribute) else updated

    def leave_AugAssign(self, original: cst.AugAssign, updated: cst.AugAssign) -> cst.AugAssign:
        return updated.with_changes(target=original.target)  # ``args.step += 1`` stays


class _ModelCallReplacer(cst.CSTTransformer):
    """``model(x)`` -> ``returned_12``: a call of the user's own module, whose ``forward`` the
    analyzer followed, stands for the value that ``forward`` returned (rendered under that
    name earlier in the script)."""

    def __init__(self, models: set[str], returned: str) -> None:
        self.models = models
        self.returned = returned
        self.replaced = 0

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        if isinstance(updated.func, cst.Name) and updated.func.value in self.models:
            self.replaced += 1
            return cst.Name(self.returned)
        return updated


class _FollowedCallReplacer(cst.CSTTransformer):
    """A call of the project's own function or method, followed to its one ``return``, ->
    ``returned_<seq>``: the value that ``return`` statement computed earlier in the script."""

    def __init__(self, returned_by: dict[cst.CSTNode, int], rendering: frozenset[int]) -> None:
        self.returned_by = returned_by
        self.rendering = rendering

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        seq = self.returned_by.get(original)
        if seq is not None and seq in self.rendering:
            return cst.Name(f"returned_{seq}")
        return updated


class _Checker(cst.CSTVisitor):
    """Decides whether a statement uses only what a witness may contain."""

    def __init__(self, modules: set[str]) -> None:
        self.ok = True
        self.modules = modules

    def visit_Call(self, node: cst.Call) -> None:
        name = dotted(node.func)
        if name is not None and (
            _known_callee(name) or name in _ALLOWED_BUILTINS or name in self.modules
        ):
            return
        if isinstance(node.func, cst.Attribute) and node.func.attr.value in _TENSOR_METHODS:
            return
        self.ok = False

    def visit_Lambda(self, node: cst.Lambda) -> None:
        self.ok = False

    def visit_Await(self, node: cst.Await) -> None:
        self.ok = False


def _placeholder(name: str, value: Value) -> str | None:
    """A marker line; its shape is filled in once the whole script is known."""
    if isinstance(value, Tensor):
        if value.requires_grad is Tri.YES and value.is_leaf is not Tri.NO:
            kind = "leaf"
        elif value.requires_grad is Tri.YES:
            kind = "nonleaf"
        else:
            kind = "plain"
        return f"{name} = {shapes.PLACEHOLDER_PREFIX}{kind}__"
    if isinstance(value, NNModule):
        return f"{name} = nn.Linear(2, 2)"
    return None


_MARKER = re.compile(
    rf"^(?P<indent>\s*)(?P<name>\w+) = {shapes.PLACEHOLDER_PREFIX}(?P<kind>\w+?)__$"
)


def _fill_placeholders(lines: list[str]) -> list[str]:
    """Give each placeholder the shape the script's own ops need."""
    names = [m.group("name") for m in map(_MARKER.match, lines) if m]
    if not names:
        return lines
    script = "\n".join(lines)
    found, ranges = shapes.infer_with_ranges(script, names)
    free = [m.group("name") for m in map(_MARKER.match, lines) if m and m.group("kind") == "free"]
    integers = shapes.integer_names(script, free)
    lists = shapes.list_names(script, free)
    filled = []
    for line in lines:
        match = _MARKER.match(line)
        if match is None:
            filled.append(line)
            continue
        name = match.group("name")
        kind = "plain" if match.group("kind") == "free" else match.group("kind")
        shape = found.get(name)
        if name in integers and shape is None:
            expression = str(integers[name])
        elif name in lists:
            expression = "[]"
        elif name in ranges and shape is not None:
            expression = stand_ins.indices(ranges[name], shape)
        else:
            known = shape is not None
            expression = stand_ins.stand_in(
                kind, shape if shape is not None else shapes.DEFAULT, known
            )
        filled.append(f"{match.group('indent')}{name} = {expression}")
    undefined = [name for name in free if name not in integers]
    if undefined:  # one line above the first: which stand-ins are guesses for unseen code
        first = next(i for i, line in enumerate(filled) if line.startswith(f"{undefined[0]} = "))
        filled.insert(first, stand_ins.undefined_note(undefined))
    return filled


_LEGACY_DTYPES = {
    "FloatTensor": "torch.float32",
    "Tensor": "torch.float32",
    "DoubleTensor": "torch.float64",
    "LongTensor": "torch.long",
    "IntTensor": "torch.int32",
    "BoolTensor": "torch.bool",
}


def _legacy_constructor(site: cst.Call, callee: str) -> str | None:
    """``torch.FloatTensor([[1., 2.]])`` as ``torch.tensor([[1., 2.]], dtype=torch.float32)``,
    ``torch.FloatTensor(3, 4)`` as ``torch.randn(3, 4)`` (its values are uninitialised): the
    file's own data and shapes, in the constructors every backend has."""
    parts = callee.split(".")
    if len(parts) != 2 or parts[0] != "torch" or parts[1] not in _LEGACY_DTYPES:
        return None
    dtype = _LEGACY_DTYPES[parts[1]]
    args = site.args
    if not args or any(a.keyword is not None or a.star for a in args):
        return None
    code = cst.Module(body=[]).code_for_node
    if len(args) == 1 and isinstance(args[0].value, cst.List | cst.Tuple):
        if not is_literal(args[0].value):
            return None
        return f"torch.tensor({' '.join(code(args[0].value).split())}, dtype={dtype})"
    sizes = [literal_constant(a.value) if isinstance(a.value, cst.Integer) else None for a in args]
    if any(size is None for size in sizes):
        return None
    dims = ", ".join(str(size) for size in sizes)
    if dtype in {"torch.float32", "torch.float64"}:
        return f"torch.randn({dims}, dtype={dtype})"
    return f"torch.zeros({dims}, dtype={dtype})"


def _known_constants(trace: Trace) -> dict[str, int | bool | str | float]:
    """Names bound to one known constant wherever the file binds them (``in_dim, out_dim =
    (5, 2)``, ``n_steps = 3``): a slice that reads such a name gets the number, not a tensor."""
    seen: dict[str, int | bool | str | float | None] = {}
    for bound in trace.bindings.values():
        for name, value in bound.items():
            const = value.const if isinstance(value, PlainValue) else None
            if name in seen and seen[name] != const:
                seen[name] = None
            else:
                seen.setdefault(name, const)
    return {name: const for name, const in seen.items() if const is not None}


def _inplace_flags(bound: dict[str, Value], rendered: str) -> list[str]:
    """``m.inplace = True`` for a layer the file made in-place later (a loop over
    ``modules()`` setting the flag): the script's layer must behave as the file's does."""
    return [
        f"{name}.inplace = True"
        for name, value in bound.items()
        if isinstance(value, NNModule)
        and value.builtin
        and value.inplace
        and "inplace" not in rendered
    ]


class SliceBuilder:
    """Renders a set of executed statements as a witness script."""

    def __init__(self, trace: Trace) -> None:
        self.trace = trace
        self.empty = cst.Module(body=[])
        self.layers: dict[str, NNModule] = {}
        """Built-in modules the last rendered script creates, by name (their parameters
        can be named through them: ``fc.weight``)."""
        self.models: set[str] = set()
        """Names of the user's own module instances (never created in a script)."""
        self.rendering: frozenset[int] = frozenset()
        """The statements of the script being rendered."""
        self.same_tensor: dict[tuple[int, int], str] = {}
        """(storage, creation site) of a tensor -> a name the script bound it to."""

    def render(
        self, seqs: set[int] | frozenset[int], essential: frozenset[int] = frozenset()
    ) -> str | None:
        """The script of ``seqs``; ``essential`` statements (the write, the save, the
        backward a finding rests on) must appear as written, never as stand-ins.

        Where the script needs a stand-in for a name the slice reads but never binds
        (``size = pred.size()`` that no provenance recorded), the statements binding it
        are added once and kept if the script then needs fewer stand-ins."""
        script = self._render(seqs, essential)
        missing = stand_ins.undefined_names(script) if script is not None else []
        if not missing:
            return script
        extra = self._binding_seqs(set(missing), seqs)
        if not extra:
            return self._render(seqs, essential)  # leave the builder as for that script
        wider = self._render(set(seqs) | extra, essential)
        if wider is not None and len(stand_ins.undefined_names(wider)) < len(missing):
            return wider
        return self._render(seqs, essential)

    def _binding_seqs(self, names: set[str], seqs: set[int] | frozenset[int]) -> set[int]:
        """For each of ``names``: the last statement before the slice's last one that binds
        it (in execution order, so the one the slice's read of it sees), where it binds a
        plain value (``size = pred.size()``). A tensor's statement is left out: its own
        inputs may have changed since, which only their provenance would tell."""
        last = max(seqs, default=-1)
        found: set[int] = set()
        for name in names:
            binding = [
                seq
                for seq, b in self.trace.bindings.items()
                if name in b and seq < last and seq in self.trace.statements
            ]
            if binding and isinstance(self.trace.bindings[max(binding)][name], PlainValue):
                found.add(max(binding))
        return found

    def _render(
        self, seqs: set[int] | frozenset[int], essential: frozenset[int] = frozenset()
    ) -> str | None:
        lines: list[str] = []
        defined: set[str] = set()
        modules: set[str] = set()
        names_of: dict[int, str] = {}
        """Value identity -> a name bound to it earlier in the script."""
        no_grad_open = False
        self.layers = {}
        self.same_tensor = {}
        self.models = set()
        self.rendering = frozenset(seqs)
        finished = self.trace.finished_after
        entries: list[tuple[int, int, int]] = []
        rendered_lines: list[str | None]
        callers: set[int] = set()
        for seq in seqs:
            caller = self.trace.called_from.get(seq)
            while caller is not None and caller not in callers:
                callers.add(caller)
                caller = self.trace.called_from.get(caller)
        needed = _names_read(self.trace, seqs)
        for seq in set(seqs) | callers:
            if seq in self.trace.inputs:
                entries.append((seq, 0, seq))
        for seq in seqs:
            # a statement whose call ran a method body comes after that body
            entries.append((finished.get(seq, seq), 2 if seq in finished else 1, seq))
        for _, kind, seq in sorted(entries):
            entry = self.trace.statements.get(seq)
            if entry is None:
                continue
            statement, grad_mode = entry
            assert isinstance(statement, cst.SimpleStatementLine)
            rendered: str | None = None
            if kind == 0:
                bound = self.trace.inputs[seq]
                literals = self.trace.input_literals.get(seq, {})
                rendered_lines = [
                    f"{name} = {self.empty.code_for_node(literals[name])}"
                    if name in literals
                    else self._define(name, value, names_of, unknown_is_input=True)
                    for name, value in bound.items()
                ]
                if seq not in seqs or callers:
                    # the arguments of a call the slice runs inside: only those the slice
                    # reads and that can be written from what the script defines stand
                    known = defined | set(bound)

                    def readable(name: str, line: str, known: set[str] = known) -> bool:
                        return name in needed and _reads_only(line, known)

                    bound, rendered_lines = _written(bound, rendered_lines, readable)
                    rendered_lines = rendered_lines or [""]
            else:
                bound = self.trace.bindings.get(seq, {})
                rendered = self._statement(statement, modules, seq)
                if rendered is None and seq in essential:
                    return None
                if rendered is None:
                    rendered_lines = [
                        self._define(name, value, names_of) for name, value in bound.items()
                    ]
                    if seq in callers:
                        # a call the slice runs inside (its loop targets are bound at the
                        # call's number): what cannot be written is left out
                        bound, rendered_lines = _written(
                            bound, rendered_lines, lambda name, line: True
                        )
                else:
                    rendered_lines = list(rendered.splitlines())
            if None in rendered_lines or not (
                rendered_lines or seq in self.trace.inputs or seq in callers
            ):
                # nothing stands for the statement; a call whose body was followed is
                # represented by that body's statements (and the arguments bound above)
                return None
            if rendered is not None:
                rendered_lines += _inplace_flags(bound, rendered)
            for name, value in bound.items():
                defined.add(name)
                names_of.setdefault(id(value), name)
                if isinstance(value, Tensor):
                    self.same_tensor.setdefault((value.storage, id(value.site)), name)
                if isinstance(value, NNModule) and not value.builtin:
                    self.models.add(name)
                if isinstance(value, NNModule) and value.builtin and kind and rendered is not None:
                    modules.add(name)
                    self.layers[name] = value
            if grad_mode is False and not no_grad_open:
                lines.append("with torch.no_grad():")
                no_grad_open = True
            elif grad_mode is not False and no_grad_open:
                no_grad_open = False
            prefix = "    " if no_grad_open else ""
            lines.extend(prefix + line for line in rendered_lines if line)
        free = self._free_names("\n".join(lines), defined)
        if free:  # ``cfg.network.coor_bin`` of a plain config class: the literal it holds
            lines = config_constants.substitute(self.trace.module.code, lines, free)
            free = self._free_names("\n".join(lines), defined)
        if free is None:
            return None
        constants = _known_constants(self.trace)
        parameters = self._parameters_named(free, lines)
        preamble = [
            f"{name} = {constants[name]!r}"
            if name in constants
            else f"{name} = {shapes.PLACEHOLDER_PREFIX}free__"
            for name in sorted(free)
            if name not in parameters
        ]
        for name in sorted(parameters):  # after its layer: ``emb_vec = token_embedding.weight``
            layer = parameters[name].rsplit(".", 1)[0]
            made = next(i for i, line in enumerate(lines) if line.startswith(f"{layer} = "))
            lines.insert(made + 1, f"{name} = {parameters[name]}")
        body = _fill_placeholders([*preamble, *lines])
        return "\n".join([*self._imports(), *body]) + "\n"

    def _define(
        self, name: str, value: Value, names_of: dict[int, str], unknown_is_input: bool = False
    ) -> str | None:
        """A stand-in for a value the script cannot compute as the file does.

        ``unknown_is_input``: the parameter of an inlined method, given an argument the file
        does not show (the caller's own parameter): a plain tensor, as a top-level name the
        slice reads but never binds would get.
        """
        other = names_of.get(id(value))
        if other is None and isinstance(value, Tensor):
            # the same tensor after a change of its flags (``requires_grad = True`` made
            # in a helper): the script's tensor took that change too
            other = self.same_tensor.get((value.storage, id(value.site)))
        if other is not None:
            return f"{name} = {other}" if other != name else ""
        if isinstance(value, Tensor) and isinstance(value.site, cst.Call):
            callee = dotted(value.site.func) or ""
            if callee.startswith("torch.") and callee.rsplit(".", 1)[-1] in ops.CREATION_FUNCTIONS:
                checker = _Checker(set())
                value.site.visit(checker)
                if checker.ok:
                    return f"{name} = {' '.join(self.empty.code_for_node(value.site).split())}"
            legacy = _legacy_constructor(value.site, callee)
            if legacy is not None:
                return f"{name} = {legacy}"
        if isinstance(value, NNModule) and not value.builtin:
            return ""  # calls of it are rendered through their returned values
        parameter = self.parameter_of_layer(value)
        if parameter is not None:
            return f"{name} = {parameter}"
        if unknown_is_input and isinstance(value, Unknown):
            return f"{name} = {shapes.PLACEHOLDER_PREFIX}plain__"
        return _placeholder(name, value)

    def _parameters_named(self, free: set[str], lines: list[str]) -> dict[str, str]:
        """Free names the file binds, once, to a parameter of a layer the script creates at
        its top level (a line of ``lines`` binds it)."""
        found: dict[str, str] = {}
        for name in free:
            values = [b[name] for b in self.trace.bindings.values() if name in b]
            if len(values) != 1 or not isinstance(values[0], Tensor) or not values[0].is_param:
                continue
            attribute = values[0].label.rsplit(".", 1)[-1]
            for layer_name, layer in self.layers.items():
                mine = any(param is values[0] for param in layer.params)
                made = any(line.startswith(f"{layer_name} = ") for line in lines)
                if mine and made and attribute in {"weight", "bias"}:
                    found[name] = f"{layer_name}.{attribute}"
        return found

    def parameter_of_layer(self, value: Value) -> str | None:
        """``fc.weight`` for a parameter of a layer the script creates as ``fc``."""
        if not isinstance(value, Tensor) or not value.is_param:
            return None
        if value.label not in {".weight", ".bias"}:
            return None
        for name, layer in self.layers.items():
            if any(param is value for param in layer.params):
                return f"{name}{value.label}"
        return None

    def _statement(
        self, statement: cst.SimpleStatementLine, modules: set[str], seq: int
    ) -> str | None:
        body = statement.body
        if len(body) == 1 and isinstance(body[0], cst.Return) and body[0].value is not None:
            # a method's return value gets a name the caller's stand-in can refer to
            value = body[0].value
            statement = statement.with_changes(
                body=[
                    cst.Assign(targets=[cst.AssignTarget(cst.Name(f"returned_{seq}"))], value=value)
                ]
            )
        if any(
            isinstance(s, cst.Return | cst.Import | cst.ImportFrom | cst.Global | cst.Nonlocal)
            for s in statement.body
        ):
            return None
        if self.trace.constants:
            written = statement.visit(_ConstantWriter(self.trace.constants))
            assert isinstance(written, cst.SimpleStatementLine)
            statement = written
        if self.trace.returned_by:
            replaced = statement.visit(
                _FollowedCallReplacer(self.trace.returned_by, self.rendering)
            )
            assert isinstance(replaced, cst.SimpleStatementLine)
            statement = replaced
        renamed = statement.visit(_SelfRenamer())
        assert isinstance(renamed, cst.SimpleStatementLine)
        renamed = self._replace_model_call(renamed, seq)
        checker = _Checker(modules)
        renamed.visit(checker)
        if not checker.ok:
            return None
        cleaned = renamed.with_changes(
            leading_lines=[], trailing_whitespace=cst.TrailingWhitespace()
        )
        return self.empty.code_for_node(cleaned).strip()

    def _replace_model_call(
        self, statement: cst.SimpleStatementLine, seq: int
    ) -> cst.SimpleStatementLine:
        """One call of a user module whose ``forward`` ran to a ``return``: its result."""
        last = self.trace.finished_after.get(seq)
        if last is None or last not in self.rendering or not self.models:
            return statement  # the ``return`` that names the result is not in the script
        entry = self.trace.statements.get(last)
        if entry is None:
            return statement
        body = entry[0]
        if not (
            isinstance(body, cst.SimpleStatementLine)
            and len(body.body) == 1
            and isinstance(body.body[0], cst.Return)
        ):
            return statement
        replacer = _ModelCallReplacer(self.models, f"returned_{last}")
        replaced = statement.visit(replacer)
        if replacer.replaced != 1 or not isinstance(replaced, cst.SimpleStatementLine):
            return statement  # none, or more than one call to tell apart
        return replaced

    def _imports(self) -> list[str]:
        cached = _IMPORTS.get(id(self.trace))
        if cached is not None and cached[0] is self.trace:
            return cached[1]
        lines = list(HEADER)
        for statement in self.trace.module.body:
            if isinstance(statement, cst.SimpleStatementLine):
                for small in statement.body:
                    if isinstance(small, cst.Import | cst.ImportFrom):
                        code = self.empty.code_for_node(small).strip()
                        root = code.split()[1].split(".")[0]
                        if root == "torch" and code not in lines:
                            lines.append(code)
        _IMPORTS.clear()
        _IMPORTS[id(self.trace)] = (self.trace, lines)
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
        known |= {n for n in collector.loaded if n.startswith(shapes.PLACEHOLDER_PREFIX)}
        if collector.called - known or collector.written - known:
            # a name the script never binds, whose attribute it sets (``p.requires_grad =``
            # for a loop target): a stand-in would take the change, not the real tensor
            return None
        early = _read_before_bound(code) - collector.called - _ALLOWED_BUILTINS
        return (collector.loaded - known - collector.called) | early


def _read_before_bound(code: str) -> set[str]:
    """Names a statement reads before any earlier statement of the script binds them
    (``batch = batch.view(-1, 784)`` for a loop target, ``total += loss`` for an
    accumulator set before the slice): they need a stand-in at the top."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return set()
    statements: list[ast.stmt] = []
    pending = list(tree.body)
    while pending:
        statement = pending.pop(0)
        if isinstance(statement, ast.With):
            pending[:0] = statement.body
        else:
            statements.append(statement)
    bound: set[str] = set()
    early: set[str] = set()
    for statement in statements:
        reads = {
            n.id
            for n in ast.walk(statement)
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)
        }
        if isinstance(statement, ast.AugAssign) and isinstance(statement.target, ast.Name):
            reads.add(statement.target.id)
        early |= reads - bound
        bound |= {
            n.id
            for n in ast.walk(statement)
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
        }
    early -= {n for n in early if n.startswith(shapes.PLACEHOLDER_PREFIX)}
    return early - set(_TORCH_ROOTS) - {"True", "False", "None"}


class _NameCollector(cst.CSTVisitor):
    def __init__(self) -> None:
        self.loaded: set[str] = set()
        self.called: set[str] = set()
        self.assigned: set[str] = set()
        self.written: set[str] = set()
        """Names whose attributes are assigned (``p.requires_grad = False``)."""

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        target = node.target
        if isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name):
            self.written.add(target.value.value)

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


def _written(
    bound: dict[str, Value],
    lines: list[str | None],
    keep: Callable[[str, str], bool],
) -> tuple[dict[str, Value], list[str | None]]:
    """The bindings whose stand-in line could be written (and that ``keep`` accepts), with
    those lines, in order."""
    pairs = [
        (name, value, line)
        for (name, value), line in zip(bound.items(), lines, strict=True)
        if line is not None and keep(name, line)
    ]
    return {name: value for name, value, _ in pairs}, [line for _, _, line in pairs]


def _reads_only(line: str, defined: set[str]) -> bool:
    """Whether the right-hand side of an assignment line reads only ``defined`` names (and
    torch's): a stand-in that reads a name the script never binds would replay wrongly."""
    _, _, value = line.partition("=")
    try:
        expression = cst.parse_expression(value.strip() or "None")
    except cst.ParserSyntaxError:
        return False
    collector = _NameCollector()
    expression.visit(collector)
    known = defined | set(_TORCH_ROOTS) | _ALLOWED_BUILTINS | {"True", "False", "None"}
    return not ((collector.loaded | collector.called) - known)


def _names_read(trace: Trace, seqs: set[int] | frozenset[int]) -> set[str]:
    """Every name the given statements mention (a superset of what they read)."""
    collector = _NameCollector()
    for seq in seqs:
        entry = trace.statements.get(seq)
        if entry is not None:
            entry[0].visit(collector)
    return collector.loaded | collector.called


def _name_in_script(tensor: Tensor) -> str | None:
    label = tensor.label
    if not label:
        return None
    if label.startswith("self."):
        label = "self_" + label[5:]
    return label if all(part.isidentifier() for part in label.split(".")) else None


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
    script = _script(trace, seqs, essential | {write_seq})
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
    return Witness(
        f"{before}{bind}version_before = {name}._version\n{write}\n",
        Expectation(kind="equals", observe=f"{name}._version == version_before", value="True"),
        f"the write leaves the version counter of `{name}` unchanged: autograd cannot see it",
    )


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
    cut = getattr(backward.tensor, "cut_site", None)
    return _raises(
        trace,
        seqs,
        NO_GRAD_FN,
        "backward on a tensor that does not require grad",
        frozenset({backward.seq} | _statements_of(trace, cut, seqs)),
    )


def witness_for_repeated(trace: Trace, backward: Backward, first: Backward) -> Witness | None:
    seqs = _backward_seqs(backward) | _backward_seqs(first)
    essential = {backward.seq, first.seq}
    for node, _ in backward.freed:
        essential |= _statements_of(trace, node.site, seqs)  # where the freed graph was made
    return _raises(
        trace,
        seqs,
        SECOND_BACKWARD,
        "a second backward through a graph whose saved tensors were freed",
        frozenset(essential),
    )


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


def _render_expression(trace: Trace, node: cst.CSTNode) -> str:
    renamed = node.visit(_SelfRenamer())
    assert isinstance(renamed, cst.CSTNode)
    return " ".join(cst.Module(body=[]).code_for_node(renamed).split())


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
    return "\n".join(
        [
            *HEADER,
            f"# stand-in for `{argument}`, a tensor",
            f"source = {stand_ins.fill(kind, (2,))}",
            "copied = torch.tensor(source)",
            "",
        ]
    )


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
