"""Refuse any witness that is not the plain, bounded Python a witness is supposed to be.

A witness is cut from the user's code by the static analysis and then *executed*, so it
is checked twice before it runs: here, by an allow-list over its syntax tree, and in the
sandbox, by restricted builtins and operating-system limits. This first layer is what
keeps attribute tricks (``().__class__.__bases__[0].__subclasses__()``), imports of
anything but torch, and unbounded loops out; the second layer catches what a permitted
call can still do (allocate too much, run too long).

Everything is an allow-list: syntax node types, imported modules, attribute names and
free names. An attribute not listed is refused even if harmless — the analysis only
writes registry calls, so a witness that needs something else is not one it made.

This module only uses :mod:`ast` and the op registry: the sandbox child imports it to
validate again before executing, and it must stay cheap to import.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from typing import NamedTuple

from autograd_lint import nn_modules, ops

MAX_SCRIPT_CHARS = 20_000
"""Longer text is not a witness (they are a few lines); refusing early bounds parse cost."""
MAX_NODES = 4_000
MAX_LOOP_ITERATIONS = 16
"""``for _ in range(n)`` needs n >= 2 to show what one iteration leaves for the next."""
MAX_LOOP_DEPTH = 2
MAX_STRING_CHARS = 500
MAX_INT_LITERAL = 10**12

ALLOWED_MODULES: frozenset[str] = frozenset(
    {"torch", "torch.nn", "torch.nn.functional", "torch.optim", "torch.autograd"}
)
"""What ``import`` may name; the sandbox maps exactly these to the backend's modules."""

SAFE_BUILTINS: frozenset[str] = frozenset(
    {
        "range",
        "len",
        "float",
        "int",
        "bool",
        "abs",
        "min",
        "max",
        "sum",
        "round",
        "print",
        "isinstance",
        "list",
        "tuple",
        "dict",
        "str",
        "repr",
        "zip",
        "enumerate",
        "True",
        "False",
        "None",
    }
)
"""Builtins a witness may name; the sandbox gives it these and nothing else."""

WITNESS_HELPERS: frozenset[str] = frozenset({"autograd_nodes"})
"""Functions the sandbox adds for observations (see ``worker.autograd_nodes``): facts about
a graph that no single attribute shows, computed the same way on every backend."""

_TENSOR_AND_AUTOGRAD_ATTRIBUTES: frozenset[str] = frozenset(
    {
        # namespaces
        "nn",
        "functional",
        "optim",
        "autograd",
        # autograd state of a tensor
        "data",
        "grad",
        "requires_grad",
        "inplace",  # a layer's in-place flag, set after it is built
        "requires_grad_",
        "grad_fn",
        "is_leaf",
        "backward",
        "retain_grad",
        "retains_grad",
        "register_hook",
        "detach_",
        "_version",
        "name",
        "next_functions",
        # metadata and conversions
        "shape",
        "dtype",
        "device",
        "ndim",
        "T",
        "float",
        "double",
        "long",
        "int",
        "bool",
        "half",
        "to",
        "cpu",
        "type_as",
        "type",
        "max",
        "min",
        "amax",
        "amin",
        "all",
        "any",
        "allclose",
        "equal",
        "isclose",
        "where",
        "cat",
        "stack",
        "masked_fill",
        "new_zeros",
        "new_ones",
        "new_tensor",
        "add_",
        "sub_",
        "mul_",
        "div_",
        # dtypes and the tensor type
        "Tensor",
        "float32",
        "float64",
        "float16",
        "int64",
        "int32",
        # grad mode, seeding, autograd functions
        "is_grad_enabled",
        "manual_seed",
        # modules and optimizers
        "Parameter",
        "Module",
        "parameters",
        "named_parameters",
        "weight",
        "bias",
        "zero_grad",
        "step",
        "param_groups",
        "train",
        "eval",
        "state_dict",
        # lists built by witnesses (snapshots), dicts of losses or outputs
        "append",
        "values",
        # the legacy wrapper: ``Variable(t, requires_grad=True)`` is a tensor constructor
        "Variable",
    }
)

