"""``torch.tensor([a, b])`` of tensors: each becomes a Python number, as torch converts it.

torch converts each tensor item to a scalar (one element, whatever its shape; any other size
is refused), and warns once per process when one of them requires grad ("Converting a tensor
with requires_grad=True to a scalar"). Once per process: each program runs in a fork of
its own, made before anything converted, so an earlier program cannot hide the warning.
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
import json, os, sys, warnings
sys.path.insert(0, {root!r})
if {backend!r} == "torch":
    import torch
else:
    from autograd_lint.runtime_check import engine as torch


def run(program):
    scope = {{"torch": torch}}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            exec(program, scope)
            status = "ok"
        except Exception as error:
            status = f"{{type(error).__name__}}: {{str(error).splitlines()[0]}}"
    out = {{
        k: [list(v.shape), str(v.dtype), v.requires_grad]
        for k, v in scope.items()
        if type(v).__name__ == "Tensor"
    }}
    return [status, [str(w.message).splitlines()[0] for w in caught], out]


results = {{}}
for name, program in json.loads({programs!r}).items():
    # a child per program, forked before anything converted: its once-per-process
    # warning is its own
    read, write = os.pipe()
    child = os.fork()
    if child == 0:
        os.close(read)
        os.write(write, json.dumps(run(program)).encode())
        os._exit(0)
    os.close(write)
    chunks = []
    while chunk := os.read(read, 65536):
        chunks.append(chunk)
    os.close(read)
    os.waitpid(child, 0)
    results[name] = json.loads(b"".join(chunks))
print(json.dumps(results))
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


_RESULTS: dict[str, dict[str, list]] = {}


def _run(name: str, backend: str) -> list:
    """``PROGRAMS[name]`` as ``backend`` ran it (all programs run in one interpreter per
    backend, each in a fork of its own)."""
    if backend not in _RESULTS:
        code = RUNNER.format(root=str(ROOT), backend=backend, programs=json.dumps(PROGRAMS))
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=300
        )
        _RESULTS[backend] = json.loads(done.stdout.strip().splitlines()[-1])
    return _RESULTS[backend][name]


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_tensor_of_tensors_matches_torch(name: str) -> None:
    engine, torch = _run(name, "mini"), _run(name, "torch")
    assert engine == torch, PROGRAMS[name]


def test_the_warning_is_torchs_and_comes_once() -> None:
    status, warned, _ = _run("warns_once_per_process", "mini")
    assert status == "ok"
    assert warned == [
        "Converting a tensor with requires_grad=True to a scalar may lead to unexpected behavior."
    ]
    assert _run("detached_items", "mini")[1] == []
