"""Replay witnesses on a backend and judge what happened against their expectation.

Three verdicts, as in :class:`~autograd_lint.diagnostics.Confirmation`:

- ``confirmed``: the expected error, warning, difference or value was observed; the
  evidence quotes it.
- ``not_reproduced``: the witness ran properly and the expected thing did not happen
  (it finished without raising, raised a different one of the autograd errors findings
  predict, the values agree); the evidence says what happened instead.
- ``not_replayable``: the witness could not be run meaningfully, so it says nothing about
  the finding: validation refused it, a limit stopped it, the backend is missing or lacks
  a feature (``AttributeError``/``NotImplementedError`` from the mini engine), or it
  stopped on an error that is none of autograd's (a stand-in of the wrong shape or dtype).

The judge is the same for every backend and device; only the facts differ.
"""

from __future__ import annotations

import ast
import math
import re
from collections.abc import Sequence
from dataclasses import replace
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from autograd_lint import stand_ins
from autograd_lint.diagnostics import Confirmation, ConfirmationStatus, Expectation, Witness
from autograd_lint.runtime_check import sandbox
from autograd_lint.runtime_check.validate import WitnessRejected, validate, without_unused_imports

BACKENDS = ("mini", "torch")
DEVICES = ("cpu", "cuda", "auto")
MAX_EVIDENCE = 400

_ENGINE_INIT = Path(__file__).with_name("engine") / "__init__.py"

_UNSUPPORTED = frozenset(
    {
        "AttributeError",
        "NotImplementedError",
        "NameError",
        "ImportError",
        "TypeError",
        "SyntaxError",
    }
)
_SHAPE_TYPES = frozenset({"RuntimeError", "ValueError", "IndexError"})
_SHAPE_MESSAGE = re.compile(
    r"shape|size of tensor|must match the size|cannot be multiplied|could not be broadcast"
    r"|dimension|out of range|out of bounds|invalid for input of size|size mismatch",
    re.IGNORECASE,
)
_WRONG_KIND = re.compile(
    r"^(expected np\.ndarray \(got |only integer tensors of a single element can be converted)"
)
"""torch's own refusal of a value of the wrong kind (a tensor where it takes an array, a
float or a batch of numbers where it takes an index), which the mini engine gives as torch
does: a stand-in that is not what the program has there, not a gap of either backend."""
_NONE_ATTRIBUTE = re.compile(r"'NoneType' object has no attribute")
_MEMORY_MESSAGE = re.compile(
    r"can't allocate memory|not enough memory|out of memory", re.IGNORECASE
)


def available_backends() -> list[str]:
    """Backends that can run here: ``mini`` needs numpy and the engine, ``torch`` needs torch."""
    found = []
    if _ENGINE_INIT.exists() and find_spec("numpy") is not None:
        found.append("mini")
    if find_spec("torch") is not None:
        found.append("torch")
    return found


def _short(text: str, limit: int = MAX_EVIDENCE) -> str:
    text = " ".join(text.split()) if "\n" in text else text
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _first_line(text: str) -> str:
    stripped = text.strip()
    return stripped.splitlines()[0] if stripped else ""


def _exception_text(facts: dict[str, Any]) -> str:
    line = _first_line(str(facts.get("message", "")))
    return _short(f"{facts.get('type', 'Exception')}: {line}" if line else str(facts.get("type")))


def _verdict(status: ConfirmationStatus, backend: str, device: str, evidence: str) -> Confirmation:
    return Confirmation(status=status, backend=backend, device=device, evidence=_short(evidence))


def _backend_problem(backend: str, device: str) -> str | None:
    if backend not in BACKENDS:
        return f"unknown backend {backend!r} (choose from {', '.join(BACKENDS)})"
    if device not in DEVICES:
        return f"unknown device {device!r} (choose from {', '.join(DEVICES)})"
    if backend not in available_backends():
        if backend == "torch":
            return "torch is not installed (pip install 'autograd-lint[torch]')"
        return "the mini engine is not available (it needs numpy)"
    if backend == "mini" and device == "cuda":
        return "CUDA not available: the mini engine runs on the CPU only (use backend torch)"
    return None


