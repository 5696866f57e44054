"""Witnesses: the names a script may use and how the file's names become the script's.

What a witness may call (registry ops, a few builtins, the tensor methods the registry
knows), how ``self.h`` becomes ``self_h`` and a settings read its one constant, which names
a slice reads, binds or leaves free. Rendering (:mod:`witness_render`) and the stand-ins
(:mod:`witness_stand_ins`) build on these.
"""

from __future__ import annotations

import ast

import libcst as cst

from autograd_lint import nn_modules, ops
from autograd_lint.analysis import shapes
from autograd_lint.analysis.names import dotted
from autograd_lint.analysis.trace import Trace
from autograd_lint.analysis.values import PlainValue, Tensor
from autograd_lint.quiet_parse import parse_module_quietly

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
        "dict",
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
        "values",  # of a dict of losses or outputs (``sum(losses.values())``)
        "new_zeros",  # what a legacy ``new(*size)`` is written as
        "type",
    }
)
_TORCH_ROOTS = ("torch", "nn", "F", "optim")
_EMPTY = cst.Module(body=[])


def _known_callee(name: str) -> bool:
    parts = name.split(".")
    if name == "torch.device":  # ``device = torch.device("cpu")``, which a witness may read
        return True
    if parts[0] in _TORCH_ROOTS and len(parts) >= 2:
        last = parts[-1]
        return (
            last in ops.OPS
            or last in ops.CREATION_FUNCTIONS
            or last in nn_modules.MODULES
            or last in nn_modules.OPTIMIZERS
            or last in ops.GRAD_MODE_CONTEXTS
            or last in {"Parameter", "backward", "grad"}
            or last in ops.INPLACE_METHODS
        )
    return False


class _SelfRenamer(cst.CSTTransformer):
    """``self.h`` -> ``self_h``: the witness has no instance, only names. ``prefix`` stands
    for ``self`` (another instance's attributes get names of their own), ``outside`` for
    reads of an instance's attribute from outside it (``cconv.weight`` -> ``self_weight``,
    see :mod:`witness_instances`)."""

    def __init__(
        self,
        prefix: str = "self",
        outside: dict[tuple[str, str], str] | None = None,
        chains: dict[str, str] | None = None,
    ) -> None:
        self.prefix = prefix
        self.outside = outside or {}
        self.chains = chains or {}
        """Code of a longer chain (``model.bert.encoder.layer[i].output.dense``) -> the name
        of the attribute it reaches (``self_dense``)."""

    def leave_Attribute(
        self, original: cst.Attribute, updated: cst.Attribute
    ) -> cst.BaseExpression:
        if self.chains:
            chained = self.chains.get(_EMPTY.code_for_node(original))
            if chained is not None:
                return cst.Name(chained)
        if isinstance(updated.value, cst.Name):
            if updated.value.value == "self":
                return cst.Name(f"{self.prefix}_{updated.attr.value}")
            renamed = self.outside.get((updated.value.value, updated.attr.value))
            if renamed is not None:
                return cst.Name(renamed)
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


_VARIABLE = frozenset({"torch.autograd.Variable", "torch.autograd.variable.Variable"})
_REPARAMETRIZATIONS = frozenset(
    f"{module}.{name}"
    for module in ("torch.nn.utils", "nn.utils", "torch.nn.utils.parametrizations")
    for name in ("weight_norm", "spectral_norm")
)


def imported_names(module: cst.Module, qualnames: frozenset[str]) -> frozenset[str]:
    """The names under which the file calls the torch functions ``qualnames``: the dotted
    ones, and those its top-level ``from <module> import <name> [as alias]`` binds."""
    found = set(qualnames)
    for statement in module.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if not isinstance(small, cst.ImportFrom) or isinstance(small.names, cst.ImportStar):
                continue
            source = dotted(small.module) if small.module is not None else None
            if source is None or small.relative:
                continue
            for alias in small.names:
                if not isinstance(alias.name, cst.Name):
                    continue
                if f"{source}.{alias.name.value}" not in qualnames:
                    continue
                bound = alias.asname.name if alias.asname is not None else alias.name
                if isinstance(bound, cst.Name):
                    found.add(bound.value)
    return frozenset(found)


def variable_names(module: cst.Module) -> frozenset[str]:
    """The names under which the file calls the legacy ``torch.autograd.Variable``."""
    return imported_names(module, _VARIABLE)


