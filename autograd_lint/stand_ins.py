"""Stand-in tensors of a witness script, and the other shapes a replay may try for them.

A witness replaces a value the file does not show (a parameter, the result of a call the
analysis did not follow) by a stand-in: ``torch.randn(...)`` of the shape the script's own
ops need. Where nothing in the script tells the shape, the stand-in gets a small default
and says so (``# stand-in, shape unknown (plain)``). When such a witness stops on a shape
error before the check, the replay tries it again with a few other shapes for the unknown
stand-ins; only a confirmation counts from those tries, so a guess can never turn a finding
into "not reproduced".
"""

from __future__ import annotations

import re

Shape = tuple[int, ...]

CANDIDATE_SHAPES: tuple[Shape, ...] = ((4,), (), (2, 8), (2, 3, 8, 8), (4, 4), (1, 4))
"""Shapes tried, in order, for every unknown stand-in of a witness that stopped on a shape
error: a vector, a scalar, a batch of features, a batch of images, larger squares."""

_TAG = "# stand-in, shape unknown"
_TAGGED = re.compile(rf"^(?P<head>\s*\w+ = ).*  {re.escape(_TAG)} \((?P<kind>\w+)\)$", re.M)


def fill(kind: str, shape: Shape) -> str:
    """The expression that stands for a value of ``kind`` (leaf, nonleaf, plain, array,
    pair) and ``shape`` (each tensor's, for a pair).

    A scalar is ``torch.randn(())``: torch refuses ``torch.randn()`` with no size at all."""
    dims = ", ".join(str(d) for d in shape) if shape else "()"
    if kind == "leaf":
        return f"torch.randn({dims}{', ' if dims else ''}requires_grad=True)"
    if kind == "nonleaf":
        features = shape[-1] if shape else 1
        inner = f"torch.randn({dims})" if shape else "torch.randn(1)"  # Linear needs a feature
        call = f"nn.Linear({features}, {features})({inner})"
        return call if shape else f"{call}.sum()"
    if kind == "array":  # a numpy array the script hands to ``torch.from_numpy``
        return f"torch.randn({dims}).numpy()"
    if kind == "pair":  # the ``(h, c)`` state an LSTM or LSTM cell takes
        return f"(torch.randn({dims}), torch.randn({dims}))"
    return f"torch.randn({dims})"


def indices(count: int, shape: Shape) -> str:
    """A stand-in of indices below ``count`` (an embedding's input): ``long``, as torch needs."""
    dims = ", ".join(str(d) for d in shape)
    return f"torch.randint(0, {count}, ({dims}{',' if len(shape) == 1 else ''}))"


def stand_in(kind: str, shape: Shape, known: bool) -> str:
    """``fill`` plus, where the shape is a guess, the tag that lets a replay vary it."""
    expression = fill(kind, shape)
    return expression if known else f"{expression}  {_TAG} ({kind})"


_UNDEFINED = re.compile(
    r"^\s*# stand-ins? for (?P<names>`\w+`(?:, `\w+`)*), which the slice never defines$", re.M
)


def undefined_note(names: list[str]) -> str:
    """The comment above the stand-ins for names the slice reads but never binds (their
    values, requires-grad included, are guesses, so a replay that does not reproduce proves
    nothing)."""
    listed = ", ".join(f"`{name}`" for name in names)
    return f"# stand-in{'s' if len(names) > 1 else ''} for {listed}, which the slice never defines"


def undefined_names(script: str) -> list[str]:
    """The names ``undefined_note`` lists in ``script``, in script order."""
    return [
        name.strip("` ")
        for m in _UNDEFINED.finditer(script)
        for name in m.group("names").split(",")
    ]


def requiring_grad(script: str) -> str:
    """``script`` with each stand-in for an undefined name requiring grad: the other guess
    for a value the slice does not show (``var = y.flatten()`` of a layer's output)."""
    out = script
    for name in undefined_names(script):
        out = re.sub(
            rf"^(?P<head>\s*{name} = )(?P<call>torch\.randn\((?!.*requires_grad)[^\n]*?\))",
            lambda m: f"{m.group('head')}{m.group('call')}.requires_grad_()",
            out,
            count=1,
            flags=re.M,
        )
    return out


def has_unknown_shapes(script: str) -> bool:
    return _TAGGED.search(script) is not None


def unknown_names(script: str) -> list[str]:
    """The names of the stand-ins whose shape is a guess, in script order, each once (a
    name given a stand-in again where the script reads it anew)."""
    names = [m.group("head").strip().rstrip("=").strip() for m in _TAGGED.finditer(script)]
    return list(dict.fromkeys(names))


def with_shape(script: str, shape: Shape) -> str:
    """``script`` with every unknown stand-in given ``shape`` (the tag kept)."""
    return _TAGGED.sub(
        lambda m: f"{m.group('head')}{stand_in(m.group('kind'), shape, known=False)}", script
    )


def variants(script: str) -> list[str]:
    """The script with each candidate shape for its unknown stand-ins (none if it has none)."""
    if not has_unknown_shapes(script):
        return []
    tried = {script}
    result = []
    for shape in CANDIDATE_SHAPES:
        variant = with_shape(script, shape)
        if variant not in tried:
            tried.add(variant)
            result.append(variant)
    return result
