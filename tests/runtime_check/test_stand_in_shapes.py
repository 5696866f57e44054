"""Stand-ins whose shape the witness had to guess: tried again with other shapes, and only a
confirmation counts from those tries."""

from __future__ import annotations

import pytest
from replay_cases import (
    BACKENDS,
    SAVED_MODIFIED,
    SECOND_BACKWARD,
    backend_or_skip,
    differs,
    raises,
)

from autograd_lint import stand_ins
from autograd_lint.analysis import shapes, value_kinds
from autograd_lint.runtime_check import confirm_many

GUESSED = "x = torch.randn(2, 2)  # stand-in, shape unknown (plain)\n"


def test_variants_change_only_the_tagged_stand_ins() -> None:
    script = GUESSED + "w = torch.randn(2, 2)\n"
    found = stand_ins.variants(script)
    assert len(found) == len(stand_ins.CANDIDATE_SHAPES)
    assert all(v.endswith("w = torch.randn(2, 2)\n") for v in found)
    assert "x = torch.randn(4)  # stand-in, shape unknown (plain)\n" in found[0]
    assert stand_ins.variants("w = torch.randn(2, 2)\n") == []


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_guessed_shape_that_stops_the_witness_is_tried_again(backend: str) -> None:
    backend = backend_or_skip(backend)
    witness = raises(
        GUESSED
        + "w = torch.randn(4, requires_grad=True)\n"
        + "y = torch.sigmoid(w * x)\n"
        + "y.detach().zero_()\n"
        + "y.sum().backward()\n",
        SAVED_MODIFIED,
    )
    (verdict,) = confirm_many([witness], backend=backend)
    assert verdict.status == "confirmed", verdict


@pytest.mark.parametrize("backend", BACKENDS)
def test_another_shape_never_turns_a_finding_into_not_reproduced(backend: str) -> None:
    backend = backend_or_skip(backend)
    # with x of shape (4,) the script runs and raises nothing: that try must not count
    witness = raises(
        GUESSED + "w = torch.randn(4, requires_grad=True)\n(w * x).sum().backward()\n",
        SECOND_BACKWARD,
    )
    (verdict,) = confirm_many([witness], backend=backend)
    assert verdict.status == "not_replayable", verdict


def test_names_used_as_sizes_or_indices_stand_for_integers() -> None:
    script = (
        "bsz = P\nt = P\nx = P\n"
        "z = torch.randn(bsz, 8)\nv = x[:, t]\nfor _ in range(bsz):\n    pass\n"
    )
    assert value_kinds.integer_names(script, ["bsz", "t", "x"]) == {"bsz": 2, "t": 0}


def test_a_view_target_and_an_accumulation_give_their_shapes() -> None:
    script = (
        "b = __placeholder_free__\ntotal = __placeholder_free__\n"
        "flat = b.view(-1, 784)\nloss = F.mse_loss(flat, torch.zeros(2, 784))\ntotal += loss\n"
    )
    assert shapes.infer_partial(script, ["b", "total"]) == {"b": (2, 784), "total": ()}


def test_a_stand_in_that_never_fits_is_named_in_the_verdict() -> None:
    witness = raises(
        GUESSED + "w = torch.randn(5, 7, requires_grad=True)\n(w @ x @ w).sum().backward()\n",
        SECOND_BACKWARD,
    )
    (verdict,) = confirm_many([witness], backend="mini")
    assert verdict.status == "not_replayable"
    assert verdict.evidence.startswith("could not replay: the stand-in for `x` had the wrong shape")


UNDEFINED = stand_ins.undefined_note(["var"]) + "\nvar = torch.randn(3)\n"


def test_stand_ins_for_undefined_names_are_marked_and_can_require_grad() -> None:
    assert stand_ins.undefined_names(UNDEFINED + "w = torch.randn(3)\n") == ["var"]
    two = stand_ins.undefined_note(["a", "b"]) + "\na = torch.randn(2)\nb = torch.randn(2)\n"
    assert stand_ins.undefined_names(two) == ["a", "b"]
    assert "`a`, `b`" in two.splitlines()[0]
    changed = stand_ins.requiring_grad(UNDEFINED + "w = torch.randn(3)\n")
    assert "var = torch.randn(3).requires_grad_()\n" in changed
    assert changed.endswith("w = torch.randn(3)\n")  # only the marked stand-in changes


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_undefined_name_that_must_require_grad_is_tried_requiring_it(backend: str) -> None:
    """``x[0] = x[0] * var`` saves the slice only when ``var`` requires grad."""
    backend = backend_or_skip(backend)
    script = UNDEFINED + (
        "w = torch.randn(2, 3, requires_grad=True)\nx = w * 1\n"
        "x[0] = x[0] * var\nx.sum().backward()\n"
    )
    (verdict,) = confirm_many([raises(script, SAVED_MODIFIED)], backend=backend)
    assert verdict.status == "confirmed", verdict


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_guess_for_an_undefined_name_never_ends_not_reproduced(backend: str) -> None:
    backend = backend_or_skip(backend)
    script = UNDEFINED + "y = var * 2\ny.sum()\n"
    (verdict,) = confirm_many([raises(script, SAVED_MODIFIED)], backend=backend)
    assert verdict.status == "not_replayable", verdict
    assert "`var`" in verdict.evidence


