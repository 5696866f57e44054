# source: https://github.com/1Konny/gradcam_plus_plus-pytorch/blob/07fd6ece5010f7c1c9fbcc8155a60023819111d7/gradcam.py
# expect: AG009
# pitfall: `score = logit[:, class_idx].squeeze()` keeps one score per image, so for a batch of more than one image `score.backward(retain_graph=retain_graph)` has no implicit gradient ("grad can be implicitly created only for scalar outputs", https://github.com/1Konny/gradcam_plus_plus-pytorch/issues/7, raised from `mask, _ = gradcam(inputs)`). The torchvision ResNet is replaced by a two-layer CNN with a `layer4` the hooks find, the layer finder by `getattr`, the image batch by random tensors
import torch
import torch.nn as nn
import torch.nn.functional as F


class SmallNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 4, 3, padding=1)
        self.layer4 = nn.Conv2d(4, 8, 3, padding=1)
        self.fc = nn.Linear(8, 10)

    def forward(self, x):
        x = self.layer4(F.relu(self.conv1(x)))
        return self.fc(x.mean((2, 3)))


def find_resnet_layer(arch, target_layer_name):
    return getattr(arch, target_layer_name)


class GradCAM(object):
    """Calculate GradCAM salinecy map."""
    def __init__(self, model_dict, verbose=False):
        model_type = model_dict['type']
        layer_name = model_dict['layer_name']
        self.model_arch = model_dict['arch']

        self.gradients = dict()
        self.activations = dict()
        def backward_hook(module, grad_input, grad_output):
            self.gradients['value'] = grad_output[0]
            return None
        def forward_hook(module, input, output):
            self.activations['value'] = output
            return None

        if 'resnet' in model_type.lower():
            target_layer = find_resnet_layer(self.model_arch, layer_name)

        target_layer.register_forward_hook(forward_hook)
        target_layer.register_full_backward_hook(backward_hook)

    def forward(self, input, class_idx=None, retain_graph=False):
        b, c, h, w = input.size()

        logit = self.model_arch(input)
        if class_idx is None:
            score = logit[:, logit.max(1)[-1]].squeeze()
        else:
            score = logit[:, class_idx].squeeze()

        self.model_arch.zero_grad()
        score.backward(retain_graph=retain_graph)
        gradients = self.gradients['value']
        activations = self.activations['value']
        b, k, u, v = gradients.size()

        alpha = gradients.view(b, k, -1).mean(2)
        weights = alpha.view(b, k, 1, 1)

        saliency_map = (weights*activations).sum(1, keepdim=True)
        saliency_map = F.relu(saliency_map)
        saliency_map = F.interpolate(saliency_map, size=(h, w), mode='bilinear', align_corners=False)
        saliency_map_min, saliency_map_max = saliency_map.min(), saliency_map.max()
        saliency_map = (saliency_map - saliency_map_min).div(saliency_map_max - saliency_map_min).data

        return saliency_map, logit

    def __call__(self, input, class_idx=None, retain_graph=False):
        return self.forward(input, class_idx, retain_graph)


resnet = SmallNet()
resnet.eval()
model_dict = dict(type='resnet', arch=resnet, layer_name='layer4', input_size=(16, 16))
gradcam = GradCAM(model_dict)
inputs = torch.randn(4, 3, 16, 16)
mask, _ = gradcam(inputs, class_idx=3)
