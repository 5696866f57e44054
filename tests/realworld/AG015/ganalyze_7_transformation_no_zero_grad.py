# source: https://github.com/LoreGoetschalckx/GANalyze/issues/7
# expect: AG015
# pitfall: the PyTorch training loop of pytorch/train_pytorch.py (commit b132d5e) calls `loss.backward()` and `optimizer.step()` for every batch and never `optimizer.zero_grad()` ("zero_grad is missing"): the transformation's gradient is the sum over every batch so far. The BigGAN generator, the EmoNet assessor, the OneDirection transformation and the utils are replaced by small stand-ins of the same interfaces; argparse by its defaults, 400000 samples by 12, the checkpoint files are left out
import numpy as np
import torch
import torch.nn as nn
import torch.optim as optim

opts = {"checkpoint_resume": 0, "train_alpha_a": -0.5, "train_alpha_b": 0.5, "num_samples": 12}
device = torch.device("cpu")
loss_file = None
dim_z = 8
vocab_size = 5


class OneDirection(nn.Module):
    def __init__(self, dim_z, vocab_size):
        super().__init__()
        self.w = nn.Parameter(torch.randn(1, dim_z))

    def transform(self, z, y, step_sizes):
        return z + step_sizes * self.w

    def compute_loss(self, current, target, batch_start, lossfile):
        return torch.mean((current - target) ** 2)


def one_hot(y):
    return nn.functional.one_hot(y, vocab_size).float()


generator_net = nn.Linear(dim_z + vocab_size, 12)
generator = lambda z, y: generator_net(torch.cat([z, y], 1)).view(-1, 3, 2, 2)
assessor = nn.Sequential(nn.Flatten(), nn.Linear(12, 1))
input_transform = output_transform = lambda x: x
transformation = OneDirection(dim_z, vocab_size)
for p in list(generator_net.parameters()) + list(assessor.parameters()):
    p.requires_grad = False

# Training
# --------------------------------------------------------------------------------------------------------------
# optimizer
optimizer = optim.Adam(transformation.parameters(), lr=0.0002)

checkpoint_resume = 0

#  training settings
optim_iter = 0
batch_size = 4
train_alpha_a = opts["train_alpha_a"]
train_alpha_b = opts["train_alpha_b"]
num_samples = opts["num_samples"]

# create training set
np.random.seed(seed=0)
truncation = 1
zs = np.random.randn(num_samples, dim_z).clip(-2, 2) * truncation
ys = np.random.randint(0, vocab_size, size=zs.shape[0])

# loop over data batches
for batch_start in range(0, num_samples, batch_size):

    # skip batches we've already done (this would happen when resuming from a checkpoint)
    if batch_start <= checkpoint_resume and checkpoint_resume != 0:
        optim_iter = optim_iter + 1
        continue

    # input batch
    s = slice(batch_start, min(num_samples, batch_start + batch_size))
    z = torch.from_numpy(zs[s]).type(torch.FloatTensor).to(device)
    y = torch.from_numpy(ys[s]).to(device)
    step_sizes = (train_alpha_b - train_alpha_a) * \
        np.random.random(size=(batch_size)) + train_alpha_a  # sample step_sizes
    step_sizes_broadcast = np.repeat(step_sizes, dim_z).reshape([batch_size, dim_z])
    step_sizes_broadcast = torch.from_numpy(step_sizes_broadcast).type(torch.FloatTensor).to(device)

    # ganalyze steps
    gan_images = generator(z, one_hot(y))
    gan_images = input_transform(gan_images)
    gan_images = gan_images.view(-1, *gan_images.shape[-3:])
    gan_images = gan_images.to(device)
    out_scores = output_transform(assessor(gan_images)).to(device).float()
    target_scores = out_scores + torch.from_numpy(step_sizes).to(device).float()

    z_transformed = transformation.transform(z, one_hot(y), step_sizes_broadcast)
    gan_images_transformed = generator(z_transformed, one_hot(y))
    gan_images_transformed = input_transform(gan_images_transformed)
    gan_images_transformed = gan_images_transformed.view(-1, *gan_images_transformed.shape[-3:])
    gan_images_transformed = gan_images_transformed.to(device)
    out_scores_transformed = output_transform(assessor(gan_images_transformed)).to(device).float()

    # compute loss
    loss = transformation.compute_loss(out_scores_transformed, target_scores, batch_start, loss_file)

    # backwards
    loss.backward()
    optimizer.step()

    # print loss
    print(f'[{batch_start}/{num_samples}] {loss.item()}')
    optim_iter = optim_iter + 1
