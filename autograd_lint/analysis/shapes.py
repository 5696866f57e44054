"""Shapes for a witness's placeholders, inferred from how the script uses them.

A placeholder stands for a value the file does not show (a function parameter, the result
of a call the analyzer does not follow). Its shape is whatever makes the script's own ops
fit: the left operand of ``@`` with a known ``(k, m)`` matrix gets ``(2, k)``, an operand
of ``+`` takes the other side's shape, the input of ``nn.Linear(i, o)`` gets ``(2, i)``,
``.item()`` needs one element. Known shapes come from literal constructor calls
(``torch.randn(4, 3)``). What stays unknown gets a small square default.
"""

from __future__ import annotations

import ast
import collections
import math
from collections.abc import Callable

from autograd_lint import stand_ins
from autograd_lint.analysis import resample_shapes
from autograd_lint.analysis.module_shapes import ModuleShape, module_shape

Shape = tuple[int, ...]
DEFAULT: Shape = (2, 2)
PLACEHOLDER_PREFIX = "__placeholder_"
"""``x = __placeholder_leaf__`` marks a line whose right-hand side is filled in here."""

_CONSTRUCTORS = {"randn", "rand", "zeros", "ones", "empty"}
_SAME_SHAPE_METHODS = {
    "detach",
    "clone",
    "sigmoid",
    "tanh",
    "relu",
    "exp",
    "log",
    "sin",
    "cos",
    "abs",
    "neg",
    "sqrt",
    "square",
    "clamp",
    "softmax",
    "log_softmax",
    "contiguous",
    "float",
    "to",
    "requires_grad_",
    "mul_",
    "add_",
    "sub_",
    "div_",
    "zero_",
    "fill_",
    "clamp_",
    "sigmoid_",
    "relu_",
    "tanh_",
    "exp_",
    "copy_",
    "pow",
    "pow_",
    "gelu",
    "silu",
}
_REDUCTIONS = {"sum", "mean", "norm", "prod"}
_ELEMENTWISE = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow)
_LOSSES = {
    "mse_loss",
    "l1_loss",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "smooth_l1_loss",
}


def _int_args(
    call: ast.Call, known: Callable[[ast.expr], int | None] | None = None
) -> Shape | None:
    """The integer arguments of ``call`` (a size); ``known`` gives the value of any other
    argument the script determines (a name bound to an integer), or ``None``."""
    values: list[int] = []
    args = call.args
    if len(args) == 1 and isinstance(args[0], ast.Tuple | ast.List):
        args = list(args[0].elts)
    for arg in args:
        negative = isinstance(arg, ast.UnaryOp) and isinstance(arg.op, ast.USub)
        if negative:
            assert isinstance(arg, ast.UnaryOp)
            arg = arg.operand
        if (
            isinstance(arg, ast.Constant)
            and isinstance(arg.value, int)
            and not isinstance(arg.value, bool)
        ):
            values.append(-arg.value if negative else arg.value)
        elif known is not None and (value := known(arg)) is not None:
            values.append(-value if negative else value)
        else:
            return None
    return tuple(values)


def _callee(call: ast.Call) -> str:
    parts: list[str] = []
    node: ast.expr = call.func
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
    return ".".join(reversed(parts))


