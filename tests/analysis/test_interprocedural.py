"""Findings whose pitfall and consequence sit in different functions, methods and classes.

Each positive case is followed through calls of the project's own code (functions,
methods of plain classes, constructors with arguments, closures handed to an optimizer's
``step``) and its witness is replayed; each negative is a look-alike that must stay quiet.
"""

from __future__ import annotations

import pytest

from autograd_lint.lint import lint_source
from autograd_lint.runtime_check import confirm_many

HEADER = "import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n\n"
BACKENDS = ["mini", pytest.param("torch", marks=pytest.mark.torch)]

CLONE_IN_HELPER = (
    HEADER
    + """
def make_target(q):
    return q.clone()


def train_step(model, x):
    out = model(x)
    target = make_target(out)
    loss = F.mse_loss(out, target)
    loss.backward()


def main():
    model = nn.Linear(4, 4)
    x = torch.randn(2, 4)
    train_step(model, x)


if __name__ == "__main__":
    main()
"""
)

CLOSURE_IN_NO_GRAD_STEP = (
    HEADER
    + """
class PlainSGD(torch.optim.Optimizer):
    def __init__(self, params, lr=0.1):
        super().__init__(params, dict(lr=lr))

    @torch.no_grad()
    def step(self, closure=None):
        loss = None
        if closure is not None:
            loss = closure()
        return loss


model = nn.Linear(3, 1)
opt = PlainSGD(model.parameters())
x = torch.randn(5, 3)


def closure():
    opt.zero_grad()
    loss = model(x).pow(2).mean()
    loss.backward()
    return loss


opt.step(closure)
"""
)

DETACHED_ALIAS_RETURNED = (
    HEADER
    + """
def compute(w, x):
    y = torch.sigmoid(x @ w)
    return y, y.detach()


w = torch.randn(3, 3, requires_grad=True)
x = torch.randn(2, 3)
y, snap = compute(w, x)
snap.zero_()
y.sum().backward()
"""
)

STATE_ON_A_PLAIN_OBJECT = (
    HEADER
    + """
class Block(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.fc = nn.Linear(dim, dim)

    def forward(self, x):
        return torch.sigmoid(self.fc(x))


class Runner:
    def __init__(self, block):
        self.block = block
        self.history = None

    def run(self, x):
        self.history = self.block(x)
        return self.history.sum()


runner = Runner(Block(4))
x = torch.randn(2, 4)
loss = runner.run(x)
loss.backward()
loss.backward()
"""
)

MODE_ARGUMENT = (
    HEADER
    + """
class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.enc = nn.Linear(4, 4)

    def forward(self, x, mode):
        if mode == "G":
            code = torch.tanh(self.enc(x))
            return code.sum(), (code * code).sum()
        return None


model = Model()
first, second = model(torch.randn(2, 4), "G")
first.backward()
second.backward()
"""
)

SETTINGS_OBJECT = (
    HEADER
    + """
class Args:
    weight = 0.5


args = Args()
w = torch.randn(3, requires_grad=True)
y = torch.sigmoid(w) * args.weight
y.sum().backward()
y.sum().backward()
"""
)

MODULE_WITH_OWN_CALL = (
    HEADER
    + """
class LossCompute(nn.Module):
    def __init__(self):
        super().__init__()
        self.classifier = nn.Linear(4, 2)

    def __call__(self, enc_out):
        class_loss = torch.sigmoid(self.classifier(enc_out)).sum()
        class_loss.backward()
        return enc_out.pow(2).sum()


encoder = nn.Linear(4, 4)
enc_out = torch.tanh(encoder(torch.randn(3, 4)))
loss = LossCompute()(enc_out)
loss.backward()
"""
)

CALL_WRAPPING_FORWARD = (
    HEADER
    + """
class Wrapped(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(3, 3)

    def __call__(self, x):
        return super().__call__(x)

    def forward(self, x):
        return torch.sigmoid(self.lin(x)).sum()


loss = Wrapped()(torch.randn(2, 3))
loss.backward()
loss.backward()
"""
)

POSITIVES = {
    "a module's own __call__ runs a backward": (MODULE_WITH_OWN_CALL, "AG004", 20),
    "a module's __call__ calls super().__call__, which runs forward": (
        CALL_WRAPPING_FORWARD,
        "AG004",
        20,
    ),
    "clone returned by a helper, used as a loss target": (CLONE_IN_HELPER, "AG005", 7),
    "closure run by a custom optimizer's no_grad step": (CLOSURE_IN_NO_GRAD_STEP, "AG003", 26),
    "detached alias returned in a tuple": (DETACHED_ALIAS_RETURNED, "AG002", 14),
    "graph built in a method of a plain class": (STATE_ON_A_PLAIN_OBJECT, "AG004", 29),
    "branch chosen by a literal mode argument": (MODE_ARGUMENT, "AG004", 21),
    "a setting read from a plain settings object": (SETTINGS_OBJECT, "AG004", 14),
}