def reparametrization_names(module: cst.Module) -> frozenset[str]:
    """The names under which the file calls ``weight_norm`` or ``spectral_norm``."""
    return imported_names(module, _REPARAMETRIZATIONS)


class _ReparametrizationWriter(cst.CSTTransformer):
    """``weight_norm(nn.Linear(4, 2), dim=None)`` -> ``nn.Linear(4, 2)``: the layer computes
    its weight from other parameters, and its output is still a function of its input that
    requires grad; a script that reads the layer's parameters is refused instead (see
    ``SliceBuilder``), as their names are not the layer's any more."""

    def __init__(self, names: frozenset[str]) -> None:
        self.names = names
        self.written = 0

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        if dotted(updated.func) not in self.names or not updated.args:
            return updated
        first = updated.args[0]
        if first.keyword is not None or first.star:
            return updated
        self.written += 1
        return first.value


class _VariableWriter(cst.CSTTransformer):
    """``Variable(t)`` -> ``t.detach()``, ``Variable(t, requires_grad=True)`` ->
    ``t.detach().requires_grad_()``: what the legacy wrapper returns (a new leaf on the same
    data, cut from any graph), in calls every backend has. Any other argument (``volatile``)
    leaves the call as written, which no witness may contain."""

    def __init__(self, names: frozenset[str]) -> None:
        self.names = names

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        if dotted(updated.func) not in self.names or not updated.args:
            return updated
        source, *rest = updated.args
        if source.keyword is not None or source.star:
            return updated
        flag = "False"
        for arg in rest:
            if arg.keyword is None or arg.keyword.value != "requires_grad":
                return updated
            if not isinstance(arg.value, cst.Name) or arg.value.value not in {"True", "False"}:
                return updated
            flag = arg.value.value
        value = source.value
        if not isinstance(value, cst.Name | cst.Attribute | cst.Call | cst.Subscript):
            value = value.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
        detached = cst.Call(cst.Attribute(value, cst.Name("detach")))
        if flag == "False":
            return detached
        return cst.Call(cst.Attribute(detached, cst.Name("requires_grad_")))


class LegacyNewWriter(cst.CSTTransformer):
    """``t.new(*size)``, ``t.new(2, 3)`` -> ``t.new_zeros(size)``, ``t.new_zeros((2, 3))``:
    the legacy constructor of a tensor of those sizes, with ``t``'s dtype and device, in a
    call every backend has. Its values are uninitialised, so zeros are one run of it. A
    ``new`` of data (``t.new([1, 2])``, ``t.new(other)``) is left as written, which no
    witness may contain."""

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        func = updated.func
        if not isinstance(func, cst.Attribute) or func.attr.value != "new" or not updated.args:
            return updated
        args = updated.args
        if any(arg.keyword is not None for arg in args):
            return updated
        if len(args) == 1 and args[0].star == "*":
            size: cst.BaseExpression = args[0].value
        elif all(not arg.star and isinstance(arg.value, cst.Integer) for arg in args):
            size = cst.Tuple([cst.Element(arg.value) for arg in args])
        else:
            return updated
        return cst.Call(func.with_changes(attr=cst.Name("new_zeros")), [cst.Arg(size)])


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


class _ConstantAndCallWriter(_ConstantWriter, _FollowedCallReplacer):
    """Both rewrites in one pass over the file's statement: each finds its nodes by their
    identity in the file's tree (a followed call, a read that gave a constant), which the
    tree a first rewrite returns no longer holds (``sum(model.losses(x, self.k).values())``
    with ``self.k`` a constant)."""

    def __init__(
        self,
        constants: dict[cst.CSTNode, int | bool | str | float | None],
        returned_by: dict[cst.CSTNode, int],
        rendering: frozenset[int],
    ) -> None:
        _ConstantWriter.__init__(self, constants)
        _FollowedCallReplacer.__init__(self, returned_by, rendering)


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


Constants = dict[str, int | bool | str | float]
_CONSTANTS: dict[int, tuple[Trace, int, Constants]] = {}
"""The known constants of the last file rendered, with the count of its bindings then: one
file's findings are rendered together, each scan of every binding would be the same."""


