"""Placeholder shapes follow from the witness's own ops."""

import pytest

from autograd_lint.analysis import shapes, value_kinds


def test_matmul_left_operand_takes_inner_dimension():
    script = "x = __placeholder_plain__\nw = torch.randn(4, 3, requires_grad=True)\ny = x @ w\n"
    assert shapes.infer(script, ["x"]) == {"x": (2, 4)}


def test_matmul_right_operand_becomes_a_vector():
    script = "W = torch.randn(5, 4)\nh = __placeholder_plain__\ny = W @ h\n"
    assert shapes.infer(script, ["h"]) == {"h": (4,)}


def test_elementwise_and_loss_partners_share_a_shape():
    script = (
        "t = torch.randn(8, 1)\np = __placeholder_nonleaf__\nl = F.mse_loss(p, t)\n"
        "q = __placeholder_leaf__\nr = q * torch.zeros(3)\n"
    )
    assert shapes.infer(script, ["p", "q"]) == {"p": (8, 1), "q": (3,)}


def test_linear_input_and_item():
    script = "lin = nn.Linear(6, 2)\nx = __placeholder_plain__\nout = lin(x)\nv = __placeholder_plain__\nf = v.item()\n"
    assert shapes.infer(script, ["x", "v"]) == {"x": (2, 6), "v": (1,)}


def test_unknown_use_gets_the_default():
    assert shapes.infer("x = __placeholder_plain__\nprint(x)\n", ["x"]) == {"x": shapes.DEFAULT}


@pytest.mark.parametrize(
    ("kind", "shape", "expected"),
    [
        ("leaf", (2, 3), "torch.randn(2, 3, requires_grad=True)"),
        ("plain", (4,), "torch.randn(4)"),
        ("nonleaf", (2, 3), "nn.Linear(3, 3)(torch.randn(2, 3))"),
        ("nonleaf", (), "nn.Linear(1, 1)(torch.randn(1)).sum()"),
    ],
)
def test_fill(kind, shape, expected):
    assert shapes.fill(kind, shape) == expected


def test_conv_input_gets_the_in_channels_and_its_output_the_conv_arithmetic():
    script = (
        "c = 3\nconv = nn.Conv2d(c, 12, kernel_size=3)\nx = __placeholder_leaf__\ny = conv(x)\n"
        "v = __placeholder_plain__\nz = y[0, :, 0, 0] * v\n"
    )
    assert shapes.infer(script, ["x", "v"]) == {"x": (2, 3, 8, 8), "v": (12,)}


def test_embedding_input_is_indices_below_the_row_count():
    script = "emb = nn.Embedding(10, 4)\ni = __placeholder_plain__\ne = emb(i)\n"
    found, ranges = shapes.infer_with_ranges(script, ["i"])
    assert found == {"i": (2, 4)}
    assert ranges == {"i": 10}


@pytest.mark.parametrize(
    ("module", "expected"),
    [
        ("nn.LSTM(4, 6)", (5, 2, 4)),
        ("nn.GRU(4, 6, batch_first=True)", (2, 5, 4)),
        ("torch.nn.LSTMCell(4, 6)", (2, 4)),
        ("nn.Conv1d(in_channels=7, out_channels=2, kernel_size=3)", (2, 7, 8)),
    ],
)
def test_sequence_and_keyword_modules(module: str, expected: tuple[int, ...]):
    script = f"m = {module}\ns = __placeholder_plain__\nout = m(s)\n"
    assert shapes.infer(script, ["s"]) == {"s": expected}


def test_tuple_targets_still_reach_the_call():
    script = "r = nn.LSTM(3, 5)\ns = __placeholder_plain__\no, h = r(s)\n"
    assert shapes.infer(script, ["s"]) == {"s": (5, 2, 3)}


