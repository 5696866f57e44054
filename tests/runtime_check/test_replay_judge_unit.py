"""The judge alone, on the facts a sandbox run reports (no process started): which facts
make a finding confirmed, not reproduced or not replayable, and what the evidence says."""

from __future__ import annotations

from typing import Any

import pytest

from autograd_lint.diagnostics import Expectation
from autograd_lint.runtime_check import replay
from autograd_lint.runtime_check.sandbox import Run

RAISES = Expectation("raises", exception="RuntimeError", message="Trying to backward")
WARNS = Expectation("warns", message="To copy construct")
EQUALS = Expectation("equals", observe="c.grad_fn.name()", value="'CloneBackward0'")
DIFFERS = Expectation("differs", observe="w.grad", control_script="pass\n")
RUN = Run(0, "pass\n", timeout_s=3, memory_mb=64)
CONTROL = Run(1, "pass\n", timeout_s=3, memory_mb=64)


def error(kind: str, message: str, mro: tuple[str, ...] = ()) -> dict[str, Any]:
    return {
        "type": kind,
        "mro": [kind, *mro, "Exception", "BaseException", "object"],
        "message": message,
    }


def ran(**facts: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"id": 0, "finished": True, "exception": None, "warnings": []}
    base.update(facts)
    if base["exception"] is not None:
        base["finished"] = False
    return base


def observed(plain: Any, text: str) -> dict[str, Any]:
    return {"repr": text, "plain": plain}


def verdict(exp: Expectation, *facts: dict[str, Any], backend: str = "mini") -> tuple[str, str]:
    runs = [RUN, CONTROL][: len(facts)]
    result = replay.judge(exp, list(facts), runs, backend, "cpu")
    return result.status, result.evidence


def test_expected_error_is_confirmed_with_its_first_line() -> None:
    status, evidence = verdict(
        RAISES, ran(exception=error("RuntimeError", "Trying to backward x\nmore"))
    )
    assert (status, evidence) == ("confirmed", "RuntimeError: Trying to backward x")


def test_subclass_of_the_expected_type_counts() -> None:
    raised = error("EngineError", "Trying to backward again", ("RuntimeError",))
    assert verdict(RAISES, ran(exception=raised))[0] == "confirmed"


def test_no_error_is_not_reproduced() -> None:
    status, evidence = verdict(RAISES, ran())
    assert status == "not_reproduced"
    assert evidence.startswith("ran to completion without raising")


def test_other_autograd_error_is_not_reproduced() -> None:
    raised = error("RuntimeError", "element 0 of tensors does not require grad")
    status, evidence = verdict(RAISES, ran(exception=raised))
    assert status == "not_reproduced"
    assert "element 0 of tensors" in evidence


@pytest.mark.parametrize(
    ("raised", "reason"),
    [
        (
            error("AttributeError", "module 'torch' has no attribute 'stft'"),
            "mini engine does not support",
        ),
        (error("NotImplementedError", "backward of cumsum"), "mini engine does not support"),
        (
            error("TypeError", "zeros() got an unexpected keyword argument 'layout'"),
            "does not support",
        ),
        (
            error("RuntimeError", "mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)"),
            "shape error",
        ),
        (error("ValueError", "operands could not be broadcast together"), "shape error"),
        (error("IndexError", "index 5 is out of bounds for dimension 0"), "shape error"),
        (error("TypeError", "expected np.ndarray (got Tensor)"), "stand-in is the wrong kind"),
        (
            error(
                "TypeError", "only integer tensors of a single element can be converted to an index"
            ),
            "stand-in is the wrong kind",
        ),
        (error("MemoryError", "Unable to allocate 74.5 GiB"), "memory limit"),
        (error("RuntimeError", "DefaultCPUAllocator: can't allocate memory"), "memory limit"),
        (error("RecursionError", "maximum recursion depth exceeded"), "recursion limit"),
    ],
)
def test_unrelated_failures_are_not_replayable(raised: dict[str, Any], reason: str) -> None:
    status, evidence = verdict(RAISES, ran(exception=raised))
    assert status == "not_replayable"
    assert reason in evidence