class _Inference:
    def __init__(self, placeholders: dict[str, Shape | None]) -> None:
        self.shapes: dict[str, Shape] = {}
        self.modules: dict[str, ModuleShape] = {}
        self.integers: dict[str, int] = {}
        self.int_lists: dict[str, list[int]] = {}
        self.loss_modules: dict[str, str] = {}
        """Names bound to a loss module -> the functional loss it computes."""
        self.aliases: dict[str, str] = {}
        """``target_var = target.detach()``: a name for a placeholder's values."""
        self.index_ranges: dict[str, int] = {}
        """Placeholders an embedding reads: indices below the given count."""
        self.placeholders = placeholders
        self.changed = False

    def integer(self, node: ast.expr) -> int | None:
        """The value of an integer the script determines: a name bound to one, or the
        ``sum``/``len`` of a name bound to a list of them (``sum(x_list)``)."""
        if isinstance(node, ast.Name):
            return self.integers.get(node.id)
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in {"sum", "len"}
            and len(node.args) == 1
            and isinstance(node.args[0], ast.Name)
            and node.args[0].id in self.int_lists
        ):
            values = self.int_lists[node.args[0].id]
            return sum(values) if node.func.id == "sum" else len(values)
        return None

    def want(self, node: ast.expr, shape: Shape | None) -> None:
        """Record that ``node`` (if it is a placeholder name) should have ``shape``."""
        if shape is None or not isinstance(node, ast.Name):
            return
        if node.id in self.aliases:
            node = ast.Name(id=self.aliases[node.id])
        if node.id in self.placeholders and self.placeholders[node.id] is None:
            self.placeholders[node.id] = shape
            self.changed = True

    def shape(self, node: ast.expr) -> Shape | None:
        if isinstance(node, ast.Name):
            return self.shapes.get(node.id)
        if isinstance(node, ast.Constant):
            return ()
        if isinstance(node, ast.BinOp):
            left, right = self.shape(node.left), self.shape(node.right)
            if isinstance(node.op, ast.MatMult):
                return self._matmul(node, left, right)
            if isinstance(node.op, _ELEMENTWISE):
                self.want(node.left, right)
                self.want(node.right, left)
                if left is None or right is None:
                    return left if right is None else right
                return left if len(left) >= len(right) else right
            return None
        if isinstance(node, ast.UnaryOp):
            return self.shape(node.operand)
        if isinstance(node, ast.Subscript):
            return _indexed(self.shape(node.value), node.slice)
        if isinstance(node, ast.Call):
            return self._call(node)
        return None

    def _matmul(self, node: ast.BinOp, left: Shape | None, right: Shape | None) -> Shape | None:
        if left is not None and len(left) >= 1 and right is None:
            self.want(node.right, (left[-1],))
            right = (left[-1],)
        if right is not None and len(right) >= 2 and left is None:
            self.want(node.left, (2, right[-2]))
            left = (2, right[-2])
        if left is None or right is None or not left or not right:
            return None
        if len(right) == 1:
            return left[:-1]
        if len(left) == 1:
            return right[:-2] + right[-1:]
        return left[:-1] + right[-1:]

    def _call(self, call: ast.Call) -> Shape | None:
        name = _callee(call)
        last = name.rsplit(".", 1)[-1]
        if name.startswith("torch.") and last in _CONSTRUCTORS:
            sizes = _int_args(call, self.integer)
            return sizes if sizes is not None and all(d >= 0 for d in sizes) else None
        if isinstance(call.func, ast.Name) and call.func.id in self.modules:
            module = self.modules[call.func.id]
            if not call.args:
                return None
            self.want(call.args[0], module.input_shape())
            bound = module.index_range()
            argument = call.args[0]
            for part in _cat_parts(argument):  # ``model(torch.cat([x, x.clone()], 0))``
                self.want(part, module.input_shape())
            named = isinstance(argument, ast.Name) and argument.id in self.placeholders
            if named and bound is not None:
                assert isinstance(argument, ast.Name)
                self.index_ranges[argument.id] = bound
            return module.output_shape(self.shape(argument))
        if isinstance(call.func, ast.Attribute):
            receiver = call.func.value
            if last == "item":
                self.want(receiver, (1,))
                return ()
            if last == "repeat" and not name.startswith("torch."):
                reps = _int_args(call, self.integer)
                return resample_shapes.repeat_shape(self.shape(receiver), reps)
            if last in {"view", "reshape"} and not name.startswith("torch."):
                target = _int_args(call)
                if target is None or sum(d == -1 for d in target) > 1:
                    return None
                known = self.shape(receiver)
                rest = math.prod(d for d in target if d != -1)
                if known is not None and -1 in target and rest and math.prod(known) % rest == 0:
                    # a known tensor viewed as (-1, 5): the -1 dimension is what is left
                    return tuple(math.prod(known) // rest if d == -1 else d for d in target)
                # a stand-in viewed as (-1, 784) can be (2, 784): the -1 dimension free
                shape = tuple(2 if d == -1 else d for d in target)
                self.want(receiver, shape)
                return shape
            if last in _REDUCTIONS and not call.args:
                self.shape(receiver)
                return ()
            if last in _SAME_SHAPE_METHODS and not name.startswith(("torch.", "F.", "nn.")):
                return self.shape(receiver)
            if last == "t" and not name.startswith("torch."):
                base = self.shape(receiver)
                return tuple(reversed(base)) if base is not None else None
        if isinstance(call.func, ast.Name) and call.func.id in self.loss_modules:
            last = self.loss_modules[call.func.id]  # ``criterion(output, target)``
        if last in _CLASS_LOSSES and len(call.args) >= 2:
            scores = self.shape(call.args[0])
            labels = call.args[1]
            if isinstance(labels, ast.Name) and labels.id in self.aliases:
                labels = ast.Name(id=self.aliases[labels.id])
            named = isinstance(labels, ast.Name) and labels.id in self.placeholders
            if scores is not None and len(scores) == 2 and named:  # class indices, one a row
                assert isinstance(labels, ast.Name)
                self.want(labels, scores[:1])
                self.index_ranges[labels.id] = scores[1]
            return ()
        if last == "cat" and name.startswith("torch.") and call.args:
            return self._cat(call)
        if last in _LOSSES and len(call.args) >= 2:
            first, second = self.shape(call.args[0]), self.shape(call.args[1])
            self.want(call.args[0], second)
            self.want(call.args[1], first)
            return ()
        if call.args and (name.startswith(("torch.", "F.")) and last in _SAME_SHAPE_METHODS):
            return self.shape(call.args[0])
        if last == "interpolate" and name.startswith(("F.", "torch.nn.functional.")) and call.args:
            base = self.shape(call.args[0])
            self.want(call.args[0], resample_shapes.interpolate_input(call, base))
            return resample_shapes.interpolate_shape(call, base)
        for arg in call.args:
            self.shape(arg)
        return None

    def _cat(self, call: ast.Call) -> Shape | None:
        parts = [self.shape(p) for p in _cat_parts(call)]
        dim = _int_args(ast.Call(func=call.func, args=call.args[1:2], keywords=[])) or (0,)
        if not parts or any(p is None or not p for p in parts):
            return None
        known = [p for p in parts if p is not None]
        axis = dim[0] % len(known[0])
        if any(len(p) != len(known[0]) for p in known):
            return None
        total = sum(p[axis] for p in known)
        return (*known[0][:axis], total, *known[0][axis + 1 :])

    def statement(self, statement: ast.stmt) -> None:
        if isinstance(statement, ast.AugAssign) and isinstance(statement.target, ast.Name):
            added = self.shape(statement.value)
            self.want(statement.target, added)  # ``total += loss``: the total has its shape
            return
        if isinstance(statement, ast.With):
            for inner in statement.body:
                self.statement(inner)
            return
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
            target = statement.targets[0]
            value = statement.value
            if isinstance(target, ast.Name):
                if isinstance(value, ast.Constant) and type(value.value) is int:
                    self.integers[target.id] = value.value
                    return
                items = (
                    [_constant_index(e) for e in value.elts] if isinstance(value, ast.List) else []
                )
                if items and all(item is not None for item in items):
                    self.int_lists[target.id] = [item for item in items if item is not None]
                    return
                loss = (
                    _LOSS_MODULES.get(_callee(value).rsplit(".", 1)[-1], "")
                    if isinstance(value, ast.Call)
                    else ""
                )
                if isinstance(value, ast.Call) and loss and not value.args:
                    self.loss_modules[target.id] = loss
                    return
                source = _unwrapped(value)
                if (
                    source is not value
                    and isinstance(source, ast.Name)
                    and source.id in self.placeholders
                ):
                    self.aliases[target.id] = source.id
                module = module_shape(value, self.integers) if isinstance(value, ast.Call) else None
                if module is not None:
                    self.modules[target.id] = module
                    return
                if (
                    target.id in self.placeholders
                    and isinstance(value, ast.Name)
                    and value.id.startswith(PLACEHOLDER_PREFIX)
                ):
                    known = self.placeholders[target.id]
                    if known is not None:
                        self.shapes[target.id] = known
                    else:
                        self.shapes.pop(target.id, None)
                    return
                shape = self.shape(value)
                if shape is not None:
                    self.shapes[target.id] = shape
                return
        if isinstance(statement, ast.Assign):  # ``o, h = lstm(x)``, ``x[0, :] = x[0, :] * v``
            value = statement.value
            written = self.shape(value)
            target = statement.targets[0]
            recurrent = (
                isinstance(value, ast.Call)
                and isinstance(value.func, ast.Name)
                and value.func.id in self.modules
                and self.modules[value.func.id].kind in {"LSTM", "GRU", "RNN"}
            )
            if recurrent and isinstance(target, ast.Tuple) and written is not None:
                first = target.elts[0]  # ``out, hidden = lstm(x)``: the output sequence
                if isinstance(first, ast.Name):
                    self.shapes[first.id] = written
            if isinstance(target, ast.Subscript) and _full_slices(target.slice):
                self.want(target.value, written)  # ``w[:, :] = W[:, :]``: every element of W
                if isinstance(target.value, ast.Name) and written is not None:
                    self.shapes.setdefault(target.value.id, written)
            if (
                isinstance(target, ast.Tuple)
                and isinstance(value, ast.Call)
                and isinstance(value.func, ast.Attribute)
                and value.func.attr == "chunk"
                and len(value.args) == 1
                and not value.keywords
            ):
                whole = self.shape(value.func.value)
                count = len(target.elts)  # ``p, q = logits.chunk(2)``: rows split evenly
                if whole and whole[0] % count == 0:
                    for element in target.elts:
                        if isinstance(element, ast.Name):
                            self.shapes[element.id] = (whole[0] // count, *whole[1:])
            return
        for node in ast.walk(statement):
            if isinstance(node, ast.expr) and not isinstance(node, ast.Name):
                self.shape(node)
                break


_CLASS_LOSSES = {"cross_entropy", "nll_loss"}
_LOSS_MODULES = {
    "CrossEntropyLoss": "cross_entropy",
    "NLLLoss": "nll_loss",
    "MSELoss": "mse_loss",
    "L1Loss": "l1_loss",
    "BCELoss": "binary_cross_entropy",
    "BCEWithLogitsLoss": "binary_cross_entropy_with_logits",
    "SmoothL1Loss": "smooth_l1_loss",
}


def _cat_parts(node: ast.expr) -> list[ast.expr]:
    """The tensors ``torch.cat([a, b], ...)`` joins (none for any other expression)."""
    if isinstance(node, ast.Call) and _callee(node) == "torch.cat" and node.args:
        first = node.args[0]
        if isinstance(first, ast.List | ast.Tuple):
            return [_unwrapped(e) for e in first.elts]
    return []


def _unwrapped(node: ast.expr) -> ast.expr:
    """``x.clone()`` / ``x.detach()`` as ``x``: the same shape."""
    while (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in {"clone", "detach", "contiguous"}
        and not node.args
    ):
        node = node.func.value
    return node


def _constant_index(node: ast.expr) -> int | None:
    """``0``, ``-1``: an integer index written as a constant."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = _constant_index(node.operand)
        return -inner if inner is not None else None
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return node.value
    return None


def _full_slices(index: ast.expr) -> bool:
    """``[:]``, ``[:, :, :, :]``: an index that keeps every element."""
    items = index.elts if isinstance(index, ast.Tuple) else [index]
    return all(
        isinstance(i, ast.Slice) and i.lower is None and i.upper is None and i.step is None
        for i in items
    )


def _indexed(base: Shape | None, index: ast.expr) -> Shape | None:
    """The shape of ``base[index]``: one dimension fewer for a single index, and for a tuple
    of integers and full slices (``x[0, :, 0, 0]``) the dimensions the slices keep."""
    if base is None:
        return None
    if _full_slices(index):
        return base
    if not isinstance(index, ast.Tuple):
        return base[1:] if base else None
    if len(index.elts) > len(base):
        return None
    kept: list[int] = []
    for item, size in zip(index.elts, base, strict=False):
        if isinstance(item, ast.Slice):
            if item.lower is not None or item.upper is not None or item.step is not None:
                return None
            kept.append(size)
        elif _constant_index(item) is None:
            return None  # a tensor, list or computed index: the shape depends on its value
    return tuple(kept) + base[len(index.elts) :]


def infer(script: str, placeholders: list[str]) -> dict[str, Shape]:
    """Shapes for the placeholder names of ``script`` (the default where nothing tells)."""
    found = infer_partial(script, placeholders)
    return {name: shape if shape is not None else DEFAULT for name, shape in found.items()}


def infer_partial(script: str, placeholders: list[str]) -> dict[str, Shape | None]:
    """Shapes for the placeholder names of ``script``; ``None`` where nothing tells."""
    return infer_with_ranges(script, placeholders)[0]


def infer_with_ranges(
    script: str, placeholders: list[str]
) -> tuple[dict[str, Shape | None], dict[str, int]]:
    """``infer_partial``, plus the placeholders that must hold indices below a count (the
    input of ``nn.Embedding(n, d)``: ``torch.randint(0, n, shape)``)."""
    try:
        tree = ast.parse(script)
    except SyntaxError:
        return dict.fromkeys(placeholders), {}
    wanted: dict[str, Shape | None] = dict.fromkeys(placeholders)
    ranges: dict[str, int] = {}
    for _ in range(3):
        inference = _Inference(wanted)
        for statement in tree.body:
            inference.statement(statement)
        ranges.update(inference.index_ranges)
        if not inference.changed:
            break
    return wanted, ranges


_SIZE_TAKERS = {*_CONSTRUCTORS, "randint", "arange", "view", "reshape", "expand", "repeat"}
_SIZE_TAKERS |= {"Linear", "Conv1d", "Conv2d", "Conv3d", "Embedding", "LSTM", "GRU", "RNN"}


def integer_names(script: str, names: list[str]) -> dict[str, int]:
    """Names of ``script`` that only an integer fits where the script uses them.

    A name passed as a size (``torch.randn(bsz, 8)``, ``x.view(n, -1)``, ``nn.Linear(d, 2)``,
    ``range(n)``) stands for a count: 2. A name used as a bare index (``out[:, t]``,
    ``losses[i]``) stands for a position: 0. A name also used as a tensor is left alone.
    """
    try:
        tree = ast.parse(script)
    except SyntaxError:
        return {}
    wanted = set(names)
    counts: set[str] = set()
    positions: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            last = _callee(node).rsplit(".", 1)[-1]
            if last in _SIZE_TAKERS or last == "range":
                counts |= {a.id for a in node.args if isinstance(a, ast.Name)} & wanted
        elif isinstance(node, ast.Subscript):
            items = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
            positions |= {i.id for i in items if isinstance(i, ast.Name)} & wanted
    as_tensor = _used_as_tensor(tree, wanted)
    result = {name: 0 for name in positions - as_tensor - counts}
    result.update({name: 2 for name in counts - as_tensor})
    return result


def list_names(script: str, names: list[str]) -> set[str]:
    """Names of ``script`` that only a list fits: ``scores.append(logits)`` and no other
    attribute read before the script binds the name anew (a list of snapshots the slice
    starts reading mid-way)."""
    try:
        tree = ast.parse(script)
    except SyntaxError:
        return set()
    found: set[str] = set()
    for name in names:
        appended = other = False
        for statement in tree.body:
            if _is_placeholder_line(statement, name):
                continue
            nodes = list(ast.walk(statement))
            for node in nodes:
                if (
                    isinstance(node, ast.Attribute)
                    and isinstance(node.value, ast.Name)
                    and node.value.id == name
                ):
                    appended |= node.attr == "append"
                    other |= node.attr != "append"
            if any(
                isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Store)
                for n in nodes
            ):
                break
        if appended and not other:
            found.add(name)
    return found


def device_names(script: str, names: list[str]) -> set[str]:
    """Names of ``script`` read only as a ``device=`` argument (``torch.tensor(data,
    device=self_device)``): a device, never a tensor, stands for them (torch refuses a
    tensor there, so a tensor stand-in would end the replay on an error of its own)."""
    try:
        tree = ast.parse(script)
    except SyntaxError:
        return set()
    wanted = set(names)
    reads: collections.Counter[str] = collections.Counter()
    as_device: collections.Counter[str] = collections.Counter()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id in wanted:
            reads[node.id] += 1
        elif (
            isinstance(node, ast.keyword)
            and node.arg == "device"
            and isinstance(node.value, ast.Name)
            and node.value.id in wanted
        ):
            as_device[node.value.id] += 1
    return {name for name, count in as_device.items() if reads[name] == count}


def _is_placeholder_line(statement: ast.stmt, name: str) -> bool:
    return (
        isinstance(statement, ast.Assign)
        and len(statement.targets) == 1
        and isinstance(statement.targets[0], ast.Name)
        and statement.targets[0].id == name
        and isinstance(statement.value, ast.Name)
        and statement.value.id.startswith(PLACEHOLDER_PREFIX)
    )


def _used_as_tensor(tree: ast.AST, names: set[str]) -> set[str]:
    """Names whose attributes the script reads (``x.view``, ``x.grad``) or that ops combine."""
    used: set[str] = set()
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)) or (
            isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name)
        ):
            used.add(node.value.id)
    return used & names


def fill(kind: str, shape: Shape) -> str:
    """The expression that stands for a placeholder of ``kind`` with ``shape``."""
    return stand_ins.fill(kind, shape)