ALLOWED_ATTRIBUTES: frozenset[str] = frozenset(
    {name for name in ops.OPS if not name.startswith("_")}
    | set(ops.INPLACE_TWINS)
    | set(ops.INPLACE_METHODS)
    | set(ops.CREATION_FUNCTIONS)
    | set(ops.NON_TENSOR_METHODS)
    | set(ops.GRAD_MODE_CONTEXTS)
    | set(nn_modules.MODULES)
    | set(nn_modules.OPTIMIZERS)
    | _TENSOR_AND_AUTOGRAD_ATTRIBUTES
)
"""Attribute names a witness may read, write or call: the registry's vocabulary and the
autograd state torch exposes. Names with a leading underscore appear only where listed."""

_STATEMENTS: tuple[type[ast.AST], ...] = (
    ast.Assign,
    ast.AugAssign,
    ast.Expr,
    ast.With,
    ast.For,
    ast.Import,
    ast.ImportFrom,
    ast.Pass,
    ast.Delete,
)

_EXPRESSIONS: tuple[type[ast.AST], ...] = (
    ast.Call,
    ast.Attribute,
    ast.Name,
    ast.Constant,
    ast.Subscript,
    ast.Slice,
    ast.Tuple,
    ast.List,
    ast.Dict,
    ast.BinOp,
    ast.UnaryOp,
    ast.Compare,
    ast.BoolOp,
    ast.IfExp,
    ast.ListComp,
    ast.GeneratorExp,
    ast.DictComp,
    ast.SetComp,
)

_OTHER_NODES: tuple[type[ast.AST], ...] = (
    ast.Module,
    ast.Expression,
    ast.keyword,
    ast.alias,
    ast.withitem,
    ast.expr_context,
    ast.operator,
    ast.unaryop,
    ast.cmpop,
    ast.boolop,
    ast.comprehension,
)

_ALLOWED_NODES = _STATEMENTS + _EXPRESSIONS + _OTHER_NODES


class WitnessRejected(ValueError):
    """The witness is not one the sandbox will run; the message says why, with a line."""


class ValidatedWitness(NamedTuple):
    """Scripts and observation that passed validation (the text is unchanged)."""

    script: str
    observe: str | None = None
    control_script: str | None = None


def _where(node: ast.AST) -> str:
    line = getattr(node, "lineno", None)
    return f" (line {line})" if line is not None else ""


def _parse(text: str, mode: str, what: str) -> ast.AST:
    if len(text) > MAX_SCRIPT_CHARS:
        raise WitnessRejected(
            f"{what} is {len(text)} characters, over the {MAX_SCRIPT_CHARS} limit"
        )
    try:
        return ast.parse(text, filename=f"<{what}>", mode=mode)
    except SyntaxError as error:
        raise WitnessRejected(f"{what} does not parse: {error.msg} (line {error.lineno})") from None
    except (ValueError, RecursionError, MemoryError) as error:
        raise WitnessRejected(f"{what} does not parse: {type(error).__name__}") from None


def _is_private(name: str) -> bool:
    return name.startswith("_") and name != "_"


def _check_name(name: str, node: ast.AST) -> None:
    if _is_private(name):
        raise WitnessRejected(f"name {name!r} is not allowed{_where(node)}")


def _check_attribute(attr: str, node: ast.AST) -> None:
    if attr not in ALLOWED_ATTRIBUTES:
        raise WitnessRejected(f"attribute {attr!r} is not allowed{_where(node)}")


def _constant_int(node: ast.AST) -> int | None:
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return node.value
    if (
        isinstance(node, ast.UnaryOp)
        and isinstance(node.op, ast.USub)
        and isinstance(node.operand, ast.Constant)
        and type(node.operand.value) is int
    ):
        return -node.operand.value
    return None