def _findings(source: str) -> list[tuple[str, int]]:
    return [(d.code, d.line) for d in lint_source(source, "case.py").diagnostics]


@pytest.mark.parametrize("name", POSITIVES)
def test_found_across_calls(name: str) -> None:
    source, code, line = POSITIVES[name]
    assert (code, line) in _findings(source)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name", POSITIVES)
def test_witness_cut_across_calls_is_confirmed(name: str, backend: str) -> None:
    if backend == "torch":
        pytest.importorskip("torch")
    source, code, line = POSITIVES[name]
    (finding,) = [
        d
        for d in lint_source(source, "case.py", witnesses=True).diagnostics
        if (d.code, d.line) == (code, line)
    ]
    assert finding.witness is not None
    (verdict,) = confirm_many([finding.witness], backend=backend)
    assert verdict.status == "confirmed", (finding.witness.script, verdict)


NEGATIVES = {
    "a module's own __call__ keeps the graph for the second backward": MODULE_WITH_OWN_CALL.replace(
        "class_loss.backward()", "class_loss.backward(retain_graph=True)"
    ),
    "a module's __call__ wrapping forward, one backward": CALL_WRAPPING_FORWARD.replace(
        "loss.backward()\nloss.backward()", "loss.backward()"
    ),
    "helper returns a detached copy": CLONE_IN_HELPER.replace(
        "return q.clone()", "return q.detach().clone()"
    ),
    "torch's own optimizer runs the closure with grad enabled": HEADER
    + """
model = nn.Linear(3, 1)
opt = torch.optim.SGD(model.parameters(), lr=0.1)
x = torch.randn(5, 3)


def closure():
    opt.zero_grad()
    loss = model(x).pow(2).mean()
    loss.backward()
    return loss


opt.step(closure)
""",
    "the custom step re-enables grad for the closure": CLOSURE_IN_NO_GRAD_STEP.replace(
        "            loss = closure()",
        "            with torch.enable_grad():\n                loss = closure()",
    ),
    "the helper's alias is cloned before the in-place op": DETACHED_ALIAS_RETURNED.replace(
        "y.detach()", "y.detach().clone()"
    ),
    "the graph is rebuilt by each call": STATE_ON_A_PLAIN_OBJECT.replace(
        "loss.backward()\nloss.backward()", "loss.backward()\nrunner.run(x).backward()"
    ),
    "an unknown decorator may replace the function": HEADER
    + """
import functools


def cached(fn):
    return functools.lru_cache()(fn)


@cached
def make_input():
    return torch.randn(3)


x = make_input()
x.sum().backward()
""",
    "the literal mode argument takes the other branch": MODE_ARGUMENT.replace(
        '"G")\nfirst', '"D")\nfirst'
    ).replace(
        "        return None\n", "        return self.enc(x).sum(), torch.tanh(self.enc(x)).sum()\n"
    ),
    "recursion is cut, not followed forever": HEADER
    + """
def depth(x, n):
    if n == 0:
        return x
    return depth(x * 2, n - 1)


w = torch.randn(3, requires_grad=True)
depth(w, 3).sum().backward()
""",
}


@pytest.mark.parametrize("name", NEGATIVES)
def test_look_alike_is_quiet(name: str) -> None:
    assert _findings(NEGATIVES[name]) == []


def test_arguments_bind_by_keyword_and_default() -> None:
    source = HEADER + (
        "def loss_of(pred, target=None, *, detach_target=False):\n"
        "    return F.mse_loss(pred, target)\n\n\n"
        "w = torch.randn(3, requires_grad=True)\n"
        "y = (w * 2)\n"
        "loss_of(pred=y, target=y.clone())\n"
    )
    assert ("AG005", 11) in _findings(source)


def test_a_starred_tuple_of_arguments_is_bound() -> None:
    source = HEADER + (
        "class M(nn.Module):\n"
        "    def forward(self, a, b):\n"
        "        return torch.sigmoid(a) * b\n\n\n"
        "model = M()\n"
        "inputs = (torch.randn(3, requires_grad=True), torch.randn(3))\n"
        "out = model(*inputs)\n"
        "out.sum().backward()\n"
        "out.sum().backward()\n"
    )
    assert ("AG004", 14) in _findings(source)


FREEZE_BY_SETTING = HEADER + (
    "class Cfg:\n"
    '    finetune = "ep049.pth"\n\n\n'
    "cfg = Cfg()\n"
    "net = nn.Sequential(nn.Linear(4, 4), nn.ReLU(), nn.Linear(4, 2))\n"
    "if cfg.finetune is not None:\n"
    "    for param in net.parameters():\n"
    "        param.requires_grad = False\n"
    "loss = net(torch.randn(2, 4)).sum()\n"
    "loss.backward()\n"
)