@pytest.mark.parametrize("backend", BACKENDS)
def test_random_values_of_a_guessed_stand_in_never_end_not_reproduced(backend: str) -> None:
    """A clipping write shows only on values it clips: random stand-in values that it leaves
    alone prove nothing about the program's own (its weights, here)."""
    backend = backend_or_skip(backend)
    body = "w.data = torch.renorm(w.data, p=2, dim=0, maxnorm=100.0)\nw.sum().backward()\n"
    control = "w = torch.renorm(w, p=2, dim=0, maxnorm=100.0)\nw.sum().backward()\n"
    head = "w = torch.randn(2, 2, requires_grad=True){tag}\np = w\n"
    guessed = differs(
        head.format(tag="  # stand-in, shape unknown (leaf)") + body,
        head.format(tag="  # stand-in, shape unknown (leaf)") + control,
        "p.grad",
    )
    (verdict,) = confirm_many([guessed], backend=backend)
    assert verdict.status == "not_replayable", verdict
    assert "`w` stood in with a guessed shape" in verdict.evidence
    known = differs(head.format(tag="") + body, head.format(tag="") + control, "p.grad")
    (verdict,) = confirm_many([known], backend=backend)
    assert verdict.status == "not_reproduced", verdict


@pytest.mark.parametrize("backend", BACKENDS)
def test_random_values_that_leave_a_clip_alone_are_tried_in_other_shapes(backend: str) -> None:
    """A ``renorm`` to a norm of 2 clips rows of eight random values, whatever the random
    values of the first, smaller guess did: the other shapes are tried, and the different
    gradient they show is the program's (the write is all that differs)."""
    backend = backend_or_skip(backend)
    body = "w.data = torch.renorm(w.data, p=2, dim=0, maxnorm=2.0)\nw.sum().backward()\n"
    control = "w = torch.renorm(w, p=2, dim=0, maxnorm=2.0)\nw.sum().backward()\n"
    head = "w = torch.randn(2, 2, requires_grad=True)  # stand-in, shape unknown (leaf)\np = w\n"
    (verdict,) = confirm_many([differs(head + body, head + control, "p.grad")], backend=backend)
    assert verdict.status == "confirmed", verdict


def test_full_slice_writes_and_known_sizes_give_shapes() -> None:
    script = (
        "n = 3\nsizes = [2, 5]\nw = __placeholder_leaf__\nb = __placeholder_leaf__\n"
        "W = torch.randn(n, sum(sizes), len(sizes))\nw[:, :, :] = W[:, :, :]\n"
        "b[:] = torch.randn(n)\n"
    )
    assert shapes.infer_partial(script, ["w", "b"]) == {"w": (3, 7, 2), "b": (3,)}
    partial = "w = __placeholder_leaf__\nw[0] = torch.randn(4)\n"  # a row, not the whole
    assert shapes.infer_partial(partial, ["w"]) == {"w": None}


def test_a_name_read_only_as_a_device_stands_for_one() -> None:
    script = "d = P\ne = P\nx = torch.zeros(2, device=d)\ny = torch.ones(2, device=e) + e\n"
    assert value_kinds.device_names(script, ["d", "e"]) == {"d"}


def test_a_name_given_two_guessed_stand_ins_is_named_once() -> None:
    script = (
        GUESSED
        + "y = x * 2\n"
        + GUESSED
        + "h = torch.randn(2, 2)  # stand-in, shape unknown (plain)\n"
    )
    assert stand_ins.unknown_names(script) == ["x", "h"]


def test_a_stand_in_for_an_array_keeps_being_an_array_in_every_shape_tried() -> None:
    script = "x_np = torch.randn(2, 2).numpy()  # stand-in, shape unknown (array)\n"
    assert all(".numpy()  # stand-in" in variant for variant in stand_ins.variants(script))
    found = value_kinds.array_names(
        "a = P\nb = P\nx = torch.from_numpy(a[None, :])\ny = torch.from_numpy(b)\nz = b + 1\n",
        ["a", "b"],
    )
    assert found == {"a"}  # ``b`` is read as something else too
