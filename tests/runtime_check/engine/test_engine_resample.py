"""``x.repeat``, ``F.interpolate`` and ``nn.Upsample`` run on torch and on the engine: same behaviour.

Forward values, gradients, node names and torch's errors for bad arguments; that neither op
saves its input (a write into it before backward is harmless, a second backward works); and
torch's two nearest-index computations, which disagree between forward and backward when a
non-unit ``scale_factor`` leaves a size unchanged or doubles it.
"""

from __future__ import annotations

import pytest
from engine_harness import assert_same

from autograd_lint.runtime_check import engine

torch = pytest.importorskip("torch")

SETUP = (
    "x = torch.tensor([[0.5, -1.25, 2.0], [1.5, 0.25, -0.75]], requires_grad=True)\n"
    "v = torch.tensor([0.3, -0.7, 1.1], requires_grad=True)\n"
    "s = torch.tensor(1.5, requires_grad=True)\n"
    "img = torch.tensor([[[[0.1, -0.4, 0.9, 1.3], [0.7, 0.2, -1.1, 0.5], [-0.3, 0.8, 0.6, -0.9]],"
    " [[1.2, -0.6, 0.4, 0.0], [-0.8, 1.4, 0.3, -0.2], [0.9, -1.3, 0.1, 0.75]]]],"
    " requires_grad=True)\n"
    "seq = torch.tensor([[[0.1, -0.4, 0.9], [1.3, 0.7, 0.2]]], requires_grad=True)\n"
    "vol = torch.tensor([[[[[0.1, -0.4, 0.9], [1.3, 0.7, 0.2]], [[-1.1, 0.5, -0.3],"
    " [0.8, 0.6, -0.9]]]]], requires_grad=True)\n"
    "w = torch.tensor([0.9, -0.3, 0.5, 1.7, -1.2, 0.4, 0.8, -0.6, 1.1, 0.2, -0.8, 1.5,"
    " 0.35, -0.45, 0.65, 0.15, -1.05, 0.55, 0.25, 0.95])\n"
)

# a weight with no symmetry, cycled over the output, so every gradient entry is distinct
WEIGHTED = "(y * w.repeat(y.numel() // 20 + 1)[: y.numel()].reshape(y.shape)).sum().backward()"

REPEAT: dict[str, str] = {
    "varargs": "y = x.repeat(2, 3)",
    "tuple": "y = x.repeat((3, 1))",
    "list": "y = x.repeat([1, 2])",
    "size": "y = v.repeat(x.shape)",
    "keyword": "y = x.repeat(repeats=(2, 2))",
    "prepend_dims": "y = x.repeat(2, 1, 2)",
    "prepend_two": "y = v.repeat(2, 2, 1)",
    "scalar": "y = s.repeat(4)",
    "scalar_2d": "y = s.repeat(2, 3)",
    "ones": "y = x.repeat(1, 1)",
    "zero": "y = x.repeat(0, 2)",
    "of_result": "h = x * 2\ny = h.repeat(2, 1)",
    "of_view": "y = x.t().repeat(1, 2)",
}

REPEAT_ERRORS: dict[str, str] = {
    "fewer_dims": "y = x.repeat(2)",
    "negative": "y = x.repeat(2, -1)",
    "negative_prepended": "y = x.repeat(-1, 2, 3)",
    "no_args": "y = x.repeat()",
}

