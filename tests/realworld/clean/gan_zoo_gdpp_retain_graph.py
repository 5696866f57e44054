# source: https://github.com/facebookresearch/pytorch_GAN_zoo/commit/a5215f7401bc3b820af78cc325e20636f3227af3 (models/base_GAN.py after PR #85)
# expect: clean
# pitfall: none: PR #85 makes the generator step call `lossGFake.backward(retain_graph=True)`, so GDPPLoss's `gdppLoss.backward(retain_graph=True)` can go back through `phiGFake`, the discriminator features of the same fake batch, and both terms add into the generator's gradient. Reduced as the AG004 snippet from the version (linear G and D, `-pred.mean()` criterion, `torch.symeig` as `torch.linalg.eigh`)
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
        lossGFake.backward(retain_graph=True)

        if self.GDPP:
            _, phiDReal = self.netD.forward(self.real_input, True)
            allLosses["lossG_GDPP"] = GDPPLoss(phiDReal, phiGFake,
                                               backward=True)

        self.optimizerG.step()
        return allLosses


model = BaseGAN(GDPP=True)
model.optimizeParameters(torch.randn(5, 6))
