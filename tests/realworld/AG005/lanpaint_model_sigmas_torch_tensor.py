# source: https://github.com/scraed/LanPaint/issues/38
# expect: AG005
# pitfall: the sampler copy-constructs the model's sigma schedule (already a tensor) with torch.tensor(...); torch warns
import torch


class ModelSampling:
    def __init__(self):
        self.sigmas = torch.linspace(14.6, 0.03, 10)


class ModelPatcher:
    def __init__(self):
        self._sampling = ModelSampling()

    def get_model_object(self, name):
        return self._sampling


class InnerModel:
    def __init__(self):
        self.model_patcher = ModelPatcher()


class LanPaint:
    def __init__(self, inner_model):
        self.inner_model = inner_model

    def __call__(self, x, sigmas):
        self.model_sigmas = torch.cat( (torch.tensor([0.], device = sigmas.device) , torch.tensor( self.inner_model.model_patcher.get_model_object("model_sampling").sigmas, device = sigmas.device) ) )
        return x * self.model_sigmas[1]


sampler = LanPaint(InnerModel())
sigmas = torch.linspace(14.6, 0.0, 5)
out = sampler(torch.randn(1, 4, 8, 8), sigmas)