def test_a_scalar_stand_in_runs_on_torch():
    torch = pytest.importorskip("torch")
    for kind in ("leaf", "plain", "nonleaf"):
        value = eval(shapes.fill(kind, ()), {"torch": torch, "nn": torch.nn})
        assert tuple(value.shape) == ()


def test_sequential_cat_chunk_and_class_targets():
    script = (
        "target = __placeholder_free__\nx = __placeholder_free__\n"
        "model = nn.Sequential(nn.Linear(6, 8), nn.Dropout(0.1), nn.Tanh(), nn.Linear(8, 4))\n"
        "logits = model(torch.cat([x, x.clone()], 0))\np, q = logits.chunk(2)\n"
        "ce = F.cross_entropy(p, target)\n"
    )
    found, ranges = shapes.infer_with_ranges(script, ["target", "x"])
    assert found == {"target": (2,), "x": (2, 6)}
    assert ranges == {"target": 4}


def test_a_name_only_appended_to_before_it_is_rebound_is_a_list():
    script = (
        "scores = __placeholder_free__\nkept = __placeholder_free__\n"
        "scores.append(x)\nkept.append(x)\nkept.sum()\n"
        "scores = torch.stack(scores)\ny = scores.reshape(-1)\n"
    )
    assert value_kinds.list_names(script, ["scores", "kept"]) == {"scores"}


def test_a_loss_module_reads_class_indices_through_a_detached_alias():
    script = (
        "lstm = nn.LSTM(16, 8, batch_first=True)\nfc = nn.Linear(8, 5)\n"
        "x = torch.randn(1, 12, 16)\nt = __placeholder_free__\ntarget = t.detach()\n"
        "out, hidden = lstm(x)\nscores = fc(out[:, -1, :]).view(-1, 5)\n"
        "criterion = nn.NLLLoss()\nloss = criterion(scores, target)\n"
    )
    found, ranges = shapes.infer_with_ranges(script, ["t"])
    assert found == {"t": (1,)}  # one row of scores: the output's last step, viewed
    assert ranges == {"t": 5}


def test_a_view_of_a_tensor_of_unknown_rows_keeps_the_free_guess():
    script = "p = __placeholder_free__\nflat = p.view(-1, 5)\nloss = F.mse_loss(flat, torch.zeros(2, 5))\n"
    assert shapes.infer_partial(script, ["p"]) == {"p": (2, 5)}


def test_slice_bounds_stand_for_a_start_and_a_length():
    script = (
        "i = P\nn = P\nk = P\nidx = P\nsource = torch.randn(9, 2)\n"
        "data = source[i:i + n]\ntarget = source[i + 1:i + 1 + n]\nrow = source[k + 1]\n"
        "picked = source[idx.long()]\n"
    )
    # ``idx`` is read as a tensor (an index computed from it): no integer for it
    assert value_kinds.integer_names(script, ["i", "n", "k", "idx"]) == {"i": 0, "n": 2, "k": 0}
    computed = "a = P\nsource = torch.randn(9, 2)\nrow = source[a * 2]\n"
    assert value_kinds.integer_names(computed, ["a"]) == {}  # not a sum of names and integers


def test_the_gradient_given_to_backward_has_the_output_shape():
    script = (
        "g = __placeholder_plain__\n"
        "model = nn.Sequential(nn.Conv2d(3, 4, 3), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 6 * 6, 5))\n"
        "net = model\nx = torch.randn(1, 3, 8, 8)\nout = net(x)\nout.backward(g)\n"
    )
    assert shapes.infer(script, ["g"]) == {"g": (1, 5)}
    flat_all = "g = __placeholder_plain__\nx = torch.randn(2, 3, 4)\nf = nn.Flatten(0)\nout = f(x)\nout.backward(g)\n"
    assert shapes.infer(flat_all, ["g"]) == {"g": (24,)}
    unknown = "g = __placeholder_plain__\nout = net(x)\nout.backward(g)\n"
    assert shapes.infer_partial(unknown, ["g"]) == {"g": None}  # an unknown output: nothing


