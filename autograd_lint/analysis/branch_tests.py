"""What an ``if`` test decides before the program runs: constant tests (``if False:``,
``__name__ == "__main__"``) and ``isinstance`` tests whose answer follows from what the
analysis knows of the value (a tensor is no tuple; a registry layer is an instance of its
own class and of the bases ``nn_modules.BASES`` declares).
"""

from __future__ import annotations

import libcst as cst

from autograd_lint import nn_modules
from autograd_lint.analysis.names import dotted, literal_bool
from autograd_lint.analysis.state import State
from autograd_lint.analysis.values import ModuleRef, NNModule, Tensor, Tri, UserClass, Value
from autograd_lint.quiet_parse import string_value


def constant_test(test: cst.BaseExpression, *, imported: bool = False) -> Tri:
    """Whether an ``if`` test is decided before the program runs: ``True`` / ``False``
    literals, and ``__name__ == "__main__"``: true in the file checked (as the script it is),
    false in a module it imports (whose main block does not run at import)."""
    literal = literal_bool(test)
    if literal is not Tri.UNKNOWN:
        return literal
    if (
        isinstance(test, cst.Comparison)
        and isinstance(test.left, cst.Name)
        and test.left.value == "__name__"
        and len(test.comparisons) == 1
        and isinstance(test.comparisons[0].operator, cst.Equal)
        and isinstance(test.comparisons[0].comparator, cst.SimpleString)
        and string_value(test.comparisons[0].comparator) == "__main__"
    ):
        return Tri.NO if imported else Tri.YES
    return Tri.UNKNOWN


_CONTAINER_TYPES = frozenset({"tuple", "list", "dict"})


def _module_isinstance(module: NNModule, kind: str, state: State) -> Tri:
    """``isinstance(m, nn.ReLU)`` for a built-in layer: decided by its class. The registry's
    classes subclass one another only as ``nn_modules.BASES`` says (a test checks this
    against torch), so a layer of another registry class is surely not an instance;
    ``nn.Module`` always matches."""
    if module.builtin and kind in _CONTAINER_TYPES and state.lookup(kind) is None:
        return Tri.NO  # no torch layer (``ModuleList`` and ``ModuleDict`` included) is one
    if not module.builtin or not module.known_kind:
        return Tri.UNKNOWN
    head, _, rest = kind.partition(".")
    resolved = state.lookup(head)
    if not isinstance(resolved, ModuleRef):
        return Tri.UNKNOWN
    full = f"{resolved.qualname}.{rest}" if rest else resolved.qualname
    if not full.startswith("torch.nn."):
        return Tri.UNKNOWN
    name = full.rsplit(".", 1)[-1]
    if name in ("Module", module.kind) or nn_modules.BASES.get(module.kind) == name:
        return Tri.YES
    return Tri.NO if name in nn_modules.MODULES else Tri.UNKNOWN


def isinstance_test(test: cst.BaseExpression, state: State) -> Tri:
    """``isinstance(t, tuple)`` (or ``not ...``) for a name bound to a tensor: a tensor is no
    tuple, list or dict, and it is a ``torch.Tensor``. Anything else stays unknown."""
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        inner = isinstance_test(test.expression, state)
        return inner if inner is Tri.UNKNOWN else Tri.of(inner is Tri.NO)
    if isinstance(test, cst.BooleanOperation):
        left = isinstance_test(test.left, state)
        right = isinstance_test(test.right, state)
        if isinstance(test.operator, cst.Or):
            if Tri.YES in (left, right):
                return Tri.YES
            return Tri.NO if left is Tri.NO and right is Tri.NO else Tri.UNKNOWN
        if Tri.NO in (left, right):
            return Tri.NO
        return Tri.YES if left is Tri.YES and right is Tri.YES else Tri.UNKNOWN
    if not (
        isinstance(test, cst.Call)
        and isinstance(test.func, cst.Name)
        and test.func.value == "isinstance"
        and len(test.args) == 2
        and isinstance(test.args[0].value, cst.Name)
    ):
        return Tri.UNKNOWN
    value = state.lookup(test.args[0].value.value)
    kinds = test.args[1].value
    if isinstance(kinds, cst.Tuple):
        # ``isinstance(x, (tuple, list))``: true if any is, false if all are not
        each = [
            _isinstance_of(value, dotted(e.value), state)
            for e in kinds.elements
            if isinstance(e, cst.Element)
        ]
        if Tri.YES in each:
            return Tri.YES
        return Tri.NO if each and all(t is Tri.NO for t in each) else Tri.UNKNOWN
    return _isinstance_of(value, dotted(kinds), state)


def _no_container_base(cls: UserClass, state: State, depth: int = 0) -> bool:
    """Whether no class ``cls`` derives from is a tuple, list or dict: each base is
    ``object``, a ``torch.nn`` class (none of which is), or a project class of which the
    same holds. A base the analysis cannot name or resolve leaves it open."""
    if cls.node is None or depth > 8:
        return False
    project = {base.name: base for base in cls.bases}
    for argument in cls.node.bases:
        name = dotted(argument.value)
        if argument.keyword is not None:
            continue  # ``metaclass=ABCMeta``: no base
        if name is None:
            return False
        if name == "object":
            continue
        head, _, rest = name.partition(".")
        resolved = cls.scope.get(head) if cls.scope is not None else state.lookup(head)
        if isinstance(resolved, ModuleRef):
            full = f"{resolved.qualname}.{rest}" if rest else resolved.qualname
            if full.startswith("torch.nn."):
                continue
            return False
        base = project.get(name.rsplit(".", 1)[-1])
        if base is None or not _no_container_base(base, state, depth + 1):
            return False
    return True


def _isinstance_of(value: Value | None, kind: str | None, state: State) -> Tri:
    """``isinstance(value, kind)`` for one class named ``kind``."""
    if (
        isinstance(value, NNModule)
        and not value.builtin
        and kind in _CONTAINER_TYPES
        and state.lookup(kind) is None
    ):
        # an instance of a project class whose bases are only ``object``, ``torch.nn``
        # classes and project classes of the same kind is no tuple, list or dict
        cls = value.cls or state.lookup(value.kind)
        if isinstance(cls, UserClass) and _no_container_base(cls, state):
            return Tri.NO
        return Tri.UNKNOWN
    if isinstance(value, NNModule) and kind is not None:
        return _module_isinstance(value, kind, state)
    if not isinstance(value, Tensor) or kind is None:
        return Tri.UNKNOWN
    if kind in _CONTAINER_TYPES and state.lookup(kind) is None:
        return Tri.NO
    head, _, rest = kind.partition(".")
    resolved = state.lookup(head)
    if not isinstance(resolved, ModuleRef):
        return Tri.UNKNOWN
    full = f"{resolved.qualname}.{rest}" if rest else resolved.qualname
    return Tri.YES if full == "torch.Tensor" else Tri.UNKNOWN
