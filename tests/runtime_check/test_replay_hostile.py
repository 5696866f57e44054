"""Hostile witnesses: nothing escapes the replay, and every run ends within its limits.

Three layers are exercised separately: the validator (refuses before anything runs), the
restricted builtins of the executing process, and the operating-system limits of the
sandbox (for scripts that pass validation but allocate too much or never finish).
Timing bounds here are deliberately loose: they catch hangs, not slowness.
"""

from __future__ import annotations

import time
import types
from pathlib import Path

import pytest
from replay_cases import BACKENDS, HEADER, backend_or_skip, raises

from autograd_lint.diagnostics import Confirmation, Expectation, Witness
from autograd_lint.runtime_check import available_backends, confirm_many, sandbox, worker
from autograd_lint.runtime_check.validate import WitnessRejected, validate


def hostile_scripts(marker: Path) -> dict[str, str]:
    """Scripts the validator must refuse; several would create ``marker`` if they ran."""
    m = repr(str(marker))
    return {
        "import-os": "import os\nos.system('touch ' + " + m + ")\n",
        "import-from-os": "from os import system\nsystem('touch ' + " + m + ")\n",
        "import-subprocess-as-torch": "import subprocess as torch\n",
        "dunder-import": "__import__('os').system('touch ' + " + m + ")\n",
        "open-read": "data = open('/etc/passwd').read()\n",
        "open-write": f"open({m}, 'w').write('escaped')\n",
        "with-open": f"with open({m}, 'w') as f:\n    f.write('x')\n",
        "eval": "x = eval('1 + 1')\n",
        "exec": "exec('import os')\n",
        "compile": "c = compile('1', 'f', 'eval')\n",
        "getattr-class": "x = 1\ny = getattr(x, '__class__')\n",
        "subclasses-walk": "s = ().__class__.__bases__[0].__subclasses__()\n",
        "globals": "g = globals()\n",
        "builtins-name": "b = __builtins__\n",
        "lambda": "f = lambda: 0\n",
        "def": "def f():\n    return f()\nf()\n",
        "class": "class A:\n    pass\n",
        "while-true": "while True:\n    pass\n",
        "huge-for": "for _ in range(10**9):\n    pass\n",
        "for-constant-too-big": "for _ in range(1000000):\n    pass\n",
        "for-over-list": "for x in [1, 2, 3]:\n    pass\n",
        "comprehension": "xs = [i for i in range(10**9)]\n",
        "comprehension-appends-to-its-list": "xs = [1]\nys = [xs.append(x) for x in xs]\n",
        "comprehension-in-place-call": "xs = [torch.zeros(1)]\nys = [x.add_(1) for x in xs]\n",
        "comprehension-backward": "import torch\nys = [x.backward() for x in [torch.ones(1)]]\n",
        "comprehension-range-of-rebound-name": (
            "n = 4\nn = 10**9\nxs = [i for i in range(n)]\n"
        ),
        "comprehension-range-product": "n = 10**6\nxs = [i for i in range(n * n)]\n",
        "comprehension-nested-three": (
            "xs = [a for a in range(2) for b in range(2) for c in range(2)]\n"
        ),
        "comprehension-in-loop": (
            "for _ in range(2):\n    for _ in range(2):\n        xs = [i for i in range(2)]\n"
        ),
        "comprehension-dunder": "xs = [x.__class__ for x in (1, 2)]\n",
        "comprehension-walrus": "xs = [(y := i) for i in range(2)]\n",
        "comprehension-attribute-target": "import torch\nxs = [0 for torch.x in range(2)]\n",
        "comprehension-open": "xs = [open(f) for f in ('/etc/passwd',)]\n",
        "generator-private-name": "g = sum(_x for _x in range(2))\n",
        "async-comprehension": "xs = [i async for i in range(2)]\n",
        "deep-nesting": "x = " + "(" * 400 + "1" + ")" * 400 + "\n",
        "deep-unary-chain": "x = " + "-" * 19000 + "1\n",
        "deep-not-chain": "x = " + "not " * 4000 + "1\n",
        "deep-binary-chain": "x = 1" + " + 1" * 4000 + "\n",
        "torch-save-writes-file": f"import torch\nx = torch.zeros(2)\ntorch.save(x, {m})\n",
        "torch-load-unpickles": f"import torch\nx = torch.load({m})\n",
        "numpy-tofile": f"import torch\nx = torch.zeros(2)\nx.numpy().tofile({m})\n",
        "torch-private": "import torch\nx = torch._C\n",
        "torch-hub": "import torch\nm = torch.hub.load('x', 'y')\n",
        "torch-utils-import": "import torch.utils.data\nd = torch.utils.data.DataLoader\n",
        "torch-utils-from-import": "from torch.utils.data import DataLoader\nd = DataLoader([])\n",
        "str-format-attribute": "x = '{0.__class__}'.format(1)\n",
        "fstring": "x = 1\ny = f'{x}'\n",
        "try-except": "try:\n    x = 1\nexcept Exception:\n    pass\n",
        "if": "if True:\n    x = 1\n",
        "assert": "assert True\n",
        "global": "global x\n",
        "walrus": "y = (x := 1)\n",
        "star-args": "import torch\nargs = [3]\nx = torch.zeros(*args)\n",
        "double-star-kwargs": "import torch\nkw = {}\nx = torch.zeros(3, **kw)\n",
        "relative-import": "from . import torch\n",
        "undefined-name": "x = sys.modules\n",
        "breakpoint": "breakpoint()\n",
        "type-builtin": "t = type(1)\n",
        "dict-attribute": "import torch\nd = torch.__dict__\n",
        "with-non-grad-context": "import torch\nwith torch.zeros(1):\n    pass\n",
        "for-else": "for _ in range(2):\n    pass\nelse:\n    pass\n",
        "bytes": "b = b'abc'\n",
        "huge-literal": "x = 10000000000000000000000\n",
        "syntax-error": "x = = 1\n",
        "null-byte": "x = 1\x00\n",
        "too-long": "x = 1\n" * 5000,
    }


