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
import math
from collections.abc import Callable

from autograd_lint import stand_ins
from autograd_lint.analysis import resample_shapes
from autograd_lint.analysis.module_shapes import ModuleShape, module_shape
from autograd_lint.quiet_parse import parse_module_quietly

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
        self.expanded: dict[str, tuple[str, frozenset[int]]] = {}
        """``x = p[None, :, None]`` (or its ``torch.from_numpy``) of a placeholder ``p``: the
        placeholder and the dimensions the index adds (a shape asked of ``x`` is asked of
        ``p`` without them)."""
        self.produced: dict[str, tuple[ModuleShape, str]] = {}
        """``score = net(fake)`` of a placeholder ``fake``: the module and the placeholder
        (a loss comparing ``score`` with a known shape fixes ``fake``'s spatial size)."""

    def integer(self, node: ast.expr) -> int | None:
        """The value of an integer the script determines: a name bound to one, or the
        ``sum``/``len`` of a name bound to a list of them (``sum(x_list)``)."""
        if isinstance(node, ast.Name):
            return self.integers.get(node.id)
        if isinstance(node, ast.Constant) and type(node.value) is int:
            return node.value
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Sub):
            left, right = self.integer(node.left), self.integer(node.right)
            if left is None or right is None:
                return None  # ``top_q - 1`` of a bound ``top_q``
            return left + right if isinstance(node.op, ast.Add) else left - right
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
        if node.id in self.expanded:  # ``x = torch.from_numpy(x_np[None, :, None])``
            source, added = self.expanded[node.id]
            if all(shape[i] >= 1 for i in added if i < len(shape)):
                kept = tuple(d for i, d in enumerate(shape) if i not in added)
                self.want(ast.Name(id=source), kept)
            return
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
        if isinstance(node, ast.Tuple | ast.List):  # ``a, b = x[:k], x[k]``: each part
            for element in node.elts:
                self.shape(element)
            return None
        if isinstance(node, ast.Subscript) and _added_dims(node.slice) is not None:
            base = self.shape(node.value)
            added = _added_dims(node.slice)
            if base is None or added is None:
                return None
            grown = list(base)
            for i in sorted(added):
                grown.insert(i, 1)
            return tuple(grown)
        if isinstance(node, ast.Subscript):
            position = self.integer(node.slice)
            if position is not None and position >= 2:
                # ``vals[top_q - 1]``: a vector long enough to hold that position
                self.want(node.value, (position + 1,))
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
        if name == "torch.full" and call.args and isinstance(call.args[0], ast.Tuple | ast.List):
            size = ast.Call(func=call.func, args=[call.args[0]], keywords=[])
            sizes = _int_args(size, self.integer)  # ``torch.full((batch_size,), 1.0)``
            return sizes if sizes is not None and all(d >= 0 for d in sizes) else None
        if isinstance(call.func, ast.Name) and call.func.id in self.modules:
            module = self.modules[call.func.id]
            if not call.args:
                return None
            argument = _unwrapped(call.args[0])  # ``net(fake.detach())`` reads ``fake``
            self.want(argument, module.input_shape())
            bound = module.index_range()
            for part in _cat_parts(argument):  # ``model(torch.cat([x, x.clone()], 0))``
                self.want(part, module.input_shape())
            named = isinstance(argument, ast.Name) and argument.id in self.placeholders
            if named and bound is not None:
                assert isinstance(argument, ast.Name)
                self.index_ranges[argument.id] = bound
            given = self.shape(argument)
            if len(call.args) > 1:  # ``rnn(x, h_state)``: the initial hidden state
                self.want(call.args[1], module.hidden_shape(given))
            return module.output_shape(given)
        if isinstance(call.func, ast.Attribute):
            receiver = call.func.value
            if last == "item":
                self.want(receiver, (1,))
                return ()
            if last == "backward" and call.args and not name.startswith("torch."):
                self.want(call.args[0], self.shape(receiver))  # the gradient of the output
                return None
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
        if last == "one_hot" and call.args:
            return self._one_hot(call)
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
            self._produce(call.args[0], first, second)
            self._produce(call.args[1], second, first)
            return ()
        if call.args and (name.startswith(("torch.", "F.")) and last in _SAME_SHAPE_METHODS):
            return self.shape(call.args[0])
        if name == "torch.from_numpy" and call.args:
            return self.shape(call.args[0])
        if last == "interpolate" and name.startswith(("F.", "torch.nn.functional.")) and call.args:
            base = self.shape(call.args[0])
            self.want(call.args[0], resample_shapes.interpolate_input(call, base))
            return resample_shapes.interpolate_shape(call, base)
        for arg in call.args:
            self.shape(arg)
        return None

    def _produce(self, node: ast.expr, shape: Shape | None, wanted: Shape | None) -> None:
        """A loss compares a module's output on a placeholder with a known shape it does not
        have: give the placeholder the input size that makes the two agree."""
        if not isinstance(node, ast.Name) or node.id not in self.produced or wanted is None:
            return
        module, placeholder = self.produced[node.id]
        if shape == wanted:
            return
        fitting = module.input_for(wanted)
        if fitting is not None and self.placeholders.get(placeholder) != fitting:
            self.placeholders[placeholder] = fitting
            self.changed = True

    def _one_hot(self, call: ast.Call) -> Shape | None:
        """``F.one_hot(labels, n)``: ``labels`` holds class indices below ``n`` (one row of
        them where nothing else sets its shape: it broadcasts against any batch), and the
        codes add a dimension of ``n``."""
        labels = call.args[0]
        count = _class_count(call)
        if isinstance(labels, ast.Name) and labels.id in self.placeholders and count is not None:
            self.want(labels, (1,))
            self.index_ranges[labels.id] = count
        given = self.shape(labels)
        return (*given, count) if given is not None and count is not None else None

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

    def _record_produced(self, name: str, value: ast.expr) -> None:
        if (
            isinstance(value, ast.Call)
            and isinstance(value.func, ast.Name)
            and value.func.id in self.modules
            and value.args
        ):
            argument = _unwrapped(value.args[0])
            if isinstance(argument, ast.Name) and argument.id in self.placeholders:
                self.produced[name] = (self.modules[value.func.id], argument.id)

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
                grown = _expansion(value)
                if grown is not None and grown[0] in self.placeholders:
                    self.expanded[target.id] = grown
                module = module_shape(value, self.integers) if isinstance(value, ast.Call) else None
                if isinstance(value, ast.Name):  # ``net = model``: the same layer
                    module = self.modules.get(value.id)
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
                self._record_produced(target.id, value)
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