def _runs_for(
    witness: Witness, first_id: int, timeout_s: float, memory_mb: int
) -> list[sandbox.Run]:
    """The scripts a witness needs run: one, or two for a ``differs`` comparison."""
    exp = witness.expectation
    observe = exp.observe if exp.kind in ("differs", "equals") else None
    script = without_unused_imports(witness.script, observe)
    control = None
    if exp.kind == "differs" and exp.control_script is not None:
        control = without_unused_imports(exp.control_script, observe)
    validate(script, observe, control)
    runs = [sandbox.Run(first_id, script, observe, timeout_s, memory_mb)]
    if control is not None:
        runs.append(sandbox.Run(first_id + 1, control, observe, timeout_s, memory_mb))
    return runs


def _incomplete(exp: Expectation) -> str | None:
    if exp.kind == "raises" and not (exp.exception or exp.message):
        return "expectation 'raises' names no exception or message"
    if exp.kind == "warns" and exp.message is None:
        return "expectation 'warns' has no message"
    if exp.kind == "differs" and not (exp.observe and exp.control_script is not None):
        return "expectation 'differs' needs an observation and a control script"
    if exp.kind == "equals" and not (exp.observe and exp.value is not None):
        return "expectation 'equals' needs an observation and a value"
    if exp.kind not in ("raises", "warns", "differs", "equals"):
        return f"unknown expectation kind {exp.kind!r}"
    return None


def confirm(
    witness: Witness,
    backend: str = "mini",
    device: str = "cpu",
    timeout_s: float = 10.0,
    memory_mb: int = 1024,
) -> Confirmation:
    """Replay one witness in the sandbox and judge it."""
    return confirm_many([witness], backend, device, timeout_s, memory_mb)[0]


def confirm_many(
    witnesses: Sequence[Witness],
    backend: str = "mini",
    device: str = "cpu",
    timeout_s: float = 10.0,
    memory_mb: int = 1024,
) -> list[Confirmation]:
    """Replay witnesses in one sandbox worker (each in its own limited process) and judge each.

    ``timeout_s`` and ``memory_mb`` apply to every script separately; ``device="auto"``
    runs on CUDA when the backend finds a GPU, else on the CPU. A witness whose guessed
    stand-in shapes stopped it before the check, or whose random values in them did not
    reproduce it (a ``renorm`` that leaves small rows alone), is tried again with other
    shapes (see :mod:`autograd_lint.stand_ins`); only a confirmation replaces the first
    verdict.
    """
    verdicts = _confirm_once(witnesses, backend, device, timeout_s, memory_mb)
    pending = [
        i
        for i, (witness, verdict) in enumerate(zip(witnesses, verdicts, strict=True))
        if (_worth_other_shapes(verdict) or verdict.status == "not_reproduced")
        and stand_ins.has_unknown_shapes(witness.script)
    ]
    stopped = {i for i in pending if verdicts[i].status == "not_replayable"}
    for attempt in range(len(stand_ins.CANDIDATE_SHAPES)):
        if not pending:
            break
        shape = stand_ins.CANDIDATE_SHAPES[attempt]
        tries = [_with_shape(witnesses[i], shape) for i in pending]
        again = _confirm_once(tries, backend, device, timeout_s, memory_mb)
        still = []
        for i, verdict in zip(pending, again, strict=True):
            if verdict.status == "confirmed":
                verdicts[i] = verdict
            else:
                still.append(i)
        pending = still
    for i in stopped & set(pending):
        verdicts[i] = _naming_stand_ins(verdicts[i], witnesses[i].script)
    _try_requiring_grad(witnesses, verdicts, backend, device, timeout_s, memory_mb)
    return [_latent(_guessed(v, w.script), w) for v, w in zip(verdicts, witnesses, strict=True)]


