# source: https://github.com/jingGM/mtg/blob/27ef796cb315ad45b4a1caf55352b4845eb9364d/main.py
# expect: AG014
# pitfall: the entry point wraps the whole training run in anomaly detection (it is only switched off after training ends)
import torch


class Trainer:
    def __init__(self, cfgs=None):
        self.model = torch.nn.Linear(4, 2)
        self.optimizer = torch.optim.Adam(self.model.parameters())

    def run(self):
        for step in range(2):
            loss = self.model(torch.randn(3, 4)).pow(2).mean()
            self.optimizer.zero_grad()
            loss.backward()
            self.optimizer.step()


def get_configs():
    return None


if __name__ == "__main__":
    cfgs = get_configs()
    # if cfgs.type == "train":
    trainer = Trainer(cfgs=cfgs)
    # else:
    #     trainer = Evaluation(cfgs=cfgs)
    torch.autograd.set_detect_anomaly(True)
    trainer.run()
    torch.autograd.set_detect_anomaly(False)