def test_torch_backend_names_itself_for_missing_features() -> None:
    raised = error("AttributeError", "'Tensor' object has no attribute 'state_dict'")
    status, evidence = verdict(RAISES, ran(exception=raised), backend="torch")
    assert (status, evidence.split(":")[0]) == (
        "not_replayable",
        "the witness does not run on torch",
    )


@pytest.mark.parametrize(
    ("facts", "reason"),
    [
        ({"killed": "timeout"}, "timed out after 3 s"),
        ({"killed": "cpu"}, "CPU time limit"),
        ({"killed": "killed"}, "memory limit 64 MB"),
        ({"killed": "file size"}, "file size limit"),
        ({"killed": "signal 11"}, "signal 11"),
        ({"killed": "worker", "reason": "sandbox timed out after 70 s"}, "sandbox timed out"),
        ({"rejected": "import of 'os' is not allowed"}, "refused by validation"),
    ],
)
def test_killed_or_refused_runs_are_not_replayable(facts: dict[str, Any], reason: str) -> None:
    status, evidence = verdict(RAISES, {"id": 0, **facts})
    assert status == "not_replayable"
    assert reason in evidence


def test_warning_is_confirmed_even_if_an_error_follows() -> None:
    facts = ran(
        warnings=[{"category": "UserWarning", "message": "To copy construct from a tensor, ..."}],
        exception=error("RuntimeError", "boom"),
    )
    assert verdict(WARNS, facts) == (
        "confirmed",
        "UserWarning: To copy construct from a tensor, ...",
    )


def test_other_warnings_are_not_reproduced_and_listed() -> None:
    facts = ran(warnings=[{"category": "UserWarning", "message": "something else"}])
    status, evidence = verdict(WARNS, facts)
    assert status == "not_reproduced"
    assert "saw: something else" in evidence


def test_equals_compares_the_repr() -> None:
    facts = ran(observed=observed("CloneBackward0", "'CloneBackward0'"))
    assert verdict(EQUALS, facts) == ("confirmed", "c.grad_fn.name() == 'CloneBackward0'")
    facts = ran(observed=observed("AddBackward0", "'AddBackward0'"))
    assert verdict(EQUALS, facts)[0] == "not_reproduced"


def test_equals_accepts_the_same_literal_value_with_another_repr() -> None:
    exp = Expectation("equals", observe="x._version", value="0")
    assert verdict(exp, ran(observed=observed(0, "np.int64(0)")))[0] == "confirmed"
    assert verdict(exp, ran(observed=observed(1, "1")))[0] == "not_reproduced"


def test_observation_of_none_is_not_reproduced() -> None:
    facts = ran(
        observe_exception=error("AttributeError", "'NoneType' object has no attribute 'name'")
    )
    status, evidence = verdict(EQUALS, facts)
    assert status == "not_reproduced"
    assert "the value is None" in evidence


def test_differs_uses_a_float_tolerance() -> None:
    one = ran(observed=observed({"shape": [2], "values": [1.0, 2.0]}, "tensor([1., 2.])"))
    close = ran(
        id=1, observed=observed({"shape": [2], "values": [1.0000001, 2.0]}, "tensor([1., 2.])")
    )
    far = ran(id=1, observed=observed({"shape": [2], "values": [10.0, 20.0]}, "tensor([10., 20.])"))
    assert verdict(DIFFERS, one, close)[0] == "not_reproduced"
    status, evidence = verdict(DIFFERS, one, far)
    assert status == "confirmed"
    assert (
        evidence
        == "w.grad is tensor([1., 2.]) with the suspect code, tensor([10., 20.]) without it"
    )


def test_differs_none_against_a_tensor_differs() -> None:
    one = ran(observed=observed(None, "None"))
    two = ran(id=1, observed=observed({"shape": [1], "values": [1.0]}, "tensor([1.])"))
    assert verdict(DIFFERS, one, two)[0] == "confirmed"


def test_differs_with_failing_control_is_not_replayable() -> None:
    one = ran(observed=observed(None, "None"))
    two = ran(id=1, exception=error("RuntimeError", "boom"))
    status, evidence = verdict(DIFFERS, one, two)
    assert status == "not_replayable"
    assert evidence == "the control script failed: RuntimeError: boom"


