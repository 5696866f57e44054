# source: https://github.com/pfnet/pytorch-pfn-extras/blob/0ce01ae0cf5ea9f32730acd99b758b2cdbd6a338/pytorch_pfn_extras/reporting.py
# expect: clean
# pitfall: look-alike: the fixed Reporter stores value.detach() of each reported tensor, so observations keep no graph
import torch
import torch.nn as nn


def _nograd(value):
    if isinstance(value, torch.Tensor):
        return value.detach()
    return value


class Reporter:

    def __init__(self):
        self._observer_names = {}
        self.observation = {}

    def add_observer(self, name, observer):
        self._observer_names[id(observer)] = name

    def report(self, values, observer=None):
        values = {k: _nograd(v) for k, v in values.items()}

        if observer is not None:
            observer_id = id(observer)
            if observer_id not in self._observer_names:
                raise KeyError(
                    'Given observer is not registered to the reporter.')
            observer_name = self._observer_names[observer_id]
            for key, value in values.items():
                name = '%s/%s' % (observer_name, key)
                self.observation[name] = value
        else:
            self.observation.update(values)


model = nn.Linear(4, 1)
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
reporter = Reporter()
reporter.add_observer('main', model)
for i in range(3):
    x, y = torch.randn(8, 4), torch.randn(8, 1)
    loss = nn.functional.mse_loss(model(x), y)
    reporter.report({'loss': loss}, model)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