def _added_dims(index: ast.expr) -> frozenset[int] | None:
    """For an index of ``None`` and full slices with at least one ``None`` (``[None, :]``,
    ``[:, None]``): the positions of the new dimensions in the result."""
    items = index.elts if isinstance(index, ast.Tuple) else [index]
    added = set()
    for i, item in enumerate(items):
        if isinstance(item, ast.Constant) and item.value is None:
            added.add(i)
        elif not (
            isinstance(item, ast.Slice)
            and item.lower is None
            and item.upper is None
            and item.step is None
        ):
            return None
    return frozenset(added) if added else None


def _expansion(value: ast.expr) -> tuple[str, frozenset[int]] | None:
    """``p[None, :, None]`` or ``torch.from_numpy(p[None, :, None])``: ``p`` and the added
    dimensions."""
    if (
        isinstance(value, ast.Call)
        and _callee(value) == "torch.from_numpy"
        and len(value.args) == 1
    ):
        value = value.args[0]
    if isinstance(value, ast.Subscript) and isinstance(value.value, ast.Name):
        added = _added_dims(value.slice)
        if added is not None:
            return value.value.id, added
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


def _class_count(call: ast.Call) -> int | None:
    """``num_classes`` of ``F.one_hot(labels, n)`` / ``num_classes=n`` where literal."""
    given = call.args[1] if len(call.args) > 1 else None
    for keyword in call.keywords:
        if keyword.arg == "num_classes":
            given = keyword.value
    if isinstance(given, ast.Constant) and type(given.value) is int and given.value > 0:
        return given.value
    return None


def infer_with_ranges(
    script: str, placeholders: list[str]
) -> tuple[dict[str, Shape | None], dict[str, int]]:
    """``infer_partial``, plus the placeholders that must hold indices below a count (the
    input of ``nn.Embedding(n, d)``: ``torch.randint(0, n, shape)``)."""
    try:
        tree = parse_module_quietly(script)
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


def fill(kind: str, shape: Shape) -> str:
    """The expression that stands for a placeholder of ``kind`` with ``shape``."""
    return stand_ins.fill(kind, shape)