INTERPOLATE: dict[str, str] = {
    # nearest, 1-D / 2-D / 3-D, by scale and by size
    "nearest_1d_x2": "y = F.interpolate(seq, scale_factor=2)",
    "nearest_1d_size": "y = F.interpolate(seq, size=7)",
    "nearest_1d_down": "y = F.interpolate(seq, scale_factor=0.5)",
    "nearest_2d_x2": "y = F.interpolate(img, scale_factor=2, mode='nearest')",
    "nearest_2d_float": "y = F.interpolate(img, scale_factor=1.5)",
    "nearest_2d_tuple": "y = F.interpolate(img, scale_factor=(2, 0.5))",
    "nearest_2d_size": "y = F.interpolate(img, size=(5, 3))",
    "nearest_2d_size_int": "y = F.interpolate(img, size=6)",
    "nearest_2d_size_list": "y = F.interpolate(img, size=[2, 7])",
    "nearest_2d_down": "y = F.interpolate(img, scale_factor=0.7)",
    "nearest_2d_recompute": "y = F.interpolate(img, scale_factor=1.7, recompute_scale_factor=True)",
    "nearest_3d": "y = F.interpolate(vol, scale_factor=2)",
    "nearest_3d_size": "y = F.interpolate(vol, size=(3, 3, 5))",
    # torch's nearest index: kept for an unchanged size, halved for a doubled one
    "nearest_1d_same_size": "y = F.interpolate(seq, scale_factor=1.2)",
    "nearest_2d_same_size": "y = F.interpolate(img, scale_factor=1.2)",
    "nearest_3d_same_size": "y = F.interpolate(vol, scale_factor=1.2)",
    "nearest_1d_doubled": "y = F.interpolate(seq, scale_factor=2.1)",
    "nearest_2d_doubled": "y = F.interpolate(img, scale_factor=2.1)",
    "nearest_3d_doubled": "y = F.interpolate(vol, scale_factor=(2.2, 1.2, 1.9))",
    "nearest_exact_1d": "y = F.interpolate(seq, scale_factor=1.7, mode='nearest-exact')",
    "nearest_exact_2d": "y = F.interpolate(img, size=(4, 7), mode='nearest-exact')",
    # linear modes, align_corners default / False / True
    "linear_x2": "y = F.interpolate(seq, scale_factor=2, mode='linear')",
    "linear_size_corners": "y = F.interpolate(seq, size=5, mode='linear', align_corners=True)",
    "linear_down": "y = F.interpolate(seq, scale_factor=0.6, mode='linear', align_corners=False)",
    "bilinear_x2": "y = F.interpolate(img, scale_factor=2, mode='bilinear')",
    "bilinear_x2_corners": "y = F.interpolate(img, scale_factor=2, mode='bilinear', align_corners=True)",
    "bilinear_float": "y = F.interpolate(img, scale_factor=1.7, mode='bilinear', align_corners=False)",
    "bilinear_size": "y = F.interpolate(img, size=(5, 6), mode='bilinear')",
    "bilinear_size_corners": "y = F.interpolate(img, size=(2, 7), mode='bilinear', align_corners=True)",
    "bilinear_down": "y = F.interpolate(img, scale_factor=0.5, mode='bilinear')",
    "bilinear_to_one": "y = F.interpolate(img, size=1, mode='bilinear', align_corners=True)",
    "bilinear_same_size": "y = F.interpolate(img, scale_factor=1.2, mode='bilinear')",
    "bilinear_tuple": "y = F.interpolate(img, scale_factor=(1.5, 2), mode='bilinear')",
    "bilinear_recompute": "y = F.interpolate(img, scale_factor=1.7, mode='bilinear', recompute_scale_factor=True)",
    "bilinear_double": "y = F.interpolate(img.double(), scale_factor=1.3, mode='bilinear')",
    "trilinear": "y = F.interpolate(vol, scale_factor=2, mode='trilinear')",
    "trilinear_corners": "y = F.interpolate(vol, size=(3, 3, 4), mode='trilinear', align_corners=True)",
    # a result and a view as input
    "of_result": "h = img * 2\ny = F.interpolate(h, scale_factor=2, mode='bilinear')",
    "of_view": "y = F.interpolate(x.unsqueeze(0), scale_factor=3)",
    # the modules: F.interpolate with the arguments given at construction
    "module_nearest": "m = torch.nn.Upsample(scale_factor=2)\ny = m(img)\ndel m",
    "module_bilinear": "m = torch.nn.Upsample(size=(5, 6), mode='bilinear', align_corners=True)\ny = m(img)\nf = m.scale_factor\ndel m",
    "module_float_factor": "m = torch.nn.Upsample(scale_factor=(2, 3), mode='nearest')\ny = m(img)\nf = str(m.scale_factor)\ndel m",
    "module_linear": "m = torch.nn.Upsample(scale_factor=1.5, mode='linear')\ny = m(seq)\nf = m.scale_factor\ndel m",
    "module_nearest_2d": "y = torch.nn.UpsamplingNearest2d(scale_factor=2)(img)",
    "module_bilinear_2d": "y = torch.nn.UpsamplingBilinear2d(size=(4, 7))(img)",
}