def test_every_hostile_script_is_refused_before_running(tmp_path: Path) -> None:
    marker = tmp_path / "escaped"
    for name, text in hostile_scripts(marker).items():
        with pytest.raises(WitnessRejected):
            validate(text)
            pytest.fail(f"{name} passed validation")


def test_hostile_witnesses_end_not_replayable_and_nothing_escapes(tmp_path: Path) -> None:
    backends = available_backends()
    if not backends:
        pytest.skip("no backend available")
    marker = tmp_path / "escaped"
    scripts = hostile_scripts(marker)
    witnesses = [
        Witness(text, Expectation("raises", exception="RuntimeError", message="x"))
        for text in scripts.values()
    ]
    started = time.monotonic()
    verdicts = confirm_many(witnesses, backend=backends[0], timeout_s=2)
    elapsed = time.monotonic() - started
    for name, verdict in zip(scripts, verdicts, strict=True):
        assert verdict.status == "not_replayable", name
        assert verdict.evidence.startswith("witness refused by validation"), (name, verdict)
    assert not marker.exists()
    assert elapsed < 60, "refusals must not start a sandbox"


def test_observation_and_control_are_validated_too() -> None:
    safe = HEADER + "x = torch.randn(3, requires_grad=True)\n"
    with pytest.raises(WitnessRejected, match="observation"):
        validate(safe, observe="x.__class__")
    with pytest.raises(WitnessRejected, match="control script"):
        validate(safe, observe="x.grad", control_script="import os\n")
    with pytest.raises(WitnessRejected, match="never defined"):
        validate(safe, observe="open('/etc/passwd')")


# --- second layer: the executing process's builtins ------------------------------------


def _fake_modules() -> dict[str, types.ModuleType]:
    torch = types.ModuleType("torch")
    return {"torch": torch}


@pytest.mark.parametrize(
    ("script", "error"),
    [
        ("f = open(MARKER, 'w')\n", "NameError"),
        ("import os\n", "ImportError"),
        ("m = __import__('os')\n", "ImportError"),
        ("import builtins\n", "ImportError"),
        ("x = eval('1')\n", "NameError"),
        ("exec('x = 1')\n", "NameError"),
        ("x = getattr(1, 'real')\n", "NameError"),
        ("x = globals()\n", "NameError"),
        ("x = type(1)\n", "NameError"),
    ],
)
def test_restricted_builtins_stop_what_validation_would_have(
    tmp_path: Path, script: str, error: str
) -> None:
    """Run straight through the executor, skipping validation, to test the second layer."""
    marker = tmp_path / "escaped"
    text = script.replace("MARKER", repr(str(marker)))
    result = worker.execute({"id": 0, "script": text}, _fake_modules(), lambda: None)
    assert result["finished"] is False
    assert result["exception"]["type"] == error
    assert not marker.exists()


