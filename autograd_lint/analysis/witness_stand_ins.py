"""Witnesses: stand-ins for the values a slice reads but cannot compute as the file does.

A placeholder line marks each such name while the script is put together; once the whole
script is known, each gets the shape the script's own ops need (``shapes.infer``), an index
range, an integer or an empty list. Legacy constructors (``torch.FloatTensor(3, 4)``) are
written in the constructors every backend has, and a layer the file made in-place later
gets its flag.
"""

from __future__ import annotations

import ast
import re

import libcst as cst

from autograd_lint import stand_ins
from autograd_lint.analysis import shapes, state_pairs, value_kinds
from autograd_lint.analysis.binding import literal_constant
from autograd_lint.analysis.names import is_literal
from autograd_lint.analysis.values import NNModule, Tensor, Tri, Value
from autograd_lint.quiet_parse import parse_module_quietly


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
    free = [m.group("name") for m in map(_MARKER.match, lines) if m and m.group("kind") == "free"]
    integers = value_kinds.integer_names(script, free)
    # the shapes are solved with those integers bound (``torch.full((batch_size,), 1.0)``)
    solved = "\n".join(
        f"{m.group('indent')}{m.group('name')} = {integers[m.group('name')]}"
        if m and m.group("name") in integers
        else line
        for line, m in zip(lines, map(_MARKER.match, lines), strict=True)
    )
    found, ranges = shapes.infer_with_ranges(solved, [n for n in names if n not in integers])
    lists = value_kinds.list_names(script, free)
    devices = value_kinds.device_names(script, free)
    arrays = value_kinds.array_names(script, free)
    pairs = state_pairs.pair_names(script, free)
    filled = []
    for line in lines:
        match = _MARKER.match(line)
        if match is None:
            filled.append(line)
            continue
        name = match.group("name")
        kind = "plain" if match.group("kind") == "free" else match.group("kind")
        if name in arrays:
            kind = "array"
        elif name in pairs:
            kind = "pair"
        shape = found.get(name)
        if name in integers and shape is None:
            expression = str(integers[name])
        elif name in devices:
            expression = 'torch.device("cpu")'
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
    undefined = [name for name in free if name not in integers and name not in devices]
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


def device_attributes(lines: list[str], free: set[str]) -> list[str]:
    """``device=env.DEVICE``, where ``env`` is a name the slice never binds and the script
    reads nothing else of: ``device=env_DEVICE``, a name that then stands in as a device
    (``value_kinds.device_names``). The object is the program's settings, which a witness
    cannot build; the device is all the call reads of it."""
    code = "\n".join(lines)
    try:
        tree = parse_module_quietly(code)
    except SyntaxError:
        return lines
    as_device: dict[str, set[str]] = {}
    reads: dict[str, int] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id in free:
            reads[node.id] = reads.get(node.id, 0) + 1
        if (
            isinstance(node, ast.keyword)
            and node.arg == "device"
            and isinstance(node.value, ast.Attribute)
            and isinstance(node.value.value, ast.Name)
            and node.value.value.id in free
        ):
            as_device.setdefault(node.value.value.id, set()).add(node.value.attr)
    renamed = lines
    for name, attributes in as_device.items():
        pattern = re.compile(rf"\bdevice\s*=\s*{re.escape(name)}\.(\w+)\b")
        uses = sum(len(pattern.findall(line)) for line in renamed)
        if uses != reads.get(name) or len(attributes) != 1:
            continue  # the object is read otherwise too
        renamed = [pattern.sub(rf"device={name}_\1", line) for line in renamed]
    return renamed


def opaque_read(code: str) -> bool:
    """Whether a rendered ``name = ...`` statement reads an attribute the sandbox has no
    such thing for (``emb = holder.word_embeddings.weight[i]`` of an ``nn.Module()`` the file
    hangs layers on): written as is, the whole witness would be refused; the names it binds
    get stand-ins instead, as values the slice cannot compute."""
    try:  # the sandbox's vocabulary (the linter works without the runtime check installed)
        from autograd_lint.runtime_check.validate import ALLOWED_ATTRIBUTES
    except ImportError:
        return False
    try:
        tree = parse_module_quietly(code)
    except SyntaxError:
        return False
    if len(tree.body) != 1 or not isinstance(tree.body[0], ast.Assign):
        return False
    return any(
        isinstance(node, ast.Attribute) and node.attr not in ALLOWED_ATTRIBUTES
        for node in ast.walk(tree.body[0].value)
    )


_NEWAXIS = re.compile(r"\b(?P<module>np|numpy)\.newaxis\b")


def newaxis_reads(lines: list[str], free: set[str]) -> list[str]:
    """``x_np[np.newaxis, :]`` as ``x_np[None, :]`` where the script reads nothing else of
    ``np`` (a name the sandbox does not provide): ``np.newaxis`` is ``None``."""
    modules = {"np", "numpy"} & free
    if not modules:
        return lines
    code = "\n".join(lines)
    for module in modules:
        reads = len(re.findall(rf"\b{module}\b", code))
        if reads != len(re.findall(rf"\b{module}\.newaxis\b", code)):
            return lines  # the module is read otherwise too
    return [_NEWAXIS.sub("None", line) for line in lines]


LAYER_TENSOR = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*\.(?:weight|bias)")
"""A layer's parameter read through the objects that hold it (``self_conv1.weight``)."""


def flattened(write: str, chain: str) -> str | None:
    """The write with the written parameter's chain and every other layer parameter it
    reads (``self_mask1.weight``) named as one tensor each (``self_mask1_weight``): the
    objects that hold them are scaffolding the claim does not rest on. ``None`` where the
    line still reads an attribute of a holder the script would not define."""
    pattern = re.compile(rf"(?<![\w.]){LAYER_TENSOR.pattern}(?![\w(])")
    if chain not in pattern.findall(write):
        return None
    flat = pattern.sub(lambda found: found.group(0).replace(".", "_"), write)
    holders = {part.split(".", 1)[0] for part in pattern.findall(write)}
    if any(re.search(rf"(?<![\w.]){re.escape(holder)}\.", flat) for holder in holders):
        return None
    return flat


def unread_stand_ins_dropped(script: str) -> str:
    """``script`` less the stand-ins for undefined names nothing reads any more (the holder
    ``layer`` of a parameter :func:`flattened` named as one tensor), their note rewritten."""
    names = stand_ins.undefined_names(script)
    rows = script.splitlines(keepends=True)
    unread = []
    for name in names:
        binding = re.compile(rf"^{re.escape(name)} = ")
        code = [row.split("#", 1)[0] for row in rows]
        reads = [row for row in code if re.search(rf"(?<![\w.]){re.escape(name)}\b", row)]
        if all(binding.match(row) for row in reads):
            unread.append(name)
    if not unread:
        return script
    kept = [n for n in names if n not in unread]
    out = []
    for row in rows:
        if any(re.match(rf"{re.escape(name)} = ", row) for name in unread):
            continue
        if stand_ins.undefined_names(row):
            if not kept:
                continue
            row = stand_ins.undefined_note(kept) + "\n"
        out.append(row)
    return "".join(out)
