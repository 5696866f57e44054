"""Hand-written witnesses for the runtime check tests, and the backends they can run on.

Each positive reproduces one of torch's autograd errors (or silent bugs); each negative is
a look-alike that torch accepts, so the judge must answer ``not_reproduced`` for it. The
same cases run on every available backend: the mini engine must agree with torch.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from importlib.util import find_spec

import pytest

from autograd_lint.diagnostics import Expectation, Witness

HEADER = "import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n"

SAVED_MODIFIED = (
    "one of the variables needed for gradient computation has been modified by an inplace operation"
)
SECOND_BACKWARD = "Trying to backward through the graph a second time"
NO_GRAD = "element 0 of tensors does not require grad and does not have a grad_fn"
TENSOR_COPY = (
    "To copy construct from a tensor, it is recommended to use sourceTensor.detach().clone()"
)


def script(body: str) -> str:
    return HEADER + body.strip("\n") + "\n"


def raises(body: str, message: str) -> Witness:
    return Witness(script(body), Expectation("raises", exception="RuntimeError", message=message))


def differs(body: str, control: str, observe: str) -> Witness:
    return Witness(
        script(body), Expectation("differs", observe=observe, control_script=script(control))
    )


def equals(body: str, observe: str, value: str) -> Witness:
    return Witness(script(body), Expectation("equals", observe=observe, value=value))


def warns(body: str, message: str) -> Witness:
    return Witness(script(body), Expectation("warns", message=message))


@dataclass(frozen=True)
class Case:
    name: str
    witness: Witness
    status: str
    evidence: str
    """A fragment the verdict's evidence must contain."""