def test_a_literal_class_setting_decides_its_branch() -> None:
    assert ("AG003", 15) in _findings(FREEZE_BY_SETTING)


@pytest.mark.parametrize(
    "setting",
    [
        "    finetune = None\n",  # `is not None` is then false: the parameters stay trainable
        "    finetune = None\n\n    def __init__(self):\n        self.finetune = None\n",
    ],
)
def test_a_class_setting_that_skips_the_branch_is_quiet(setting: str) -> None:
    source = FREEZE_BY_SETTING.replace('    finetune = "ep049.pth"\n', setting)
    assert _findings(source) == []


LAYERS_SET_INPLACE = HEADER + (
    "class Head(nn.Module):\n"
    "    def __init__(self):\n"
    "        super().__init__()\n"
    "        self.proj = nn.Linear(4, 4)\n"
    "        self.act = nn.ReLU()\n"
    "        self.drop = nn.Dropout(0.1)\n"
    "        for m in self.modules():\n"
    "            if isinstance(m, nn.ReLU) or isinstance(m, nn.Dropout):\n"
    "                m.inplace = True\n\n"
    "    def forward(self, x):\n"
    "        return self.drop(self.act(self.proj(x)))\n\n\n"
    "Head()(torch.randn(2, 4)).sum().backward()\n"
)


def test_a_loop_over_modules_sets_each_layer_by_its_type() -> None:
    assert ("AG002", 16) in _findings(LAYERS_SET_INPLACE)


@pytest.mark.parametrize(
    "change",
    [
        ("isinstance(m, nn.ReLU) or isinstance(m, nn.Dropout)", "isinstance(m, nn.ReLU)"),
        ("m.inplace = True", "m.inplace = False"),
        (
            "for m in self.modules():",
            "for m in self.children():\n            pass\n        if False:",
        ),
    ],
)
def test_layers_left_out_of_place_are_quiet(change: tuple[str, str]) -> None:
    assert _findings(LAYERS_SET_INPLACE.replace(*change)) == []


@pytest.mark.torch
def test_registry_layers_subclass_one_another_only_as_declared() -> None:
    """What lets ``isinstance(m, nn.ReLU)`` be false for any other registry layer."""
    nn = pytest.importorskip("torch.nn")
    from autograd_lint import nn_modules

    classes = {name: getattr(nn, name) for name in nn_modules.MODULES if hasattr(nn, name)}
    related = {
        (a, b) for a in classes for b in classes if a != b and issubclass(classes[a], classes[b])
    }
    assert related == set(nn_modules.BASES.items())


ONE_LINE_DEF = HEADER + (
    "def init_params(size, std=1.0): return (torch.randn(size)*std).requires_grad_()\n\n"
    "weights = init_params((28*28, 1))\n"
    "def linear1(xb): return xb@weights\n"
    "preds = linear1(torch.rand(4, 28*28))\n"
)


def test_a_one_line_def_is_followed_like_any_function() -> None:
    """``def f(x): return ...`` on one line runs its body: the leaf it makes is known."""
    codes = [
        (d.code, d.line) for d in lint_source(ONE_LINE_DEF + "weights[0] *= 1.0001\n").diagnostics
    ]
    assert ("AG007", 10) in codes
    quiet = ONE_LINE_DEF + "with torch.no_grad():\n    weights[0] *= 1.0001\n"
    assert [d.code for d in lint_source(quiet).diagnostics] == []
    numpy_lines = ONE_LINE_DEF + "values = preds.numpy()\n"
    assert [d.code for d in lint_source(numpy_lines).diagnostics] == ["AG011"]


UPSAMPLE_ISINSTANCE = """\
import torch
import torch.nn as nn

up = nn.UpsamplingNearest2d(scale_factor=2)
conv = nn.Conv2d(3, 3, 1)
out = conv(torch.randn(1, 3, 4, 4)).sigmoid()
if isinstance(up, nn.{kind}):
    c = out.detach()
    c.zero_()
out.sum().backward()
"""


@pytest.mark.parametrize(("kind", "codes"), [("Upsample", ["AG002"]), ("Conv2d", [])])
def test_isinstance_of_a_registry_base_class(kind: str, codes: list[str]) -> None:
    """``nn.UpsamplingNearest2d`` is an ``nn.Upsample`` (the branch runs and torch raises),
    not an ``nn.Conv2d`` (the branch never runs)."""
    result = lint_source(UPSAMPLE_ISINSTANCE.format(kind=kind), "t.py")
    assert [d.code for d in result.diagnostics] == codes