def test_print_is_captured_not_written(capfd: pytest.CaptureFixture[str]) -> None:
    result = worker.execute({"id": 0, "script": "print('hello', 3)\n"}, {}, lambda: None)
    assert result["printed"] == "hello 3\n"
    assert "hello" not in capfd.readouterr().out


@pytest.mark.parametrize("backend", BACKENDS)
def test_worker_validates_again(backend: str) -> None:
    """The child refuses an unvalidated script even if the parent's check were skipped."""
    backend_or_skip(backend)
    outcome = sandbox.run_batch([sandbox.Run(0, "import os\n", timeout_s=5)], backend, "cpu")
    assert outcome.fatal is None
    assert "import of 'os' is not allowed" in outcome.results[0]["rejected"]


# --- third layer: operating-system limits -----------------------------------------------

RUNTIME_HOSTILE = {
    # (script body, expected evidence fragment); each passes validation
    "huge-allocation": ("x = torch.zeros(10**10)\n", "memory"),
    "over-the-memory-limit": ("x = torch.ones(300, 1000, 1000)\n", "memory"),
    "huge-string": ("s = 'a' * 10**10\n", "memory"),
    "huge-list": ("xs = [0] * 10**10\n", "memory"),
    "endless-integer-power": ("x = 10 ** 10 ** 8\n", "limit"),
    "nested-loops-of-matmuls": (
        "a = torch.randn(1500, 1500)\n"
        "for _ in range(16):\n"
        "    for _ in range(16):\n"
        "        b = a @ a\n"
        "        c = 10 ** 10 ** 7\n",
        "limit",
    ),
}
TIMEOUT_S = 2.0
MEMORY_MB = 512


@pytest.fixture(scope="module", params=BACKENDS)
def runtime_verdicts(request: pytest.FixtureRequest) -> tuple[str, dict[str, Confirmation], float]:
    backend = backend_or_skip(request.param)
    names = list(RUNTIME_HOSTILE)
    witnesses = [
        raises(RUNTIME_HOSTILE[name][0], "one of the variables needed for gradient")
        for name in names
    ]
    for witness in witnesses:
        validate(witness.script)  # these must reach the sandbox
    started = time.monotonic()
    verdicts = confirm_many(witnesses, backend, "cpu", timeout_s=TIMEOUT_S, memory_mb=MEMORY_MB)
    elapsed = time.monotonic() - started
    return backend, dict(zip(names, verdicts, strict=True)), elapsed


@pytest.mark.parametrize("name", list(RUNTIME_HOSTILE))
def test_runtime_limits_stop_what_validation_lets_through(
    name: str, runtime_verdicts: tuple[str, dict[str, Confirmation], float]
) -> None:
    _, verdicts, _ = runtime_verdicts
    verdict = verdicts[name]
    assert verdict.status == "not_replayable", verdict
    assert RUNTIME_HOSTILE[name][1] in verdict.evidence, verdict


def test_runtime_limited_batch_returns_in_bounded_time(
    runtime_verdicts: tuple[str, dict[str, Confirmation], float],
) -> None:
    backend, _, elapsed = runtime_verdicts
    bound = sandbox.STARTUP_ALLOWANCE_S[backend] + len(RUNTIME_HOSTILE) * (TIMEOUT_S + 10)
    assert elapsed < bound


@pytest.mark.parametrize("backend", BACKENDS)
def test_one_witness_cannot_affect_the_next(backend: str) -> None:
    """Global state set by one witness (grad mode) and a crash of another stay in their
    own processes: the following witnesses see a fresh backend."""
    backend_or_skip(backend)
    grad_works = "w = torch.randn(3, requires_grad=True)\nloss = (w * 2).sum()\nloss.backward()\n"
    no_grad = "element 0 of tensors does not require grad"
    witnesses = [
        raises("torch.set_grad_enabled(False)\n", no_grad),
        raises(grad_works, no_grad),
        raises("x = torch.zeros(10**10)\n", no_grad),
        raises("x = torch.randn(3)\nx.sum().backward()\n", no_grad),
    ]
    verdicts = confirm_many(witnesses, backend, "cpu", timeout_s=10, memory_mb=MEMORY_MB)
    assert [v.status for v in verdicts] == [
        "not_reproduced",
        "not_reproduced",
        "not_replayable",
        "confirmed",
    ], verdicts