CASES: tuple[Case, ...] = (
    # --- saved tensor modified in place (AG002) ---
    Case(
        "saved-output-modified-through-detach",
        raises(
            """
w = torch.randn(3, requires_grad=True)
out = torch.sigmoid(w)
c = out.detach()
c.zero_()
out.sum().backward()
""",
            SAVED_MODIFIED,
        ),
        "confirmed",
        "modified by an inplace operation",
    ),
    Case(
        "saved-input-modified-in-place",
        raises(
            """
w = torch.randn(3, requires_grad=True)
a = w * 2
b = a * a
a.add_(1)
b.sum().backward()
""",
            SAVED_MODIFIED,
        ),
        "confirmed",
        "RuntimeError",
    ),
    Case(
        "inplace-on-detached-clone-is-fine",
        raises(
            """
w = torch.randn(3, requires_grad=True)
out = torch.sigmoid(w)
c = out.detach().clone()
c.zero_()
out.sum().backward()
""",
            SAVED_MODIFIED,
        ),
        "not_reproduced",
        "without raising",
    ),
    Case(
        "inplace-after-backward-is-fine",
        raises(
            """
w = torch.randn(3, requires_grad=True)
out = torch.sigmoid(w)
out.sum().backward()
c = out.detach()
c.zero_()
""",
            SAVED_MODIFIED,
        ),
        "not_reproduced",
        "without raising",
    ),
    # --- second backward (AG004) ---
    Case(
        "second-backward",
        raises(
            """
w = torch.randn(3, requires_grad=True)
y = (w * w).sum()
y.backward()
y.backward()
""",
            SECOND_BACKWARD,
        ),
        "confirmed",
        SECOND_BACKWARD,
    ),
    Case(
        "state-carried-across-iterations",
        raises(
            """
W = torch.randn(3, requires_grad=True)
x = torch.randn(3)
h = torch.zeros(3)
for _ in range(2):
    h = torch.tanh(W * h + x)
    h.sum().backward()
""",
            SECOND_BACKWARD,
        ),
        "confirmed",
        SECOND_BACKWARD,
    ),
    Case(
        "retain-graph-is-fine",
        raises(
            """
w = torch.randn(3, requires_grad=True)
y = (w * w).sum()
y.backward(retain_graph=True)
y.backward()
""",
            SECOND_BACKWARD,
        ),
        "not_reproduced",
        "without raising",
    ),
    Case(
        "graph-saving-nothing-is-fine",
        raises(
            """
w = torch.randn(3, requires_grad=True)
y = (w + 1).sum()
y.backward()
y.backward()
""",
            SECOND_BACKWARD,
        ),
        "not_reproduced",
        "without raising",
    ),
    Case(
        "detached-state-is-fine",
        raises(
            """
W = torch.randn(3, requires_grad=True)
x = torch.randn(3)
h = torch.zeros(3)
for _ in range(2):
    h = h.detach()
    h = torch.tanh(W * h + x)
    h.sum().backward()
""",
            SECOND_BACKWARD,
        ),
        "not_reproduced",
        "without raising",
    ),
    # --- backward without grad (AG003) ---
    Case(
        "backward-without-grad",
        raises(
            """
x = torch.randn(3)
loss = (x * 2).sum()
loss.backward()
""",
            NO_GRAD,
        ),
        "confirmed",
        NO_GRAD,
    ),
    Case(
        "backward-of-no-grad-result",
        raises(
            """
w = torch.randn(3, requires_grad=True)
with torch.no_grad():
    loss = (w * 2).sum()
loss.backward()
""",
            NO_GRAD,
        ),
        "confirmed",
        NO_GRAD,
    ),
    Case(
        "backward-with-grad-is-fine",
        raises(
            """
x = torch.randn(3, requires_grad=True)
loss = (x * 2).sum()
loss.backward()
""",
            NO_GRAD,
        ),
        "not_reproduced",
        "without raising",
    ),
    # --- silent wrong gradient through .data (AG001) ---
    Case(
        "data-write-before-backward",
        differs(
            """
w = torch.randn(3, requires_grad=True)
y = (w * w).sum()
w.data.mul_(10)
y.backward()
""",
            """
w = torch.randn(3, requires_grad=True)
y = (w * w).sum()
y.backward()
""",
            "w.grad",
        ),
        "confirmed",
        "with the suspect code",
    ),
    Case(
        "data-write-after-backward-is-harmless",
        differs(
            """
w = torch.randn(3, requires_grad=True)
y = (w * w).sum()
y.backward()
w.data.mul_(10)
""",
            """
w = torch.randn(3, requires_grad=True)
y = (w * w).sum()
y.backward()
""",
            "w.grad",
        ),
        "not_reproduced",
        "with and without",
    ),
    # --- clone keeps history (AG005) ---
    Case(
        "clone-keeps-history",
        equals(
            """
w = torch.randn(3, requires_grad=True)
snapshot = w.clone()
""",
            "snapshot.grad_fn.name()",
            "'CloneBackward0'",
        ),
        "confirmed",
        "'CloneBackward0'",
    ),
    Case(
        "detached-clone-has-no-history",
        equals(
            """
w = torch.randn(3, requires_grad=True)
snapshot = w.detach().clone()
""",
            "snapshot.grad_fn.name()",
            "'CloneBackward0'",
        ),
        "not_reproduced",
        "None",
    ),
    Case(
        "clone-requires-grad",
        equals(
            """
w = torch.randn(3, requires_grad=True)
snapshot = w.clone()
""",
            "snapshot.requires_grad",
            "True",
        ),
        "confirmed",
        "True",
    ),
    Case(
        "tensor-of-tensor-warns",
        warns(
            """
w = torch.randn(3, requires_grad=True)
copy = torch.tensor(w)
""",
            TENSOR_COPY,
        ),
        "confirmed",
        "UserWarning: To copy construct from a tensor",
    ),
    Case(
        "tensor-of-list-does-not-warn",
        warns(
            """
w = torch.randn(3, requires_grad=True)
copy = torch.tensor(w.tolist())
""",
            TENSOR_COPY,
        ),
        "not_reproduced",
        "without any warning",
    ),
    # --- failures unrelated to the expectation ---
    Case(
        "shape-mismatch-is-not-evidence",
        raises(
            """
a = torch.randn(2, 3, requires_grad=True)
b = torch.randn(4, 5)
c = a @ b
c.sum().backward()
""",
            SAVED_MODIFIED,
        ),
        "not_replayable",
        "shape error",
    ),
    Case(
        "missing-method-is-not-evidence",
        raises(
            """
a = torch.randn(3, requires_grad=True)
state = a.state_dict()
""",
            SAVED_MODIFIED,
        ),
        "not_replayable",
        "AttributeError",
    ),
)

BACKENDS = ("mini", "torch")


def backend_or_skip(name: str) -> str:
    """Skip (with the reason) when ``name`` cannot run here; the mini engine is written
    alongside this package and is skipped until its entry point exists."""
    if name == "torch":
        if find_spec("torch") is None:
            pytest.skip("torch is not installed")
        return name
    pytest.importorskip("numpy")
    engine = pytest.importorskip("autograd_lint.runtime_check.engine")
    if not hasattr(engine, "install_as_torch"):
        pytest.skip("the mini engine does not expose install_as_torch yet")
    return name


def torch_cuda_available() -> bool:
    if find_spec("torch") is None:
        return False
    torch = importlib.import_module("torch")
    return bool(torch.cuda.is_available())