def test_killed_control_is_reported_as_the_control() -> None:
    one = ran(observed=observed(None, "None"))
    status, evidence = verdict(DIFFERS, one, {"id": 1, "killed": "timeout"})
    assert status == "not_replayable"
    assert evidence.startswith("control script: timed out")


def test_same_value_distinguishes_bool_from_number() -> None:
    assert not replay.same_value(True, 1)
    assert replay.same_value([1, 2.0], [1, 2.0000000001])
    assert not replay.same_value({"shape": [2]}, {"shape": [3]})


@pytest.mark.parametrize(
    ("exp", "reason"),
    [
        (Expectation("raises"), "names no exception"),
        (Expectation("warns"), "has no message"),
        (Expectation("differs", observe="w.grad"), "needs an observation and a control"),
        (Expectation("equals", observe="x"), "needs an observation and a value"),
    ],
)
def test_incomplete_expectations_are_not_replayable(exp: Expectation, reason: str) -> None:
    from autograd_lint.diagnostics import Witness

    [result] = replay.confirm_many([Witness("import torch\n", exp)], backend="mini")
    assert result.status == "not_replayable"
    assert reason in result.evidence


def test_unknown_backend_and_device() -> None:
    from autograd_lint.diagnostics import Witness

    witness = Witness("import torch\n", RAISES)
    assert "unknown backend 'jax'" in replay.confirm(witness, backend="jax").evidence
    assert "unknown device 'tpu'" in replay.confirm(witness, device="tpu").evidence


def test_missing_torch_is_reported_without_starting_anything(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from autograd_lint.diagnostics import Witness

    real = replay.find_spec
    monkeypatch.setattr(replay, "find_spec", lambda name: None if name == "torch" else real(name))
    monkeypatch.setattr(replay.sandbox, "run_batch", lambda *a: pytest.fail("sandbox started"))
    result = replay.confirm(Witness("import torch\n", RAISES), backend="torch")
    assert result.status == "not_replayable"
    assert result.evidence.startswith("torch is not installed")
    assert "torch" not in replay.available_backends()


def test_mini_on_cuda_is_not_replayable() -> None:
    from autograd_lint.diagnostics import Witness

    result = replay.confirm(Witness("import torch\n", RAISES), backend="mini", device="cuda")
    assert result.status == "not_replayable"
    assert result.evidence.startswith("CUDA not available: the mini engine runs on the CPU only")


@pytest.mark.parametrize(("timeout_s", "memory_mb"), [(0, 1024), (-1, 1024), (10, 0)])
def test_non_positive_limits_are_a_programming_error(timeout_s: float, memory_mb: int) -> None:
    from autograd_lint.diagnostics import Witness

    with pytest.raises(ValueError, match="limits must be positive"):
        replay.confirm(Witness("import torch\n", RAISES), "mini", "cpu", timeout_s, memory_mb)


def test_equals_unwraps_zero_dimensional_values() -> None:
    exp = Expectation("equals", observe="w._version == before", value="True")
    numpy_true = observed({"shape": [], "values": True}, "np.True_")
    assert verdict(exp, ran(observed=numpy_true))[0] == "confirmed"
    numpy_false = observed({"shape": [], "values": False}, "np.False_")
    assert verdict(exp, ran(observed=numpy_false))[0] == "not_reproduced"
    vector = observed({"shape": [1], "values": [True]}, "tensor([True])")
    assert verdict(exp, ran(observed=vector))[0] == "not_reproduced"


def test_an_error_that_is_none_of_autograds_is_not_replayable() -> None:
    # a stand-in of the wrong kind (a tensor where the file had a number) stops the script
    # before the check: that says nothing about the finding
    raised = error("RuntimeError", "a Tensor with 4 elements cannot be converted to Scalar")
    status, evidence = verdict(RAISES, ran(exception=raised))
    assert status == "not_replayable"
    assert "stopped before the check" in evidence and "cannot be converted" in evidence