def _check_import(node: ast.Import | ast.ImportFrom) -> None:
    if isinstance(node, ast.Import):
        for alias in node.names:
            if alias.name not in ALLOWED_MODULES:
                raise WitnessRejected(f"import of {alias.name!r} is not allowed{_where(node)}")
            if alias.asname is not None:
                _check_name(alias.asname, node)
        return
    module = node.module or ""
    if node.level != 0 or module not in ALLOWED_MODULES:
        raise WitnessRejected(f"import from {module!r} is not allowed{_where(node)}")
    for alias in node.names:
        full = f"{module}.{alias.name}"
        if alias.name == "*":
            raise WitnessRejected(f"star import is not allowed{_where(node)}")
        if full not in ALLOWED_MODULES:
            _check_attribute(alias.name, node)
        if alias.asname is not None:
            _check_name(alias.asname, node)


def _attribute_chain(node: ast.AST) -> list[str] | None:
    """``torch.nn.functional.relu`` -> ``["torch", "nn", "functional", "relu"]``."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return parts[::-1]


def _check_with(node: ast.With) -> None:
    for item in node.items:
        call = item.context_expr
        chain = _attribute_chain(call.func) if isinstance(call, ast.Call) else None
        if chain is None or chain[-1] not in ops.GRAD_MODE_CONTEXTS:
            raise WitnessRejected(f"'with' is only allowed for grad-mode contexts{_where(node)}")
        if item.optional_vars is not None:
            raise WitnessRejected(f"'with ... as' is not allowed{_where(node)}")


def _check_for(node: ast.For, depth: int) -> None:
    if depth > MAX_LOOP_DEPTH:
        raise WitnessRejected(f"loops nested deeper than {MAX_LOOP_DEPTH}{_where(node)}")
    if node.orelse:
        raise WitnessRejected(f"'for ... else' is not allowed{_where(node)}")
    if not isinstance(node.target, ast.Name):
        raise WitnessRejected(f"a loop variable must be a plain name{_where(node)}")
    it = node.iter
    if not (
        isinstance(it, ast.Call)
        and isinstance(it.func, ast.Name)
        and it.func.id == "range"
        and not it.keywords
        and 1 <= len(it.args) <= 2
    ):
        raise WitnessRejected(f"loops must be 'for _ in range(<constant>)'{_where(node)}")
    bounds = [_constant_int(arg) for arg in it.args]
    if any(b is None for b in bounds):
        raise WitnessRejected(f"loop bounds must be integer constants{_where(node)}")
    values = [b for b in bounds if b is not None]
    count = values[0] if len(values) == 1 else values[1] - values[0]
    if count > MAX_LOOP_ITERATIONS:
        raise WitnessRejected(
            f"loop of {count} iterations, over the {MAX_LOOP_ITERATIONS} limit{_where(node)}"
        )


_COMPREHENSIONS = (ast.ListComp, ast.GeneratorExp, ast.DictComp, ast.SetComp)
_IMPURE_CALLS = frozenset(
    {"append", "backward", "step", "zero_grad", "register_hook", "retain_grad", "train"}
)
"""Calls a comprehension may not make: they change state, so a comprehension over a list it
appends to would never end, and a witness's effects stay in statements a reader sees."""


def _constant_count(node: ast.AST, constants: dict[str, int]) -> int | None:
    """An integer the script fixes before it runs: a literal, a name bound once to one, or a
    sum or difference of those (``range(1, POLY_DEGREE + 1)``)."""
    value = _constant_int(node)
    if value is not None:
        return value
    if isinstance(node, ast.Name):
        return constants.get(node.id)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Sub):
        left = _constant_count(node.left, constants)
        right = _constant_count(node.right, constants)
        if left is None or right is None:
            return None
        return left + right if isinstance(node.op, ast.Add) else left - right
    return None


