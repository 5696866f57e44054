"""What each name of ``a, b, c = value`` is bound to.

A tuple or list of known items gives each its own; a sequence that stands for any number
of like items (``model.parameters()``, a comprehension) gives each target such an item. A
Python value or array (``x.size()``, ``t.tolist()``, ``arr.shape``) is made of Python values
again: ``n, c, h, w = x.size()`` binds four numbers, never a tensor, so ``loss / n`` keeps
what ``loss`` is known to be. Anything else gives unknown values.
"""

from __future__ import annotations

from autograd_lint.analysis.values import PlainValue, Sequence, Unknown, Value, provenance


def unpacked(value: Value, count: int) -> list[Value]:
    """The values ``count`` targets get from ``value``, in order."""
    if isinstance(value, Sequence) and not value.homogeneous:
        items = list(value.items[:count])
    elif isinstance(value, Sequence) and value.items:
        items = [value.items[0]] * count  # each one is such an item
    elif isinstance(value, PlainValue) and not value.is_none:
        items = [
            PlainValue(value.prov, cut_site=value.cut_site, cut_reason=value.cut_reason)
            for _ in range(count)
        ]
    else:
        items = []
    return items + [Unknown(provenance(value)) for _ in range(count - len(items))]
