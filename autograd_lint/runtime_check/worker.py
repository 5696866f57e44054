"""The sandbox child: imports one backend, then runs each witness in a limited fork.

Started by :mod:`autograd_lint.runtime_check.sandbox` through the ``_worker.py`` script
(``python -I -S -B``) in an empty directory with a minimal environment. It reads one JSON
request on stdin::

    {"backend": "mini" | "torch", "device": "cpu" | "cuda" | "auto",
     "sys_path": [...], "fork": true,
     "runs": [{"id": 0, "script": "...", "observe": "..." | null,
               "timeout_s": 10.0, "memory_mb": 1024}, ...]}

(one line) and writes JSON lines on the stdout it was given: first ``{"ready": ...}`` (or
``{"fatal": ...}`` when the backend cannot be set up), then one ``{"id": ...}`` per run,
then ``{"done": true}``. It then waits for another request line (same backend; only
``runs`` is read) and exits at end of input, so the parent may keep it warm.
The script's own output never reaches that channel: fd 1 is pointed at /dev/null and
``print`` is captured.

Why fork per run: the backend (numpy, or torch) is imported once, and every witness still
starts from the same clean state in its own process, under its own limits, and can be
killed alone. Forking after CUDA is initialised is unsafe, so on ``cuda`` the worker runs
only the first witness, in itself, and exits; the parent starts another for the rest.

Deliberately light: only the standard library, the backend, and the validator.
"""

from __future__ import annotations

import contextlib
import gc
import io
import json
import os
import select
import signal
import sys
import time
import warnings
from collections.abc import Callable
from types import ModuleType
from typing import Any

MAX_TEXT = 2_000
MAX_WARNINGS = 20
MAX_PRINT = 4_000
MAX_PLAIN_ITEMS = 10_000
SEED = 0
IDLE_EXIT_S = 600.0
"""A warm worker with no request for this long exits (the parent starts another)."""
BACKEND_INTERNALS = frozenset({"torch", "numpy"})
"""Packages whose own code may import their submodules while a witness runs."""


def _set_limit(name: str, soft: int, hard: int | None = None) -> None:
    try:
        import resource
    except ImportError:  # not a POSIX system: only the parent's wall-clock bound applies
        return
    which = getattr(resource, name, None)
    if which is None:  # not on this platform
        return
    _, old_hard = resource.getrlimit(which)
    new_hard = hard if hard is not None else soft
    if old_hard != resource.RLIM_INFINITY:
        new_hard = min(new_hard, old_hard)
        soft = min(soft, new_hard)
    with contextlib.suppress(ValueError, OSError):  # best effort: refused means unchanged
        resource.setrlimit(which, (soft, new_hard))