INTERPOLATE_ERRORS: dict[str, str] = {
    "size_and_scale": "y = F.interpolate(img, size=4, scale_factor=2)",
    "neither": "y = F.interpolate(img)",
    "corners_with_nearest": "y = F.interpolate(img, scale_factor=2, align_corners=False)",
    "bilinear_on_3d": "y = F.interpolate(seq, scale_factor=2, mode='bilinear')",
    "linear_on_4d": "y = F.interpolate(img, scale_factor=2, mode='linear')",
    "trilinear_on_4d": "y = F.interpolate(img, scale_factor=2, mode='trilinear')",
    "bilinear_on_5d": "y = F.interpolate(vol, scale_factor=2, mode='bilinear')",
    "two_d_input": "y = F.interpolate(x, scale_factor=2)",
    "unknown_mode": "y = F.interpolate(img, scale_factor=2, mode='cubic')",
    "size_length": "y = F.interpolate(img, size=(3,))",
    "scale_length": "y = F.interpolate(img, scale_factor=(2, 3, 4))",
    "float_size": "y = F.interpolate(img, size=(5.0, 6))",
    "zero_output": "y = F.interpolate(img, scale_factor=0.1)",
    "zero_output_1d": "y = F.interpolate(seq, size=0)",
    "zero_output_3d": "y = F.interpolate(vol, scale_factor=0.2)",
    "negative_scale": "y = F.interpolate(img, scale_factor=-1)",
    "recompute_with_size": "y = F.interpolate(img, size=4, recompute_scale_factor=True)",
    "antialias_nearest": "y = F.interpolate(img, scale_factor=2, antialias=True)",
    "module_zero_factor": "y = torch.nn.Upsample(scale_factor=0)(img)",
    "module_bilinear_on_3d": "y = torch.nn.UpsamplingBilinear2d(scale_factor=2)(seq)",
}


def _cases(programs: dict[str, str]) -> list[tuple[str, str]]:
    out = []
    for name, body in programs.items():
        out.append((name, f"{SETUP}{body}\n{WEIGHTED}"))
        # neither op saves its input: writing it before backward is harmless
        out.append(
            (
                f"{name}-write",
                f"{SETUP}{body}\nwith torch.no_grad():\n    x.add_(1)\n    img.mul_(2)\n"
                f"    seq.sub_(1)\n    vol.add_(3)\n    v.add_(1)\n    s.add_(1)\n{WEIGHTED}",
            )
        )
        out.append((f"{name}-twice", f"{SETUP}{body}\n{WEIGHTED}\n{WEIGHTED}"))
        out.append((f"{name}-no-grad", f"{SETUP}with torch.no_grad():\n    {body}"))
    return out


PROGRAMS = dict(_cases(REPEAT) + _cases(INTERPOLATE))
ERRORS = {**REPEAT_ERRORS, **{f"interpolate_{k}": v for k, v in INTERPOLATE_ERRORS.items()}}


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_resample_matches_torch(name: str) -> None:
    assert_same(PROGRAMS[name], engine, torch)


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_bad_arguments_raise_as_torch(name: str) -> None:
    _, want = assert_same(SETUP + ERRORS[name], engine, torch)
    assert want.status != "ok"  # each of these is an error in torch


def test_nearest_forward_and_backward_indices_differ_as_in_torch() -> None:
    """A 1-D nearest resize by 1.2 keeps size 3: forward repeats element 0, backward does not."""
    prog = (
        "x = torch.tensor([[[1.0, 2.0, 3.0]]], requires_grad=True)\n"
        "y = F.interpolate(x, scale_factor=1.2)\n"
        "first = y[0, 0, 1].item()\n"
        "y.backward(torch.tensor([[[1.0, 10.0, 100.0]]]))\n"
        "g0 = x.grad[0, 0, 0].item()\n"
    )
    _, want = assert_same(prog, engine, torch)
    assert (want.values["first"], want.values["g0"]) == (1.0, 1.0)


def test_repeat_gradient_sums_the_tiles() -> None:
    prog = "v = torch.tensor([1.0, 2.0], requires_grad=True)\nv.repeat(3, 2).sum().backward()\n"
    _, want = assert_same(prog, engine, torch)
    assert want.tensors["v"].grad.tolist() == [6.0, 6.0]