def _latent(verdict: Confirmation, witness: Witness) -> Confirmation:
    """A finding the program as written never reaches (an earlier statement surely raises):
    not a confirmation of what the program does. The replay of the cut script still says
    whether the bug is there once the earlier error is fixed."""
    if not witness.latent:
        return verdict
    if verdict.status == "not_replayable":
        return replace(verdict, evidence=f"{witness.latent}; {verdict.evidence}")
    past = "it reproduces" if verdict.status == "confirmed" else "it does not reproduce"
    evidence = f"not confirmed as written: {witness.latent}; replayed past that, {past}"
    if verdict.evidence:
        evidence += f" ({verdict.evidence})"
    return replace(verdict, status="not_replayable", evidence=evidence)


def _try_requiring_grad(
    witnesses: Sequence[Witness],
    verdicts: list[Confirmation],
    backend: str,
    device: str,
    timeout_s: float,
    memory_mb: int,
) -> None:
    """Replay once more, with the stand-ins for undefined names requiring grad, each witness
    they did not reproduce with; only a confirmation replaces the verdict."""
    pending = [
        i
        for i, (w, v) in enumerate(zip(witnesses, verdicts, strict=True))
        if v.status == "not_reproduced" and stand_ins.requiring_grad(w.script) != w.script
    ]
    if not pending:
        return
    tries = [_requiring_grad(witnesses[i]) for i in pending]
    for i, verdict in zip(
        pending, _confirm_once(tries, backend, device, timeout_s, memory_mb), strict=True
    ):
        if verdict.status == "confirmed":
            verdicts[i] = verdict


def _requiring_grad(witness: Witness) -> Witness:
    exp = witness.expectation
    if exp.control_script is not None:
        exp = replace(exp, control_script=stand_ins.requiring_grad(exp.control_script))
    return replace(witness, script=stand_ins.requiring_grad(witness.script), expectation=exp)


def _guessed(verdict: Confirmation, script: str) -> Confirmation:
    """A witness that reads names its slice never defines holds guesses for them (their
    shape, whether they require grad), and one with stand-ins of a guessed shape holds
    random values for them (a ``renorm`` that clips the program's weights may leave random
    ones alone): when it does not reproduce, it proves nothing, and says so instead of
    telling the user the bug is not there."""
    if verdict.status != "not_reproduced":
        return verdict
    names = stand_ins.undefined_names(script)
    if not names:
        guessed = stand_ins.unknown_names(script)
        if not guessed:
            return verdict
        listed = ", ".join(f"`{name}`" for name in guessed)
        evidence = (
            f"could not replay: {listed} stood in with a guessed shape and random values, "
            f"and with those it {verdict.evidence}; the program's own values may differ"
        )
        return replace(verdict, status="not_replayable", evidence=evidence)
    listed = ", ".join(f"`{name}`" for name in names)
    evidence = (
        f"could not replay: the witness reads {listed}, which the code it was cut from defines "
        f"where the slice does not reach; with a stand-in in its place it {verdict.evidence}"
    )
    return replace(verdict, status="not_replayable", evidence=evidence)


def _naming_stand_ins(verdict: Confirmation, script: str) -> Confirmation:
    """Say which stand-ins did not fit, in the user's terms, with the error under it."""
    names = stand_ins.unknown_names(script)
    if not names:
        return verdict
    listed = ", ".join(f"`{name}`" for name in names)
    tried = len(stand_ins.CANDIDATE_SHAPES) + 1
    which = f"the stand-in for {listed}" if len(names) == 1 else f"the stand-ins for {listed}"
    evidence = (
        f"could not replay: {which} had the wrong shape ({tried} shapes tried); {verdict.evidence}"
    )
    return replace(verdict, evidence=evidence)


def _worth_other_shapes(verdict: Confirmation) -> bool:
    """A replay that stopped on an error of the stand-ins, not of autograd."""
    return verdict.status == "not_replayable" and verdict.evidence.startswith(
        ("shape error", "the witness stopped before the check")
    )


def _with_shape(witness: Witness, shape: stand_ins.Shape) -> Witness:
    exp = witness.expectation
    if exp.control_script is not None:
        exp = replace(exp, control_script=stand_ins.with_shape(exp.control_script, shape))
    return replace(witness, script=stand_ins.with_shape(witness.script, shape), expectation=exp)


