# source: https://github.com/facebookresearch/pytorch_GAN_zoo/issues/83 (models/base_GAN.py and models/loss_criterions/GDPP_loss.py at 1a0c764)
# expect: AG004
# pitfall: the generator step calls `lossGFake.backward()` (no retain_graph) and then, with GDPP on, `GDPPLoss(phiDReal, phiGFake, backward=True)`, whose `gdppLoss.backward(retain_graph=True)` goes back through `phiGFake`, the discriminator features of the same `predFakeG` graph the first backward freed: "Trying to backward through the graph a second time" (fixed in PR #85 by retaining the first graph). The progressive generator and discriminator are linear layers, the WGAN-GP criterion is `-pred.mean()`, the classification penalty and moving average are left out; `torch.symeig`, removed from torch since, is `torch.linalg.eigh`
import torch
import torch.nn as nn
import torch.nn.functional as F


def GDPPLoss(phiFake, phiReal, backward=True):
    def compute_diversity(phi):
        phi = F.normalize(phi, p=2, dim=1)
        SB = torch.mm(phi, phi.t())
        eigVals, eigVecs = torch.linalg.eigh(SB)
        return eigVals, eigVecs

    def normalize_min_max(eigVals):
        minV, maxV = torch.min(eigVals), torch.max(eigVals)
        return (eigVals - minV) / (maxV - minV)

    fakeEigVals, fakeEigVecs = compute_diversity(phiFake)
    realEigVals, realEigVecs = compute_diversity(phiReal)

    # Scaling factor to make the two losses operating in comparable ranges.
    magnitudeLoss = 0.0001 * F.mse_loss(target=realEigVals, input=fakeEigVals)
    structureLoss = -torch.sum(torch.mul(fakeEigVecs, realEigVecs), 0)
    normalizedRealEigVals = normalize_min_max(realEigVals)
    weightedStructureLoss = torch.sum(
        torch.mul(normalizedRealEigVals, structureLoss))
    gdppLoss = magnitudeLoss + weightedStructureLoss

    if backward:
        gdppLoss.backward(retain_graph=True)

    return gdppLoss.item()


class WGANGP:
    def getCriterion(self, input, status):
        if status:
            return -input[:, 0].sum()
        return input[:, 0].sum()


class Discriminator(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Linear(6, 8)
        self.decision = nn.Linear(8, 1)

    def forward(self, x, getFeature=False):
        phi = torch.tanh(self.features(x))
        out = self.decision(phi)
        if getFeature:
            return out, phi
        return out


class BaseGAN:
    def __init__(self, GDPP=True):
        self.netG = nn.Sequential(nn.Linear(4, 6), nn.Tanh())
        self.netD = Discriminator()
        self.optimizerG = torch.optim.Adam(self.netG.parameters(), lr=1e-3)
        self.optimizerD = torch.optim.Adam(self.netD.parameters(), lr=1e-3)
        self.lossCriterion = WGANGP()
        self.GDPP = GDPP

    def buildNoiseData(self, n_samples):
        return torch.randn(n_samples, 4), None

    def optimizeParameters(self, input_batch):
        allLosses = {}
        self.real_input = input_batch
        n_samples = self.real_input.size()[0]

        # Update the generator
        self.optimizerG.zero_grad()
        self.optimizerD.zero_grad()

        # #1 Image generation
        inputNoise, targetCatNoise = self.buildNoiseData(n_samples)
        predFakeG = self.netG(inputNoise)

        # #2 Status evaluation
        predFakeD, phiGFake = self.netD(predFakeG, True)

        # #3 GAN criterion
        lossGFake = self.lossCriterion.getCriterion(predFakeD, True)
        allLosses["lossG_fake"] = lossGFake.item()
        lossGFake.backward()

        if self.GDPP:
            _, phiDReal = self.netD.forward(self.real_input, True)
            allLosses["lossG_GDPP"] = GDPPLoss(phiDReal, phiGFake,
                                               backward=True)

        self.optimizerG.step()
        return allLosses


model = BaseGAN(GDPP=True)
model.optimizeParameters(torch.randn(5, 6))
