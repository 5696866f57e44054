"""Witness stand-ins that only a value of another kind fits: an integer, a list, a device,
a numpy array.

A placeholder the script uses as a size (``torch.randn(bsz, 8)``), a position (``out[:, t]``,
``data[i:i + n]``), a list it appends to, a ``device=`` argument or what ``torch.from_numpy``
converts cannot be a tensor, whatever shape it gets: these read the script's uses of each
name and say which kind fits (:mod:`shapes` solves the shapes of the tensors).
"""

from __future__ import annotations

import ast
import collections

from autograd_lint.analysis.shapes import _CONSTRUCTORS, PLACEHOLDER_PREFIX, _callee
from autograd_lint.quiet_parse import parse_module_quietly

_SIZE_TAKERS = {
    *_CONSTRUCTORS,
    "full",
    "randint",
    "arange",
    "view",
    "reshape",
    "expand",
    "repeat",
}
_SIZE_TAKERS |= {"Linear", "Conv1d", "Conv2d", "Conv3d", "Embedding", "LSTM", "GRU", "RNN"}


def integer_names(script: str, names: list[str]) -> dict[str, int]:
    """Names of ``script`` that only an integer fits where the script uses them.

    A name passed as a size (``torch.randn(bsz, 8)``, ``x.view(n, -1)``, ``nn.Linear(d, 2)``,
    ``range(n)``) stands for a count: 2. A name used as a bare index (``out[:, t]``,
    ``losses[i]``, ``x[i + 1]``) or as the start of a slice (``data[i:i + n]``) stands for a
    position: 0; a name only the end of a slice adds (``n``) for its length: 2. A name also
    used as a tensor is left alone.
    """
    try:
        tree = parse_module_quietly(script)
    except SyntaxError:
        return {}
    wanted = set(names)
    counts: set[str] = set()
    positions: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            last = _callee(node).rsplit(".", 1)[-1]
            if last in _SIZE_TAKERS or last == "range":
                sizes = [*node.args]
                if node.args and isinstance(node.args[0], ast.Tuple | ast.List):
                    sizes += node.args[0].elts  # ``torch.zeros((n, 8))``
                counts |= {a.id for a in sizes if isinstance(a, ast.Name)} & wanted
        elif isinstance(node, ast.Subscript):
            items = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
            for item in items:
                if isinstance(item, ast.Slice):
                    start, extent = _slice_bounds(item)
                    positions |= start & wanted
                    counts |= extent & wanted
                else:
                    positions |= _offset_names(item) & wanted
    as_tensor = _used_as_tensor(tree, wanted)
    result = {name: 0 for name in positions - as_tensor - counts}
    result.update({name: 2 for name in counts - as_tensor})
    return result


def _is_offset(node: ast.expr | None) -> bool:
    """An index written as a sum of names and integers (``t``, ``i + 1``, ``index - 1``)."""
    if isinstance(node, ast.Name) or (isinstance(node, ast.Constant) and type(node.value) is int):
        return True
    return (
        isinstance(node, ast.BinOp)
        and isinstance(node.op, ast.Add | ast.Sub)
        and _is_offset(node.left)
        and _is_offset(node.right)
    )


def _offset_names(node: ast.expr | None) -> set[str]:
    """The names of such an index; none for any other expression (a tensor index, a call)."""
    if node is None or not _is_offset(node):
        return set()
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def _slice_bounds(item: ast.Slice) -> tuple[set[str], set[str]]:
    """Of a slice ``a[i:i + n]`` written in names and integers: the names of its start
    (positions, 0: ``i``) and the names only its end adds (lengths, 2: ``n``), so that the
    slice starts at the first element and keeps two."""
    start = (
        _offset_names(item.lower) if item.lower is not None and _is_offset(item.lower) else set()
    )
    end = _offset_names(item.upper) if item.upper is not None and _is_offset(item.upper) else set()
    return start, end - start


def list_names(script: str, names: list[str]) -> set[str]:
    """Names of ``script`` that only a list fits: ``scores.append(logits)`` and no other
    attribute read before the script binds the name anew (a list of snapshots the slice
    starts reading mid-way)."""
    try:
        tree = parse_module_quietly(script)
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


def array_names(script: str, names: list[str]) -> set[str]:
    """Names of ``script`` that only a numpy array fits: every read of them is what
    ``torch.from_numpy(...)`` converts (``torch.from_numpy(x_np[i:j])``), which takes arrays
    and nothing else."""
    try:
        tree = parse_module_quietly(script)
    except SyntaxError:
        return set()
    converted: dict[str, int] = {}
    reads: dict[str, int] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id in names:
            reads[node.id] = reads.get(node.id, 0) + 1
        if isinstance(node, ast.Call) and _callee(node) == "torch.from_numpy" and node.args:
            source = node.args[0]
            while isinstance(source, ast.Subscript):
                source = source.value
            if isinstance(source, ast.Name) and source.id in names:
                converted[source.id] = converted.get(source.id, 0) + 1
    return {name for name, count in converted.items() if reads.get(name) == count}


def device_names(script: str, names: list[str]) -> set[str]:
    """Names of ``script`` read only as a ``device=`` argument (``torch.tensor(data,
    device=self_device)``): a device, never a tensor, stands for them (torch refuses a
    tensor there, so a tensor stand-in would end the replay on an error of its own)."""
    try:
        tree = parse_module_quietly(script)
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