def _confirm_once(
    witnesses: Sequence[Witness],
    backend: str,
    device: str,
    timeout_s: float,
    memory_mb: int,
) -> list[Confirmation]:
    if not (timeout_s > 0 and memory_mb > 0):
        raise ValueError(
            f"limits must be positive, got timeout_s={timeout_s}, memory_mb={memory_mb}"
        )
    shown_device = "cpu" if backend == "mini" and device == "auto" else device
    problem = _backend_problem(backend, device)
    if problem is not None:
        return [_verdict("not_replayable", backend, shown_device, problem) for _ in witnesses]
    verdicts: list[Confirmation | None] = []
    planned: list[list[sandbox.Run]] = []
    runs: list[sandbox.Run] = []
    for witness in witnesses:
        reason = _incomplete(witness.expectation)
        try:
            if reason is None:
                mine = _runs_for(witness, len(runs), timeout_s, memory_mb)
        except WitnessRejected as error:
            reason = f"witness refused by validation: {error}"
        if reason is not None:
            verdicts.append(_verdict("not_replayable", backend, shown_device, reason))
            planned.append([])
            continue
        verdicts.append(None)
        planned.append(mine)
        runs.extend(mine)
    if not runs:
        return [v for v in verdicts if v is not None]
    outcome = sandbox.run_batch(runs, "mini" if backend == "mini" else "torch", shown_device)
    result: list[Confirmation] = []
    for witness, verdict, mine in zip(witnesses, verdicts, planned, strict=True):
        if verdict is not None:
            result.append(verdict)
        elif outcome.fatal is not None:
            result.append(_verdict("not_replayable", backend, outcome.device, outcome.fatal))
        else:
            facts = [outcome.results.get(run.id, {"killed": "worker"}) for run in mine]
            result.append(judge(witness.expectation, facts, mine, backend, outcome.device))
    return result


# --- judging -----------------------------------------------------------------------------


def _run_failure(facts: dict[str, Any], run: sandbox.Run) -> str | None:
    """Why a run produced no usable facts (refused, killed), or ``None``."""
    if "rejected" in facts:
        return f"witness refused by validation: {facts['rejected']}"
    killed = facts.get("killed")
    if killed is None:
        return None
    if killed == "timeout":
        return f"timed out after {run.timeout_s:g} s (wall-clock limit)"
    if killed == "cpu":
        return f"stopped by the CPU time limit ({run.timeout_s:g} s)"
    if killed == "killed":
        return f"killed by the operating system (memory limit {run.memory_mb} MB?)"
    if killed == "file size":
        return "stopped by the file size limit"
    if killed == "worker":
        return str(facts.get("reason", "the sandbox returned no result"))
    return f"the sandboxed process ended without a result ({killed})"


_NO_CUDA_MESSAGE = re.compile(
    r"Torch not compiled with CUDA enabled|Found no NVIDIA driver|No CUDA GPUs are available"
    r"|CUDA driver initialization failed|no CUDA-capable device"
)
"""What torch raises when a witness asks for ``device="cuda"`` on a machine without one: the
witness could not run, which says nothing about the finding."""


def _replay_failure(facts: dict[str, Any], backend: str) -> str | None:
    """If an exception means the witness could not run meaningfully, say why; else ``None``."""
    mro = set(facts.get("mro", [facts.get("type")]))
    name = str(facts.get("type"))
    message = str(facts.get("message", ""))
    text = _exception_text(facts)
    if "MemoryError" in mro or _MEMORY_MESSAGE.search(message):
        return f"memory limit reached: {text}"
    if "RecursionError" in mro:
        return f"recursion limit reached: {text}"
    if _NO_CUDA_MESSAGE.search(message):
        return f"no CUDA: the witness puts tensors on a GPU this machine lacks: {text}"
    if name in ("NameError", "UnboundLocalError"):
        return f"the witness is incomplete (a name it uses is not defined): {text}"
    if name == "TypeError" and _WRONG_KIND.search(message):
        return f"a stand-in is the wrong kind of value for where the witness uses it: {text}"
    if name in _UNSUPPORTED or mro & {"NotImplementedError", "ImportError"}:
        where = (
            "the mini engine does not support this"
            if backend == "mini"
            else "the witness does not run on torch"
        )
        return f"{where}: {text}"
    if mro & _SHAPE_TYPES and _SHAPE_MESSAGE.search(message):
        return f"shape error unrelated to the expectation: {text}"
    return None