def test_a_loss_fixes_the_spatial_size_of_a_convolution_input():
    script = (
        "netD = nn.Sequential(nn.Conv2d(3, 1, 4, 1, 0, bias=False), nn.Sigmoid(), nn.Flatten(0))\n"
        "criterion = nn.BCELoss()\nlabel = torch.full((2,), 1.0)\n"
        "fake = __placeholder_plain__\noutput = netD(fake.detach())\n"
        "err = criterion(output, label)\n"
    )
    # one score a sample: the 4x4 kernel spans the whole input
    assert shapes.infer(script, ["fake"]) == {"fake": (2, 3, 4, 4)}
    matching = script.replace("torch.full((2,), 1.0)", "torch.full((50,), 1.0)")
    assert shapes.infer(matching, ["fake"]) == {"fake": (2, 3, 8, 8)}  # already agrees
    never = script.replace("torch.full((2,), 1.0)", "torch.full((3,), 1.0)")
    assert shapes.infer(never, ["fake"]) == {"fake": (2, 3, 8, 8)}  # no size gives 3 scores


def test_a_constant_position_lengthens_a_stand_in():
    script = (
        "top_q = 8\nvals = __placeholder_plain__\nhead, tail = vals[:top_q - 1], vals[top_q - 1]\n"
    )
    assert shapes.infer(script, ["vals"]) == {"vals": (8,)}
    early = "vals = __placeholder_plain__\nfirst = vals[1]\n"
    assert shapes.infer_partial(early, ["vals"]) == {"vals": None}  # the default holds it


def test_integers_are_bound_before_the_shapes_are_solved():
    from autograd_lint.analysis.witness_stand_ins import _fill_placeholders

    lines = [
        "batch_size = __placeholder_free__",
        "label = torch.full((batch_size,), 1.0)",
        "score = __placeholder_plain__",
        "loss = F.mse_loss(score, label)",
    ]
    filled = _fill_placeholders(lines)
    assert "batch_size = 2" in filled
    (score,) = [line for line in filled if line.startswith("score = ")]
    assert score.startswith("score = torch.randn(2)")


def test_the_hidden_state_of_an_rnn_takes_its_layers_batch_and_width():
    from autograd_lint.analysis.witness_stand_ins import _fill_placeholders

    script = (
        "h = __placeholder_plain__\ng = __placeholder_plain__\nc = __placeholder_free__\n"
        "rnn = nn.RNN(input_size=1, hidden_size=32, num_layers=1, batch_first=True)\n"
        "x = torch.randn(1, 10, 1)\nout, h = rnn(x, h)\n"
        "gru = nn.GRU(4, 8, 2, bidirectional=True)\ny = torch.randn(5, 3, 4)\no, g = gru(y, g)\n"
        "lstm = nn.LSTM(4, 8)\nq, c = lstm(y, c)\n"
    )
    # an LSTM's state is a pair: the shape is each tensor's; a name the slice never defines
    # stands in as the pair
    assert shapes.infer_partial(script, ["h", "g", "c"]) == {
        "h": (1, 1, 32),
        "g": (4, 3, 8),
        "c": (1, 3, 8),
    }
    filled = _fill_placeholders(script.splitlines())
    assert "c = (torch.randn(1, 3, 8), torch.randn(1, 3, 8))" in filled
    assert "g = torch.randn(4, 3, 8)" in filled


def test_np_newaxis_is_written_as_none_where_np_is_read_for_nothing_else():
    from autograd_lint.analysis.witness_stand_ins import newaxis_reads

    lines = ["x = torch.from_numpy(x_np[np.newaxis, :, np.newaxis])"]
    assert newaxis_reads(lines, {"np", "x_np"}) == ["x = torch.from_numpy(x_np[None, :, None])"]
    other = [*lines, "steps = np.linspace(0, 1, 10)"]
    assert newaxis_reads(other, {"np", "x_np"}) == other
    assert newaxis_reads(lines, {"x_np"}) == lines  # ``np`` is bound by the script itself


