# source: https://github.com/pytorch/tutorials/blob/main/advanced_source/neural_style_tutorial.py
# expect: clean
# pitfall: look-alike: the tutorial clamps the optimised image through input_img.data at the start of each LBFGS closure, before any forward that could save it
import torch
import torch.nn as nn
import torch.optim as optim


def get_input_optimizer(input_img):
    optimizer = optim.LBFGS([input_img])
    return optimizer


model = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.ReLU(), nn.Conv2d(4, 4, 3, padding=1))
content_img = torch.rand(1, 3, 8, 8)
target = model(content_img).detach()
input_img = content_img.clone()
input_img.requires_grad_(True)
optimizer = get_input_optimizer(input_img)

run = [0]
while run[0] <= 3:

    def closure():
        # correct the values of updated input image
        input_img.data.clamp_(0, 1)

        optimizer.zero_grad()
        loss = nn.functional.mse_loss(model(input_img), target)
        loss.backward()

        run[0] += 1
        return loss

    optimizer.step(closure)

# a last correction...
input_img.data.clamp_(0, 1)