def _exception_matches(facts: dict[str, Any], exp: Expectation) -> bool:
    mro = facts.get("mro", [facts.get("type")])
    if exp.exception and exp.exception.rsplit(".", 1)[-1] not in mro:
        return False
    return not exp.message or str(facts.get("message", "")).lstrip().startswith(exp.message)


def _unexpected(facts: dict[str, Any], backend: str, device: str, when: str) -> Confirmation:
    failure = _replay_failure(facts, backend)
    if failure is not None:
        return _verdict("not_replayable", backend, device, failure)
    return _verdict("not_reproduced", backend, device, f"{when} raised {_exception_text(facts)}")


def _judge_raises(
    exp: Expectation, facts: dict[str, Any], backend: str, device: str
) -> Confirmation:
    raised = facts.get("exception")
    expected = f"{exp.exception or 'an exception'}" + (f": {exp.message}..." if exp.message else "")
    if raised is None:
        return _verdict(
            "not_reproduced",
            backend,
            device,
            f"ran to completion without raising (expected {expected})",
        )
    if _exception_matches(raised, exp):
        return _verdict("confirmed", backend, device, _exception_text(raised))
    failure = _replay_failure(raised, backend)
    if failure is not None:
        return _verdict("not_replayable", backend, device, failure)
    if not _is_autograd_verdict(raised):
        # the script stopped on something else before it could show the finding: a
        # stand-in the witness needed did not fit; that says nothing about the finding
        return _verdict(
            "not_replayable",
            backend,
            device,
            f"the witness stopped before the check, on {_exception_text(raised)}",
        )
    return _verdict(
        "not_reproduced", backend, device, f"raised {_exception_text(raised)}, expected {expected}"
    )


_AUTOGRAD_VERDICTS = (
    "one of the variables needed for gradient computation has been modified by an inplace",
    "Trying to backward through the graph a second time",
    "element 0 of tensors does not require grad",
    "Can't call numpy() on Tensor that requires grad",
    "a leaf Variable that requires grad is being used in an in-place operation",
)
"""The autograd errors a finding predicts: raising another one of these instead is a real
difference from the diagnosis; any other error is a witness that did not fit."""


def _is_autograd_verdict(facts: dict[str, Any]) -> bool:
    message = str(facts.get("message", "")).lstrip()
    return any(message.startswith(prefix) for prefix in _AUTOGRAD_VERDICTS)


def _judge_warns(
    exp: Expectation, facts: dict[str, Any], backend: str, device: str
) -> Confirmation:
    prefix = exp.message or ""
    seen = facts.get("warnings", [])
    for warning in seen:
        if str(warning.get("message", "")).lstrip().startswith(prefix):
            return _verdict(
                "confirmed",
                backend,
                device,
                f"{warning.get('category')}: {_first_line(warning['message'])}",
            )
    if facts.get("exception") is not None:
        return _unexpected(facts["exception"], backend, device, "the witness")
    if seen:
        others = "; ".join(_first_line(str(w.get("message", ""))) for w in seen[:3])
        return _verdict(
            "not_reproduced", backend, device, f"no warning starting {prefix!r}; saw: {others}"
        )
    return _verdict(
        "not_reproduced", backend, device, f"ran without any warning (expected {prefix!r}...)"
    )