def test_a_shape_asked_of_an_expanded_array_is_asked_of_the_array_without_new_dims():
    script = (
        "x_np = __placeholder_plain__\nh = __placeholder_plain__\n"
        "rnn = nn.RNN(input_size=1, hidden_size=32, num_layers=1, batch_first=True)\n"
        "x = torch.from_numpy(x_np[None, :, None])\nr_out, h = rnn(x, h)\n"
    )
    # the RNN's input (2, 5, 1) less the two added dimensions; the state follows the batch of 1
    assert shapes.infer(script, ["x_np", "h"]) == {"x_np": (5,), "h": (1, 1, 32)}
    sliced = script.replace("x_np[None, :, None]", "x_np[None, 1:, None]")
    assert shapes.infer_partial(sliced, ["x_np", "h"]) == {"x_np": None, "h": None}


def test_repeat_multiplies_each_dim_and_prepends_extra_counts():
    script = (
        "k = torch.randn(1, 1, 3, 3)\nkernel = k.repeat(3, 1, 1, 1)\nv = __placeholder_plain__\n"
        "y = kernel * v\nt = torch.randn(4)\nr = t.repeat(2, 2)\nu = __placeholder_plain__\n"
        "z = r + u\n"
    )
    assert shapes.infer(script, ["v", "u"]) == {"v": (3, 1, 3, 3), "u": (2, 8)}


def test_repeat_of_an_unknown_or_with_too_few_counts_stays_unknown():
    script = (
        "t = torch.randn(2, 3)\nr = t.repeat(2)\nu = __placeholder_plain__\nz = r + u\n"
        "n = __placeholder_plain__\nq = __placeholder_plain__\nw = n.repeat(2, 2) + q\n"
    )
    found = shapes.infer(script, ["u", "n", "q"])
    assert found == {"u": shapes.DEFAULT, "n": shapes.DEFAULT, "q": shapes.DEFAULT}


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        ("F.interpolate(x, scale_factor=2)", (2, 2, 4, 4)),
        ("F.interpolate(x, scale_factor=2, mode='bilinear', align_corners=False)", (2, 2, 4, 4)),
        ("F.interpolate(x, size=5, mode='linear')", (2, 2, 4)),
        ("F.interpolate(x, size=(3, 3, 3))", (2, 2, 4, 4, 4)),
        ("F.interpolate(x, scale_factor=2, mode='trilinear')", (2, 2, 4, 4, 4)),
    ],
)
def test_an_unknown_interpolate_input_gets_the_rank_its_mode_needs(call, expected):
    script = f"x = __placeholder_leaf__\ny = {call}\n"
    assert shapes.infer(script, ["x"]) == {"x": expected}


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        ("F.interpolate(img, scale_factor=2)", (1, 3, 12, 16)),
        ("F.interpolate(img, scale_factor=(0.5, 1.5), mode='bilinear')", (1, 3, 3, 12)),
        ("F.interpolate(img, size=(5, 7))", (1, 3, 5, 7)),
        ("F.interpolate(img, size=9, mode='bilinear', align_corners=True)", (1, 3, 9, 9)),
    ],
)
def test_interpolate_output_follows_literal_sizes_and_scales(call, expected):
    script = f"img = torch.randn(1, 3, 6, 8)\ny = {call}\nv = __placeholder_plain__\nz = y + v\n"
    assert shapes.infer(script, ["v"]) == {"v": expected}


def test_interpolate_to_a_size_the_script_computes_leaves_the_output_unknown():
    script = (
        "img = torch.randn(1, 3, 6, 8)\ns = img.shape[2:]\ny = F.interpolate(img, size=s)\n"
        "v = __placeholder_plain__\nz = y + v\n"
    )
    assert shapes.infer(script, ["v"]) == {"v": shapes.DEFAULT}
