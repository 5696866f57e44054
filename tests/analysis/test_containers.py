"""Tensors followed through lists, tuples, dicts, comprehensions and builtins."""

from __future__ import annotations

import pytest

from autograd_lint.lint import lint_source

HEADER = "import torch\n\n\ndef case():\n    w = torch.randn(3, requires_grad=True)\n"


def _indent(body: str) -> str:
    return "".join(f"    {line}\n" for line in body.splitlines())


def _findings(body: str) -> list[tuple[str, int]]:
    source = HEADER + _indent(body)
    return [(d.code, d.line) for d in lint_source(source, "case.py").diagnostics]


FLAGGED = {
    "a detached alias kept in a dict": (
        "outs = []\n"
        "for i in range(3):\n"
        "    outs.append(torch.sigmoid(w * i))\n"
        'stats = {"last": outs[-1].detach()}\n'
        'stats["last"].zero_()\n'
        "torch.stack(outs).sum().backward()\n",
        "AG002",
        10,
    ),
    "a clone stored under a key": ('history = {}\nhistory["w"] = w.clone()\n', "AG005", 7),
    "a .data write through zip's tuple": (
        "a = torch.tanh(w)\n"
        "b = torch.tanh(w)\n"
        "for x, y in zip([a], [b]):\n"
        "    y.data.zero_()\n"
        "(a * b).sum().backward()\n",
        "AG001",
        9,
    ),
    "a loss rebuilt from float()": (
        "loss = torch.tensor(float((w * 2).sum()))\nloss.backward()\n",
        "AG003",
        7,
    ),
    "sum of saved losses backpropagated twice": (
        "losses = [torch.sigmoid(w).sum(), torch.tanh(w).sum()]\n"
        "total = sum(losses)\n"
        "total.backward()\n"
        "total.backward()\n",
        "AG004",
        9,
    ),
    "a list extended in place, then indexed": (
        "acts = []\nacts += [torch.exp(w)]\nacts[0].detach().zero_()\nacts[0].sum().backward()\n",
        "AG002",
        8,
    ),
    "a loss without grad kept in dict(key=...)": (
        "frozen = w.detach()\nlosses = dict(loss=(frozen * 2).sum(), aux=(w * 2).sum())\n"
        "sum(losses.values())\nlosses['loss'].backward()\n",
        "AG003",
        9,
    ),
    "a clone made by a helper in a dict comprehension, then stored": (
        "def copy(v):\n"
        "    return v.clone()\n"
        "observation = {}\n"
        "values = {k: copy(v) for k, v in {'loss': (w * 2).sum()}.items()}\n"
        "for key, value in values.items():\n"
        "    observation['main/' + key] = value\n",
        "AG005",
        7,
    ),
    "a dict comprehension's length is not known": (
        "values = {k: v for k, v in {'loss': (w * 2).sum()}.items() if k}\n"
        "if len(list(values.values())) == 1:\n"
        "    raise ValueError('one')\n"
        "observation = {}\n"
        "observation['w'] = w.clone()\n",
        "AG005",
        10,
    ),
}


@pytest.mark.parametrize("name", FLAGGED)
def test_flagged(name: str) -> None:
    body, code, line = FLAGGED[name]
    assert (code, line) in _findings(body)


QUIET = {
    "a detached copy kept in a dict": (
        "outs = [torch.sigmoid(w)]\n"
        'stats = {"last": outs[-1].detach().clone()}\n'
        'stats["last"].zero_()\n'
        "torch.stack(outs).sum().backward()\n"
    ),
    "a snapshot stored detached": 'history = {}\nhistory["w"] = w.detach().clone()\n',
    "the other key of a dict": (
        'd = {"a": torch.exp(w), "b": torch.zeros(3)}\nd["b"].zero_()\nd["a"].sum().backward()\n'
    ),
    "sum of losses that saved nothing, backpropagated twice": (
        "losses = [(w + 2).sum(), (w - 1).sum()]\n"
        "total = sum(losses)\n"
        "total.backward()\n"
        "total.backward()\n"
    ),
    "the other key of dict(key=...)": (
        "frozen = w.detach()\nlosses = dict(loss=(frozen * 2).sum(), aux=(w * 2).sum())\n"
        "losses['aux'].backward()\n"
    ),
    "a detached copy made by a helper in a dict comprehension, then stored": (
        "def copy(v):\n"
        "    return v.detach()\n"
        "observation = {}\n"
        "values = {k: copy(v) for k, v in {'loss': (w * 2).sum()}.items()}\n"
        "for key, value in values.items():\n"
        "    observation['main/' + key] = value\n"
    ),
}


@pytest.mark.parametrize("name", QUIET)
def test_quiet(name: str) -> None:
    assert _findings(QUIET[name]) == []
