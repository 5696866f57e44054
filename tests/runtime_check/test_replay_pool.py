"""The warm worker: reused across batches, replaced when it ends, never shared with a
forked copy of the calling process, and no weaker in isolation than a fresh one."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from replay_cases import HEADER, backend_or_skip, raises

from autograd_lint.runtime_check import confirm, confirm_many, sandbox

NO_GRAD = "element 0 of tensors does not require grad"
GRAD_WORKS = HEADER + "w = torch.randn(3, requires_grad=True)\n(w * 2).sum().backward()\n"


@pytest.fixture
def mini() -> Iterator[str]:
    backend = backend_or_skip("mini")
    sandbox.shutdown()
    yield backend
    sandbox.shutdown()


def pooled_pid(backend: str) -> int:
    return sandbox._POOL[(backend, "cpu")].process.pid


def test_later_batches_reuse_the_warm_worker(mini: str) -> None:
    first = confirm(raises("x = torch.randn(3)\nx.sum().backward()\n", NO_GRAD), mini)
    pid = pooled_pid(mini)
    second = confirm(raises("x = torch.randn(3)\nx.sum().backward()\n", NO_GRAD), mini)
    assert first.status == second.status == "confirmed"
    assert pooled_pid(mini) == pid


def test_state_does_not_carry_between_batches_on_a_warm_worker(mini: str) -> None:
    [off] = confirm_many([raises("torch.set_grad_enabled(False)\n", NO_GRAD)], mini)
    pid = pooled_pid(mini)
    [after] = confirm_many([raises(GRAD_WORKS[len(HEADER) :], NO_GRAD)], mini)
    assert pooled_pid(mini) == pid
    assert (off.status, after.status) == ("not_reproduced", "not_reproduced"), after


def test_a_worker_that_timed_out_is_replaced(mini: str, monkeypatch: pytest.MonkeyPatch) -> None:
    confirm(raises("x = torch.randn(3)\n", NO_GRAD), mini)
    old = sandbox._POOL[(mini, "cpu")]
    # An overall budget far below the witness's own limit: the parent gives up first.
    monkeypatch.setattr(sandbox, "PER_RUN_SLACK_S", -4.5)
    [verdict] = confirm_many([raises("x = 10 ** 10 ** 8\n", NO_GRAD)], mini, timeout_s=5)
    assert verdict.status == "not_replayable"
    assert "sandbox timed out" in verdict.evidence
    assert not old.alive
    assert (mini, "cpu") not in sandbox._POOL
    monkeypatch.undo()
    assert confirm(raises("x = torch.randn(3)\nx.sum().backward()\n", NO_GRAD), mini).status == (
        "confirmed"
    )
    assert sandbox._POOL[(mini, "cpu")] is not old


def test_reuse_false_leaves_no_worker_behind(mini: str) -> None:
    run = sandbox.Run(0, HEADER + "x = torch.ones(2)\n", timeout_s=10)
    outcome = sandbox.run_batch([run], mini, "cpu", reuse=False)
    assert outcome.results[0]["finished"] is True
    assert (mini, "cpu") not in sandbox._POOL


def test_shutdown_ends_warm_workers(mini: str) -> None:
    confirm(raises("x = torch.randn(3)\n", NO_GRAD), mini)
    worker = sandbox._POOL[(mini, "cpu")]
    sandbox.shutdown()
    assert not worker.alive
    assert not os.path.exists(worker.scratch)


def test_a_forked_copy_of_the_caller_starts_with_no_workers(mini: str) -> None:
    confirm(raises("x = torch.randn(3)\n", NO_GRAD), mini)
    assert sandbox._POOL
    pid = os.fork()
    if pid == 0:  # the copy: must not see (or end) the parent's worker
        os._exit(0 if not sandbox._POOL else 1)
    _, status = os.waitpid(pid, 0)
    assert os.WEXITSTATUS(status) == 0
    assert sandbox._POOL[(mini, "cpu")].alive


@pytest.mark.parametrize("race", [False, True], ids=["seen-dead", "dies-unseen"])
def test_a_worker_that_left_while_idle_is_replaced_without_failing_the_batch(
    mini: str, race: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    confirm(raises("x = torch.randn(3)\n", NO_GRAD), mini)
    worker = sandbox._POOL[(mini, "cpu")]
    assert worker.process.stdin is not None
    worker.process.stdin.close()  # what an idle worker sees before it exits by itself
    worker.process.wait(timeout=30)
    assert worker.process.returncode == 0
    if race:  # it exits between the liveness check and the request
        real = sandbox.Worker.alive.fget
        assert real is not None
        monkeypatch.setattr(
            sandbox.Worker, "alive", property(lambda self: self is worker or real(self))
        )
    verdict = confirm(raises("x = torch.randn(3)\nx.sum().backward()\n", NO_GRAD), mini)
    assert verdict.status == "confirmed", verdict.evidence
    assert sandbox._POOL[(mini, "cpu")] is not worker
