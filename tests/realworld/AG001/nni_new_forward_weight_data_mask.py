# source: https://github.com/microsoft/nni/pull/1867 (src/sdk/pynni/nni/compression/torch/compressor.py, the lines the PR replaced)
# expect: AG001
# pitfall: the pruner wraps each layer's forward in a closure that writes the masked weight through `.data` on every call; autograd never sees the multiplication by the mask, so the pruned weights still receive gradient (and momentum keeps moving them)
# Pruner.calc_mask is stubbed with a fixed magnitude mask; the rest of the compressor is left out.
import torch
import torch.nn as nn


class LayerInfo:
    def __init__(self, name, module):
        self.module = module
        self.name = name
        self.type = type(module).__name__
        self._forward = None


class Pruner:
    def __init__(self, model, config_list):
        self.bound_model = model
        self.config_list = config_list
        self.mask_dict = {}

    def calc_mask(self, layer, config):
        if layer.name not in self.mask_dict:
            weight = layer.module.weight.data
            self.mask_dict[layer.name] = torch.gt(weight.abs(), weight.abs().median()).type_as(weight)
        return self.mask_dict[layer.name]

    def compress(self):
        for name, module in self.bound_model.named_modules():
            if isinstance(module, nn.Linear):
                self._instrument_layer(LayerInfo(name, module), self.config_list[0])
        return self.bound_model

    def _instrument_layer(self, layer, config):
        layer._forward = layer.module.forward

        def new_forward(*inputs):
            # apply mask to weight
            old_weight = layer.module.weight.data
            mask = self.calc_mask(layer, config)
            layer.module.weight.data = old_weight.mul(mask)
            # calculate forward
            ret = layer._forward(*inputs)
            return ret

        layer.module.forward = new_forward


torch.manual_seed(0)
model = nn.Sequential(nn.Linear(6, 8), nn.ReLU(), nn.Linear(8, 2))
pruner = Pruner(model, [{'sparsity': 0.5, 'op_types': ['default']}])
pruner.compress()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
data, target = torch.randn(16, 6), torch.randint(0, 2, (16,))
optimizer.zero_grad()
loss = nn.functional.cross_entropy(model(data), target)
loss.backward()
optimizer.step()