def _integer_constants(tree: ast.AST) -> dict[str, int]:
    """Names the script binds exactly once, at top level, to an integer literal."""
    bound: dict[str, int] = {}
    seen: dict[str, int] = {}
    for node, _ in _walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            seen[node.id] = seen.get(node.id, 0) + 1
    for statement in tree.body if isinstance(tree, ast.Module) else []:
        if (
            isinstance(statement, ast.Assign)
            and len(statement.targets) == 1
            and isinstance(statement.targets[0], ast.Name)
        ):
            value = _constant_int(statement.value)
            if value is not None and seen.get(statement.targets[0].id) == 1:
                bound[statement.targets[0].id] = value
    return bound


def _check_comprehension(
    node: ast.ListComp | ast.GeneratorExp | ast.DictComp | ast.SetComp,
    loop_depth: int,
    constants: dict[str, int],
) -> None:
    """A comprehension is a bounded, pure loop: plain-name targets, ``range`` only over
    constants (at most ``MAX_LOOP_ITERATIONS``), no state-changing calls, nesting counted
    with ``for`` loops."""
    if loop_depth + len(node.generators) > MAX_LOOP_DEPTH:
        raise WitnessRejected(f"loops nested deeper than {MAX_LOOP_DEPTH}{_where(node)}")
    for generator in node.generators:
        if generator.is_async:
            raise WitnessRejected(f"async comprehensions are not allowed{_where(node)}")
        targets = (
            generator.target.elts if isinstance(generator.target, ast.Tuple) else [generator.target]
        )
        if not all(isinstance(t, ast.Name) for t in targets):
            raise WitnessRejected(f"a comprehension variable must be a plain name{_where(node)}")
        it = generator.iter
        if isinstance(it, ast.Call) and isinstance(it.func, ast.Name) and it.func.id == "range":
            bounds = [_constant_count(arg, constants) for arg in it.args]
            if it.keywords or not 1 <= len(bounds) <= 2 or None in bounds:
                raise WitnessRejected(f"comprehension range must be constant{_where(node)}")
            values = [b for b in bounds if b is not None]
            count = values[0] if len(values) == 1 else values[1] - values[0]
            if count > MAX_LOOP_ITERATIONS:
                raise WitnessRejected(
                    f"loop of {count} iterations, over the {MAX_LOOP_ITERATIONS} limit"
                    f"{_where(node)}"
                )
    for inner in ast.walk(node):
        if isinstance(inner, ast.Call) and isinstance(inner.func, ast.Attribute):
            attr = inner.func.attr
            if attr in _IMPURE_CALLS or (attr.endswith("_") and not attr.startswith("_")):
                raise WitnessRejected(f"a comprehension may not call {attr!r}{_where(inner)}")


def _check_node(node: ast.AST, loop_depth: int, constants: dict[str, int] | None = None) -> None:
    if not isinstance(node, _ALLOWED_NODES):
        raise WitnessRejected(f"{type(node).__name__} is not allowed in a witness{_where(node)}")
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        _check_import(node)
    elif isinstance(node, ast.Name):
        _check_name(node.id, node)
    elif isinstance(node, ast.Attribute):
        _check_attribute(node.attr, node)
    elif isinstance(node, ast.keyword):
        if node.arg is None:
            raise WitnessRejected(f"'**' arguments are not allowed{_where(node)}")
        _check_name(node.arg, node)
    elif isinstance(node, ast.Dict):
        if any(key is None for key in node.keys):
            raise WitnessRejected(f"'**' in a dict is not allowed{_where(node)}")
    elif isinstance(node, ast.Constant):
        value = node.value
        if isinstance(value, bytes):
            raise WitnessRejected(f"bytes literals are not allowed{_where(node)}")
        if isinstance(value, str) and len(value) > MAX_STRING_CHARS:
            raise WitnessRejected(
                f"string literal over {MAX_STRING_CHARS} characters{_where(node)}"
            )
        if type(value) is int and abs(value) > MAX_INT_LITERAL:
            raise WitnessRejected(f"integer literal over {MAX_INT_LITERAL}{_where(node)}")
    elif isinstance(node, ast.With):
        _check_with(node)
    elif isinstance(node, ast.For):
        _check_for(node, loop_depth)
    elif isinstance(node, _COMPREHENSIONS):
        _check_comprehension(node, loop_depth, constants or {})
    elif isinstance(node, (ast.Assign, ast.AugAssign, ast.Delete)):
        targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else [node.target]
        for target in targets:
            _check_target(target)


