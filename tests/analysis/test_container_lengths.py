"""``len()`` of a list is a known number only when every item is known one by one.

A list extended with a comprehension (or anything whose items are not enumerable) may hold
any number of items, none included: a guard such as ``if len(params) == 0: raise`` must
not be read as always taken, or everything after it is analysed as dead code.
"""

from __future__ import annotations

from autograd_lint.lint import lint_source

TRAIN = (
    "    w = torch.randn(3, requires_grad=True)\n"
    "    opt = torch.optim.SGD([w], lr=0.1)\n"
    "    losses = []\n"
    "    for _ in range(5):\n"
    "        opt.zero_grad()\n"
    "        loss = (w**2).sum()\n"
    "        losses.append(loss)\n"
    "        loss.backward()\n"
    "        opt.step()\n"
)


def _codes(source: str) -> list[str]:
    return [d.code for d in lint_source(source, "case.py").diagnostics]


def test_guard_after_extend_with_a_comprehension_is_not_dead_code() -> None:
    source = (
        "import torch\n\n\ndef fit(models):\n"
        "    params = []\n"
        "    for m in models:\n"
        "        params.extend([c for c in m.cores if c.requires_grad])\n"
        "    if len(params) == 0:\n"
        "        raise ValueError('nothing to optimize')\n" + TRAIN
    )
    assert "AG010" in _codes(source)


def test_guard_after_augmented_extend_is_not_dead_code() -> None:
    source = (
        "import torch\n\n\ndef fit(cores):\n"
        "    params = []\n"
        "    params += [c for c in cores if c.requires_grad]\n"
        "    if len(params) == 1:\n"
        "        raise ValueError('give two or more')\n" + TRAIN
    )
    assert "AG010" in _codes(source)


def test_a_list_known_to_be_empty_still_ends_the_function() -> None:
    """The look-alike: nothing was added, the length is known to be 0, the guard is taken
    and the loop after it never runs."""
    source = (
        "import torch\n\n\ndef fit(models):\n"
        "    params = []\n"
        "    if len(params) == 0:\n"
        "        raise ValueError('nothing to optimize')\n" + TRAIN
    )
    assert _codes(source) == []