def test_missing_torch_backend_is_reported_by_the_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    """If the child cannot import the backend, every witness is not replayable, with why."""
    if "torch" not in available_backends():
        pytest.skip("torch is not installed")
    package_root = str(Path(sandbox.__file__).resolve().parents[2])
    monkeypatch.setattr(sandbox, "child_sys_path", lambda: [package_root])
    sandbox.shutdown()  # a warm worker would still have torch
    verdicts = confirm_many(
        [raises("x = torch.randn(3)\nx.sum().backward()\n", "element 0")] * 2, "torch", "cpu"
    )
    assert [v.status for v in verdicts] == ["not_replayable"] * 2
    assert "cannot be loaded: ModuleNotFoundError" in verdicts[0].evidence


def test_process_per_run_mode_limits_and_recovers() -> None:
    """The mode CUDA uses (each witness runs in its worker, no fork), exercised on the CPU
    with the mini engine (torch would import three times): a runaway witness is ended by
    the wall-clock alarm, and only it is charged."""
    backend = backend_or_skip("mini")
    ok = HEADER + "x = torch.randn(3)\ny = x * 2\n"
    runs = [
        sandbox.Run(0, ok, timeout_s=20),
        sandbox.Run(1, HEADER + "x = 10 ** 10 ** 8\n", timeout_s=2),
        sandbox.Run(2, ok, timeout_s=20),
    ]
    started = time.monotonic()
    outcome = sandbox.run_batch(runs, backend, "cpu", fork=False)
    elapsed = time.monotonic() - started
    assert outcome.fatal is None
    assert outcome.results[0]["finished"] is True
    assert outcome.results[2]["finished"] is True
    assert outcome.results[1]["killed"] == "worker"
    assert outcome.results[1]["reason"] in (
        "sandbox process ended: timed out",
        "sandbox process ended: CPU time limit exceeded",
    )
    assert elapsed < 3 * sandbox.STARTUP_ALLOWANCE_S[backend]


def test_a_worker_that_never_starts_fails_every_run(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []

    def never_ready(
        runs: list[sandbox.Run], backend: str, device: str, fork: bool, reuse: bool
    ) -> tuple[sandbox.BatchOutcome, str]:
        calls.append(len(runs))
        return sandbox.BatchOutcome(backend, device), "sandbox process exited with status 1"

    monkeypatch.setattr(sandbox, "_one_batch", never_ready)
    outcome = sandbox.run_batch([sandbox.Run(i, "pass\n") for i in range(3)], "mini", "cpu")
    assert calls == [3]
    assert {r["reason"] for r in outcome.results.values()} == {
        "sandbox process exited with status 1"
    }


@pytest.mark.parametrize("backend", BACKENDS)
def test_real_torch_is_loaded_only_for_the_torch_backend(backend: str) -> None:
    backend_or_skip(backend)
    run = sandbox.Run(0, HEADER + "x = torch.ones(2)\n", timeout_s=10)
    outcome = sandbox.run_batch([run], backend, "cpu")
    assert outcome.ready and outcome.results[0]["finished"] is True
    assert outcome.real_torch is (backend == "torch")


@pytest.mark.parametrize("backend", BACKENDS)
def test_modules_in_the_callers_directory_or_pythonpath_are_not_imported(
    backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A ``numpy.py`` or ``torch.py`` next to the linted code must not shadow the backend."""
    backend_or_skip(backend)
    marker = tmp_path / "escaped"
    for name in ("numpy", "torch", "json", "select"):
        (tmp_path / f"{name}.py").write_text(f"open({str(marker)!r}, 'w').write('{name}')\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    monkeypatch.setenv("PYTHONSTARTUP", str(tmp_path / "numpy.py"))
    monkeypatch.setenv("SECRET_TOKEN", "do-not-pass")
    assert "SECRET_TOKEN" not in sandbox.child_environment(str(tmp_path))
    sandbox.shutdown()  # a fresh worker, started from here
    try:
        witness = raises("x = torch.randn(3)\nx.sum().backward()\n", "element 0 of tensors")
        [verdict] = confirm_many([witness], backend)
    finally:
        sandbox.shutdown()
    assert verdict.status == "confirmed", verdict.evidence
    assert not marker.exists()