def _check_target(target: ast.AST) -> None:
    if isinstance(target, (ast.Tuple, ast.List)):
        for element in target.elts:
            _check_target(element)
    elif not isinstance(target, (ast.Name, ast.Attribute, ast.Subscript)):
        raise WitnessRejected(f"cannot assign to {type(target).__name__}{_where(target)}")


def _walk(tree: ast.AST) -> Iterable[tuple[ast.AST, int]]:
    """Every node with the number of enclosing ``for`` loops, iteratively (no recursion:
    a hostile, deeply nested tree must not overflow the validator's own stack)."""
    stack: list[tuple[ast.AST, int]] = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        yield node, depth
        inner = depth + 1 if isinstance(node, ast.For) else depth
        if isinstance(node, _COMPREHENSIONS):
            inner = depth + len(node.generators)
        stack.extend((child, inner) for child in ast.iter_child_nodes(node))


def _bound_names(tree: ast.AST) -> set[str]:
    names: set[str] = set()
    for node, _ in _walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                names.add(alias.asname or alias.name.split(".")[0])
    return names


def _undefined(node: ast.AST, known: set[str]) -> str | None:
    """The name ``node`` reads if it is neither bound by the script nor a safe builtin."""
    free = isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)
    name = node.id if isinstance(node, ast.Name) else ""
    return (
        name if free and name not in known and name not in SAFE_BUILTINS | WITNESS_HELPERS else None
    )


def _check_tree(tree: ast.AST, what: str, known: set[str]) -> None:
    constants = _integer_constants(tree)
    for count, (node, depth) in enumerate(_walk(tree)):
        if count >= MAX_NODES:
            raise WitnessRejected(f"{what} has over {MAX_NODES} syntax nodes")
        try:
            _check_node(node, depth + (1 if isinstance(node, ast.For) else 0), constants)
        except WitnessRejected as error:
            raise WitnessRejected(f"{what}: {error}") from None
        if _undefined(node, known):
            raise WitnessRejected(
                f"{what}: name {_undefined(node, known)!r} is never defined{_where(node)}"
            )


def validate_script(text: str, what: str = "witness") -> set[str]:
    """Check one script; return the names it binds (for checking an observation)."""
    tree = _parse(text, "exec", what)
    known = _bound_names(tree)
    _check_tree(tree, what, known)
    return known


def validate_expression(text: str, known: set[str], what: str = "observation") -> None:
    """Check an expression evaluated in a script's namespace after the script ran."""
    tree = _parse(text, "eval", what)
    _check_tree(tree, what, known)


def _import_droppable(node: ast.Import | ast.ImportFrom, used: set[str], attrs: set[str]) -> bool:
    """An import of a torch module the sandbox lacks, binding nothing the script reads."""
    if isinstance(node, ast.ImportFrom):
        module = node.module or ""
        if node.level != 0 or module.split(".")[0] != "torch" or module in ALLOWED_MODULES:
            return False
        return not any((alias.asname or alias.name) in used for alias in node.names)
    for alias in node.names:
        parts = alias.name.split(".")
        if parts[0] != "torch" or alias.name in ALLOWED_MODULES:
            return False
        if alias.asname is not None and alias.asname in used:
            return False
        if alias.asname is None and (len(parts) < 2 or parts[1] in attrs):
            return False  # ``import torch.utils.data`` then ``torch.utils...``
    return True


