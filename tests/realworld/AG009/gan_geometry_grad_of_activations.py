# source: https://github.com/Animadversio/GAN-Geometry/issues/4
# expect: AG009
# pitfall: torch.autograd.grad(activs, perturb_vecs) on a vector of unit activations, without grad_outputs
import torch
import torch.nn as nn


class GANForwardHVPOperator:
    def __init__(self, model, objective):
        self.model = model
        self.objective = objective

    def apply(self, perturb_vecs):
        img = self.model(perturb_vecs)
        resz_img = torch.tanh(img)
        activs = self.objective(resz_img)  # , scaler=True
        ftgrad_both = torch.autograd.grad(activs, perturb_vecs, retain_graph=False, create_graph=False, only_inputs=True)[0]
        return ftgrad_both


G = nn.Linear(16, 32)
unit_readout = nn.Linear(32, 4)
operator = GANForwardHVPOperator(G, unit_readout)
perturb_vecs = torch.randn(3, 16, requires_grad=True)
operator.apply(perturb_vecs)