def _known_constants(trace: Trace) -> Constants:
    """Names bound to one known constant wherever the file binds them (``in_dim, out_dim =
    (5, 2)``, ``n_steps = 3``): a slice that reads such a name gets the number, not a tensor."""
    cached = _CONSTANTS.get(id(trace))
    if cached is not None and cached[0] is trace and cached[1] == len(trace.bindings):
        return cached[2]
    seen: dict[str, int | bool | str | float | None] = {}
    for bound in trace.bindings.values():
        for name, value in bound.items():
            const = value.const if isinstance(value, PlainValue) else None
            if name in seen and seen[name] != const:
                seen[name] = None
            else:
                seen.setdefault(name, const)
    found = {name: const for name, const in seen.items() if const is not None}
    _CONSTANTS.clear()
    _CONSTANTS[id(trace)] = (trace, len(trace.bindings), found)
    return found


def _read_before_bound(code: str) -> set[str]:
    """Names a statement reads before any earlier statement of the script binds them
    (``batch = batch.view(-1, 784)`` for a loop target, ``total += loss`` for an
    accumulator set before the slice): they need a stand-in at the top."""
    try:
        tree = parse_module_quietly(code)
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


def _render_expression(trace: Trace, node: cst.CSTNode) -> str:
    renamed = node.visit(_SelfRenamer())
    assert isinstance(renamed, cst.CSTNode)
    return " ".join(cst.Module(body=[]).code_for_node(renamed).split())


class _Unstarrer(cst.CSTTransformer):
    """``nn.Sequential(*layers)`` -> ``nn.Sequential(nn.Linear(4, 8), nn.ReLU())`` where the
    script binds ``layers`` once, to that list, and reads it nowhere else: a witness may not
    unpack (the validation refuses ``*``), and the elements are what the call received."""

    def __init__(self, lists: dict[str, list[cst.BaseExpression]]) -> None:
        self.lists = lists

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.Call:
        args: list[cst.Arg] = []
        for arg in updated.args:
            name = arg.value.value if isinstance(arg.value, cst.Name) else None
            if arg.star == "*" and name in self.lists:
                args.extend(cst.Arg(element) for element in self.lists[name])
            else:
                args.append(arg)
        return updated.with_changes(args=args)


class _Occurrences(cst.CSTVisitor):
    """How often each name occurs, and how often as a call's ``*name`` argument."""

    def __init__(self) -> None:
        self.count: dict[str, int] = {}
        self.starred: dict[str, int] = {}

    def visit_Name(self, node: cst.Name) -> None:
        self.count[node.value] = self.count.get(node.value, 0) + 1

    def visit_Arg(self, node: cst.Arg) -> None:
        if node.star == "*" and isinstance(node.value, cst.Name):
            self.starred[node.value.value] = self.starred.get(node.value.value, 0) + 1


def _list_literal(statement: cst.BaseStatement) -> tuple[str, list[cst.BaseExpression]] | None:
    """``name = [a, b]`` (or a tuple) as its name and elements, none of them starred."""
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return None
    small = statement.body[0]
    if not (
        isinstance(small, cst.Assign)
        and len(small.targets) == 1
        and isinstance(small.targets[0].target, cst.Name)
        and isinstance(small.value, cst.List | cst.Tuple)
    ):
        return None
    elements = small.value.elements
    if any(isinstance(element, cst.StarredElement) for element in elements):
        return None
    return small.targets[0].target.value, [element.value for element in elements]


def unstarred(code: str) -> str:
    """``code`` with each ``*name`` argument written out where the script binds ``name``
    once, at its top level, to a list literal, and mentions it only there and in that
    argument (see :class:`_Unstarrer`); that binding is dropped."""
    if "*" not in code:
        return code
    try:
        module = cst.parse_module(code)
    except cst.ParserSyntaxError:
        return code
    lists = dict(found for found in map(_list_literal, module.body) if found is not None)
    occurrences = _Occurrences()
    module.visit(occurrences)
    single = {
        name: items
        for name, items in lists.items()
        if occurrences.count[name] == 2 and occurrences.starred.get(name) == 1
    }
    if not single:
        return code
    kept = [
        statement
        for statement in module.body
        if (found := _list_literal(statement)) is None or found[0] not in single
    ]  # the list, now read nowhere, is not built twice
    return module.with_changes(body=kept).visit(_Unstarrer(single)).code
