# source: https://github.com/takuseno/d3rlpy/blob/HEAD/skbrl/tests/models/torch/model_test.py
# expect: clean
# pitfall: look-alike: a parameter snapshot taken across an optimizer step with copy.deepcopy of the leaves (no graph), not clone()
import copy

import torch
from torch.optim import SGD


def check_parameter_updates(model, inputs):
    model.train()
    params_before = copy.deepcopy([p for p in model.parameters()])
    optim = SGD(model.parameters(), lr=1.0)
    loss = (model(*inputs)**2).sum()
    loss.backward()
    optim.step()
    for before, after in zip(params_before, model.parameters()):
        assert not torch.allclose(before, after)


check_parameter_updates(torch.nn.Linear(3, 2), (torch.randn(4, 3),))