def without_unused_imports(script: str, observe: str | None = None) -> str:
    """The script without top-level imports of torch modules the sandbox does not provide
    (``from torch.utils.data import DataLoader``) when nothing uses what they bind.

    A witness keeps the torch imports of the file it was cut from so that it runs as
    printed; such an import changes nothing the witness does, so replaying without it
    proves the same thing, where refusing it would leave the finding unproven.
    """
    try:
        tree = ast.parse(script)
        extra = ast.parse(observe, mode="eval") if observe else None
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return script  # validation reports it
    used: set[str] = set()
    attrs: set[str] = set()
    for root in (tree, extra):
        for node, _ in _walk(root) if root is not None else ():
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
                used.add(node.id)
            elif isinstance(node, ast.Attribute):
                attrs.add(node.attr)
    starts = [statement.lineno for statement in tree.body]
    bound = _bound_names(tree)
    replaced: dict[int, str] = {}
    """First line of an import -> what replaces its lines (an empty string: nothing)."""
    drop: set[int] = set()
    for statement in tree.body:
        if not isinstance(statement, (ast.Import, ast.ImportFrom)):
            continue
        first, last = statement.lineno, statement.end_lineno or statement.lineno
        shared = starts.count(first) > 1 or any(first < line <= last for line in starts)
        if shared:
            continue
        if _import_droppable(statement, used, attrs):
            replacement: str | None = ""
        else:
            replacement = _narrowed_torch_import(statement, used, bound)
        if replacement is not None:
            drop.update(range(first, last + 1))
            replaced[first] = replacement
    if not drop:
        return script
    lines = _LINES.findall(script)
    return "".join(
        replaced.get(number, "") if number in drop else line for number, line in enumerate(lines, 1)
    )


_LINES = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")
"""Lines as Python counts them, each with its line break (``ast`` line numbers index them)."""


def _narrowed_torch_import(
    node: ast.Import | ast.ImportFrom, used: set[str], bound: set[str]
) -> str | None:
    """``from torch import a, b, *`` (or ``from torch.autograd import Variable, Function``)
    reduced to the names the script reads, as a line; None when it is already that.

    A witness keeps the file's imports, and a file that imports ``save`` or ``load`` from
    torch (or everything, with ``*``) would have every witness refused for a name it never
    calls. Only the names read stay (for ``*``: the names the script reads and binds nowhere
    else), so what is refused is what the witness does, not what the file imported.
    """
    if not isinstance(node, ast.ImportFrom) or node.level != 0 or node.module is None:
        return None
    module = node.module
    if module.split(".")[0] != "torch" or (
        module != "torch" and any(alias.name == "*" for alias in node.names)
    ):
        return None
    names: list[str] = []
    for alias in node.names:
        if alias.name == "*":
            names.extend(
                sorted(used - bound - SAFE_BUILTINS - WITNESS_HELPERS - {"torch"} - set(names))
            )
        elif (alias.asname or alias.name) in used:
            text = alias.name if alias.asname is None else f"{alias.name} as {alias.asname}"
            if text not in names:
                names.append(text)
    wanted = [f"{a.name} as {a.asname}" if a.asname else a.name for a in node.names]
    if names == wanted:
        return None
    return f"from {module} import {', '.join(names)}\n" if names else ""


def validate(
    script: str, observe: str | None = None, control_script: str | None = None
) -> ValidatedWitness:
    """Validate a witness's scripts and observation; raise :class:`WitnessRejected` if unsafe."""
    known = validate_script(script, "witness")
    if control_script is not None:
        control_known = validate_script(control_script, "control script")
        if observe is not None:
            validate_expression(observe, control_known, "observation (control)")
    if observe is not None:
        validate_expression(observe, known)
    return ValidatedWitness(script, observe, control_script)