def _observation(
    facts: dict[str, Any], backend: str, device: str, label: str
) -> dict[str, Any] | Confirmation:
    """The observed value, or the verdict explaining why there is none."""
    if facts.get("exception") is not None:
        return _unexpected(facts["exception"], backend, device, label)
    if facts.get("observe_exception") is not None:
        raised = facts["observe_exception"]
        failure = _replay_failure(raised, backend)
        text = f"the observation failed: {_exception_text(raised)}"
        if _NONE_ATTRIBUTE.match(str(raised.get("message", ""))):
            # ``out.grad_fn.name()`` when ``out.grad_fn`` is None: the value observed is
            # the absence the finding says is not there, not a gap in the backend.
            return _verdict("not_reproduced", backend, device, f"{text} (the value is None)")
        if failure is not None:
            return _verdict("not_replayable", backend, device, f"{text} ({failure.split(':')[0]})")
        return _verdict("not_reproduced", backend, device, text)
    observed = facts.get("observed")
    if not isinstance(observed, dict):
        return _verdict("not_replayable", backend, device, f"{label} produced no observation")
    return observed


def same_value(a: Any, b: Any) -> bool:
    """Structural equality with float tolerance (the same computation may round differently)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_value(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same_value(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return math.isclose(a, b, rel_tol=1e-5, abs_tol=1e-6)
    return bool(a == b)


def _observed_equal(one: dict[str, Any], two: dict[str, Any]) -> bool:
    if "plain" in one and "plain" in two:
        return same_value(one["plain"], two["plain"])
    return bool(one.get("repr") == two.get("repr"))


def _judge_differs(
    exp: Expectation, facts: list[dict[str, Any]], backend: str, device: str
) -> Confirmation:
    first = _observation(facts[0], backend, device, "the witness")
    if isinstance(first, Confirmation):
        return first
    control = facts[1]
    failed: dict[str, Any] | None = control.get("exception") or control.get("observe_exception")
    if failed is not None:
        return _verdict(
            "not_replayable",
            backend,
            device,
            f"the control script failed: {_exception_text(failed)}",
        )
    second = _observation(control, backend, device, "the control script")
    if isinstance(second, Confirmation):
        return second
    shown = f"{exp.observe}"
    if _observed_equal(first, second):
        return _verdict(
            "not_reproduced",
            backend,
            device,
            f"{shown} is {first.get('repr')} with and without the suspect code",
        )
    return _verdict(
        "confirmed",
        backend,
        device,
        f"{shown} is {_short(str(first.get('repr')), 150)} with the suspect code, "
        f"{_short(str(second.get('repr')), 150)} without it",
    )


_NO_LITERAL = object()


def _judge_equals(
    exp: Expectation, facts: dict[str, Any], backend: str, device: str
) -> Confirmation:
    observed = _observation(facts, backend, device, "the witness")
    if isinstance(observed, Confirmation):
        return observed
    shown = str(observed.get("repr"))
    matched = shown == exp.value
    if not matched and "plain" in observed and exp.value is not None:
        try:
            expected = ast.literal_eval(exp.value)
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            expected = _NO_LITERAL
        plain = observed["plain"]
        if isinstance(plain, dict) and plain.get("shape") == [] and "values" in plain:
            plain = plain["values"]  # a 0-d tensor or numpy scalar (``np.True_``) is its value
        matched = expected is not _NO_LITERAL and same_value(plain, expected)
    if matched:
        return _verdict("confirmed", backend, device, f"{exp.observe} == {shown}")
    return _verdict(
        "not_reproduced", backend, device, f"{exp.observe} == {shown} (expected {exp.value})"
    )


def judge(
    exp: Expectation,
    facts: list[dict[str, Any]],
    runs: Sequence[sandbox.Run],
    backend: str,
    device: str,
) -> Confirmation:
    """The verdict for one witness from the facts of its run(s)."""
    for one, run in zip(facts, runs, strict=True):
        failure = _run_failure(one, run)
        if failure is not None:
            if run is not runs[0]:
                failure = f"control script: {failure}"
            return _verdict("not_replayable", backend, device, failure)
    if exp.kind == "raises":
        return _judge_raises(exp, facts[0], backend, device)
    if exp.kind == "warns":
        return _judge_warns(exp, facts[0], backend, device)
    if exp.kind == "differs":
        return _judge_differs(exp, facts, backend, device)
    return _judge_equals(exp, facts[0], backend, device)