def _address_space_now() -> int | None:
    """Bytes of virtual address space in use (Linux); the memory limit is added on top."""
    try:
        with open("/proc/self/statm") as handle:
            pages = int(handle.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    return pages * os.sysconf("SC_PAGE_SIZE")


def _cpu_seconds_used() -> float:
    try:
        import resource
    except ImportError:
        return 0.0
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def apply_limits(timeout_s: float, memory_mb: int, limit_memory: bool) -> None:
    """Operating-system limits for one witness: CPU seconds, address space, files, cores.

    Limits count from now: CPU time already spent (importing the backend) and address
    space already mapped are added to the allowance.
    """
    cpu = max(1, int(_cpu_seconds_used() + timeout_s + 0.999))
    _set_limit("RLIMIT_CPU", cpu, cpu + 1)
    _set_limit("RLIMIT_CORE", 0)
    _set_limit("RLIMIT_FSIZE", 1 << 20)
    _set_limit("RLIMIT_NOFILE", 64)
    if limit_memory:
        base = _address_space_now()
        if base is not None:
            _set_limit("RLIMIT_AS", base + memory_mb * (1 << 20))


class _Printed:
    """``print`` for witnesses: collects a bounded amount of text instead of writing to fd 1."""

    def __init__(self) -> None:
        self.buffer = io.StringIO()

    def __call__(self, *args: object, sep: str = " ", end: str = "\n", **_: object) -> None:
        if self.buffer.tell() < MAX_PRINT:
            self.buffer.write(sep.join(str(arg) for arg in args)[:MAX_PRINT] + end)


def restricted_builtins(modules: dict[str, ModuleType], printed: _Printed) -> dict[str, Any]:
    """The only builtins a witness sees; ``import`` resolves to the backend's modules only."""
    import builtins

    from autograd_lint.runtime_check.validate import SAFE_BUILTINS

    def guarded_import(
        name: str,
        globals: object = None,
        locals: object = None,
        fromlist: tuple[str, ...] | list[str] | None = (),
        level: int = 0,
    ) -> ModuleType:
        if level == 0 and name in modules:
            return modules[name] if fromlist else modules[name.split(".")[0]]
        if level == 0 and name.split(".")[0] in BACKEND_INTERNALS:
            # C code of the backend (``tensor.tolist()``, numpy raising MemoryError)
            # imports its own submodules through the calling frame's ``__import__``,
            # which is this one. Witness ``import`` statements never get here: the
            # validator allows only the names in ``modules``.
            return builtins.__import__(name, globals, locals, fromlist, level)  # type: ignore[arg-type]
        raise ImportError(f"import of {name!r} is not allowed in a witness")

    table: dict[str, Any] = {
        name: getattr(builtins, name) for name in SAFE_BUILTINS if hasattr(builtins, name)
    }
    table["print"] = printed
    table["autograd_nodes"] = autograd_nodes
    table["__import__"] = guarded_import
    return table


def autograd_nodes(tensor: Any, limit: int = 100_000) -> int:
    """How many distinct autograd nodes a tensor's ``grad_fn`` reaches (through
    ``next_functions``, as torch and the mini engine both expose them): what keeping the
    tensor alive keeps alive. 0 for a tensor without a ``grad_fn``."""
    root = getattr(tensor, "grad_fn", None)
    seen: dict[int, Any] = {}
    stack = [root] if root is not None else []
    while stack and len(seen) < limit:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen[id(node)] = node
        for edge in getattr(node, "next_functions", ()):
            if edge[0] is not None:
                stack.append(edge[0])
    return len(seen)


def _exception_facts(error: BaseException) -> dict[str, Any]:
    return {
        "type": type(error).__name__,
        "mro": [cls.__name__ for cls in type(error).__mro__],
        "module": type(error).__module__,
        "message": str(error)[:MAX_TEXT],
    }


def _plain(value: Any, budget: list[int]) -> Any:
    """A JSON-able copy of an observed value, so two runs can be compared by the judge."""
    budget[0] -= 1
    if budget[0] < 0:
        raise ValueError("observed value too large")
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if value == value else "nan"
    if isinstance(value, (list, tuple)):
        return [_plain(item, budget) for item in value]
    detach = getattr(value, "detach", None)
    if callable(detach):
        value = detach()
        cpu = getattr(value, "cpu", None)
        if callable(cpu):
            value = cpu()
    tolist = getattr(value, "tolist", None)
    if callable(tolist):
        shape = getattr(value, "shape", None)
        return {
            "shape": [int(n) for n in shape] if shape is not None else None,
            "values": _plain(tolist(), budget),
        }
    return {"repr": repr(value)[:MAX_TEXT]}


def _observe(expression: str, namespace: dict[str, Any]) -> dict[str, Any]:
    code = compile(expression, "<observation>", "eval")
    value = eval(code, namespace)  # validated expression, restricted builtins
    facts: dict[str, Any] = {"repr": repr(value)[:MAX_TEXT]}
    try:
        facts["plain"] = _plain(value, [MAX_PLAIN_ITEMS])
    except Exception as error:  # an exotic value still has its repr
        facts["plain_error"] = f"{type(error).__name__}: {error}"[:MAX_TEXT]
    return facts


def execute(
    run: dict[str, Any],
    modules: dict[str, ModuleType],
    seed: Callable[[], None],
) -> dict[str, Any]:
    """Run one validated witness (and its observation) in this process; report what happened."""
    printed = _Printed()
    namespace: dict[str, Any] = {
        "__builtins__": restricted_builtins(modules, printed),
        "__name__": "__witness__",
    }
    result: dict[str, Any] = {"id": run["id"], "finished": False, "exception": None}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            seed()
            code = compile(run["script"], "<witness>", "exec")
            exec(code, namespace)  # validated script, restricted builtins, sandboxed process
            result["finished"] = True
        except BaseException as error:  # the witness's own failure is the evidence
            result["exception"] = _exception_facts(error)
        if result["finished"] and run.get("observe"):
            try:
                result["observed"] = _observe(run["observe"], namespace)
            except BaseException as error:
                result["observe_exception"] = _exception_facts(error)
    result["warnings"] = [
        {"category": w.category.__name__, "message": str(w.message)[:MAX_TEXT]}
        for w in caught[:MAX_WARNINGS]
    ]
    result["printed"] = printed.buffer.getvalue()[:MAX_PRINT]
    return result


def _revalidate(run: dict[str, Any]) -> str | None:
    from autograd_lint.runtime_check.validate import (
        WitnessRejected,
        validate_expression,
        validate_script,
    )

    try:
        known = validate_script(run["script"])
        if run.get("observe"):
            validate_expression(run["observe"], known)
    except WitnessRejected as error:
        return str(error)
    return None


def _load_backend(backend: str) -> dict[str, ModuleType]:
    if backend == "mini":
        import importlib

        engine = importlib.import_module("autograd_lint.runtime_check.engine")
        engine.install_as_torch(sys.modules)
    elif backend != "torch":
        raise ValueError(f"unknown backend {backend!r}")
    import torch

    if backend == "torch":
        torch.set_num_threads(1)
    names = ("torch", "torch.nn", "torch.nn.functional", "torch.optim", "torch.autograd")
    return {name: sys.modules[name] for name in names if name in sys.modules}


def _precompiled_modules() -> list[str]:
    """Modules loaded from the parent's precompiled code (see ``_worker.py``), not source."""
    return sorted(
        name
        for name, module in list(sys.modules.items())
        if type(getattr(getattr(module, "__spec__", None), "loader", None)).__name__
        == "BundledModules"
    )


def _resolve_device(backend: str, requested: str, torch: ModuleType) -> tuple[str | None, str]:
    """The device that will run, or ``None`` and why not."""
    if backend == "mini":
        if requested == "cuda":
            return (
                None,
                "CUDA not available: the mini engine runs on the CPU only (use --backend torch)",
            )
        return "cpu", ""
    cuda = getattr(torch, "cuda", None)
    available = bool(cuda is not None and cuda.is_available())
    if requested == "auto":
        return ("cuda" if available else "cpu"), ""
    if requested == "cuda" and not available:
        return None, "CUDA not available"
    return requested, ""


def _seeder(torch: ModuleType, device: str) -> Callable[[], None]:
    manual_seed = getattr(torch, "manual_seed", None)
    set_default_device = getattr(torch, "set_default_device", None)

    def seed() -> None:
        if device != "cpu" and set_default_device is not None:
            set_default_device(device)
        if manual_seed is not None:
            manual_seed(SEED)

    return seed


def _run_forked(
    run: dict[str, Any], modules: dict[str, ModuleType], seed: Callable[[], None]
) -> dict[str, Any]:
    read_end, write_end = os.pipe()
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:  # the witness's own process
        code = 0
        try:
            os.close(read_end)
            os.dup2(os.open(os.devnull, os.O_WRONLY), 2)  # its facts travel by the pipe
            apply_limits(run["timeout_s"], run["memory_mb"], limit_memory=True)
            data = json.dumps(execute(run, modules, seed)).encode()
            with os.fdopen(write_end, "wb") as out:
                out.write(data)
        except BaseException:
            code = 70
        finally:
            os._exit(code)
    os.close(write_end)
    chunks: list[bytes] = []
    deadline = started + run["timeout_s"]
    timed_out = False
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            timed_out = True
            break
        ready, _, _ = select.select([read_end], [], [], left)
        if not ready:
            continue
        chunk = os.read(read_end, 1 << 16)
        if not chunk:
            break
        chunks.append(chunk)
    if timed_out:
        with contextlib.suppress(OSError):  # it may have just exited
            os.kill(pid, signal.SIGKILL)
    os.close(read_end)
    _, status = os.waitpid(pid, 0)
    elapsed = time.monotonic() - started
    if timed_out:
        return {"id": run["id"], "killed": "timeout", "elapsed_s": elapsed}
    try:
        result: dict[str, Any] = json.loads(b"".join(chunks))
    except ValueError:
        if os.WIFSIGNALED(status):
            number = os.WTERMSIG(status)
            meanings: dict[int, str] = {
                int(signal.SIGXCPU): "cpu",
                int(signal.SIGKILL): "killed",
                int(signal.SIGXFSZ): "file size",
            }
            reason = meanings.get(number, f"signal {number}")
        else:
            reason = f"exit {os.WEXITSTATUS(status)}"
        return {"id": run["id"], "killed": reason, "elapsed_s": elapsed}
    result["elapsed_s"] = elapsed
    return result


def _run_inline(
    run: dict[str, Any], modules: dict[str, ModuleType], seed: Callable[[], None], device: str
) -> dict[str, Any]:
    """One run in this process (CUDA, or where fork is missing or not wanted).

    CPU time and wall clock are limited. On CUDA address space is not, because the CUDA
    runtime reserves far more of it than any limit would allow; GPU memory is capped
    through torch instead."""
    apply_limits(run["timeout_s"], run["memory_mb"], limit_memory=device == "cpu")
    if hasattr(signal, "alarm"):  # wall clock: SIGALRM ends the worker
        signal.alarm(max(1, int(run["timeout_s"] + 0.999)))
    torch = modules["torch"]
    if device == "cuda":
        try:
            total = torch.cuda.get_device_properties(0).total_memory
            torch.cuda.set_per_process_memory_fraction(
                min(1.0, run["memory_mb"] * (1 << 20) / total)
            )
        except Exception:
            pass
    started = time.monotonic()
    result = execute(run, modules, seed)
    result["elapsed_s"] = time.monotonic() - started
    return result


def _serve(
    runs: list[dict[str, Any]],
    modules: dict[str, ModuleType],
    seed: Callable[[], None],
    device: str,
    fork: bool,
    send: Callable[[dict[str, Any]], None],
) -> bool:
    """Run one batch; ``False`` when this process must not take another (it ran inline)."""
    for run in runs:
        refused = _revalidate(run)
        if refused is not None:
            send({"id": run["id"], "rejected": refused})
        elif device == "cpu" and fork and hasattr(os, "fork"):
            send(_run_forked(run, modules, seed))
        else:
            # CUDA (or no fork): one run per process; the parent starts another for the rest.
            send(_run_inline(run, modules, seed, device))
            return False
    return True


def main() -> int:
    requests = os.fdopen(os.dup(0), "r")
    line = requests.readline()
    if not line:
        return 0
    request = json.loads(line)
    channel = os.fdopen(os.dup(1), "w", buffering=1)
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1):
        os.dup2(devnull, fd)

    def send(message: dict[str, Any]) -> None:
        channel.write(json.dumps(message) + "\n")
        channel.flush()

    _set_limit("RLIMIT_CORE", 0)
    sys.path[:0] = [p for p in request["sys_path"] if isinstance(p, str)]
    backend = request["backend"]
    try:
        modules = _load_backend(backend)
        gc.freeze()  # a fork's collections then leave the shared pages alone (no copies)
    except BaseException as error:
        reason = f"backend {backend!r} cannot be loaded: {type(error).__name__}: {error}"
        send({"fatal": reason[:MAX_TEXT]})
        return 0
    torch = modules["torch"]
    device, why = _resolve_device(backend, request["device"], torch)
    if device is None:
        send({"fatal": why, "device": request["device"]})
        return 0
    send(
        {
            "ready": True,
            "device": device,
            "version": str(getattr(torch, "__version__", "")),
            "real_torch": "torch._C" in sys.modules,
            "precompiled": _precompiled_modules(),
        }
    )
    seed = _seeder(torch, device)
    fork = bool(request.get("fork", True))
    while True:
        more = _serve(request["runs"], modules, seed, device, fork, send)
        send({"done": True})
        if not more:
            return 0
        # The parent may keep this process warm for further batches; an idle one leaves.
        waiting, _, _ = select.select([requests], [], [], IDLE_EXIT_S)
        line = requests.readline() if waiting else ""
        if not line:
            return 0
        request = json.loads(line)


def run_and_exit() -> None:
    """The process's whole life: serve, remove the scratch directory, leave at once."""
    status = main()
    sys.stdout.flush()
    with contextlib.suppress(OSError):  # the empty scratch directory, if the parent cannot
        os.rmdir(os.getcwd())
    # Skip interpreter teardown: with numpy or torch loaded it costs more than the replay.
    os._exit(status)
