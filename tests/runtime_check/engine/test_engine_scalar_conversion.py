"""``torch.tensor([a, b])`` of tensors: each becomes a Python number, as torch converts it.

torch converts each tensor item to a scalar (one element, whatever its shape; any other size
is refused), and warns once per process when one of them requires grad ("Converting a tensor
with requires_grad=True to a scalar"). Once per process: each program runs in a fresh
interpreter for each backend, so an earlier test's conversion cannot hide the warning.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("torch")

ROOT = Path(__file__).resolve().parents[3]
RUNNER = """
import json, sys, warnings
sys.path.insert(0, {root!r})
if {backend!r} == "torch":
    import torch
else:
    from autograd_lint.runtime_check import engine as torch
warnings.simplefilter("always")
scope = {{"torch": torch}}
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    try:
        exec({program!r}, scope)
        status = "ok"
    except Exception as error:
        status = f"{{type(error).__name__}}: {{str(error).splitlines()[0]}}"
out = {{
    k: [list(v.shape), str(v.dtype), v.requires_grad]
    for k, v in scope.items()
    if type(v).__name__ == "Tensor"
}}
warned = [str(w.message).splitlines()[0] for w in caught]
print(json.dumps([status, warned, out]))
"""

GRAD = "a = torch.tensor(0.5, requires_grad=True)\nc = torch.cos(a)\n"
PROGRAMS = {
    "items_requiring_grad": GRAD + "y = torch.tensor([c, c])\n",
    "warns_once_per_process": GRAD + "y = torch.tensor([c])\nz = torch.tensor([[c, 1.0]])\n",
    "detached_items": GRAD + "y = torch.tensor([c.detach(), c.detach()])\n",
    "one_element_views": GRAD + "y = torch.tensor([c.view(1), c.view(1, 1)])\n",
    "tuple_with_dtype": GRAD + "y = torch.tensor((c, c), dtype=torch.float64)\n",
    "integer_items": "y = torch.tensor([torch.tensor(1), torch.tensor(2)])\n",
    "mixed_numbers": "y = torch.tensor([torch.tensor(1), 2.5])\n",
    "vector_items": "y = torch.tensor([torch.zeros(2), torch.zeros(2)])\n",
    "empty_item": "y = torch.tensor([torch.zeros(0)])\n",
    "integer_vector_item": "y = torch.tensor([torch.zeros(2, dtype=torch.long)])\n",
}


def _run(program: str, backend: str) -> list:
    code = RUNNER.format(root=str(ROOT), backend=backend, program=program)
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_tensor_of_tensors_matches_torch(name: str) -> None:
    engine, torch = _run(PROGRAMS[name], "mini"), _run(PROGRAMS[name], "torch")
    assert engine == torch, PROGRAMS[name]


def test_the_warning_is_torchs_and_comes_once() -> None:
    status, warned, _ = _run(PROGRAMS["warns_once_per_process"], "mini")
    assert status == "ok"
    assert warned == [
        "Converting a tensor with requires_grad=True to a scalar may lead to unexpected behavior."
    ]
    assert _run(PROGRAMS["detached_items"], "mini")[1] == []
