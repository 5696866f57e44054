# source: https://github.com/facebookresearch/svoice/issues/17
# expect: AG014
# pitfall: every training batch computes its loss and optimizer step inside torch.autograd.set_detect_anomaly(True)
import torch
import torch.nn as nn


def cal_loss(sources, est_src):
    return ((sources - est_src) ** 2).mean()


class Solver:
    def __init__(self, model, loader, optimizer, max_norm=5):
        self.dmodel = model
        self.model = model
        self.tr_loader = loader
        self.optimizer = optimizer
        self.max_norm = max_norm

    def _run_one_epoch(self, epoch, cross_valid=False):
        total_loss = 0
        for i, data in enumerate(self.tr_loader):
            mixture, sources = data
            estimate_source = [self.dmodel(mixture)]

            loss = 0
            cnt = len(estimate_source)
            # apply a loss function after each layer
            with torch.autograd.set_detect_anomaly(True):
                for c_idx, est_src in enumerate(estimate_source):
                    coeff = ((c_idx+1)*(1/cnt))
                    sisnr_loss = cal_loss(sources, est_src)
                    loss += (coeff * sisnr_loss)
                loss /= len(estimate_source)

                if not cross_valid:
                    # optimize model in training mode
                    self.optimizer.zero_grad()
                    loss.backward()
                    torch.nn.utils.clip_grad_norm_(self.model.parameters(),
                                                   self.max_norm)
                    self.optimizer.step()

            total_loss += loss.item()
        return total_loss / (i + 1)


model = nn.Linear(8, 8)
loader = [(torch.randn(2, 8), torch.randn(2, 8)) for _ in range(2)]
solver = Solver(model, loader, torch.optim.Adam(model.parameters()))
solver._run_one_epoch(0)
