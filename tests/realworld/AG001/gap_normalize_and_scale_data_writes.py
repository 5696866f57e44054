# source: https://github.com/OmidPoursaeed/Generative_Adversarial_Perturbations/issues/4
# expect: AG001
# pitfall: normalize_and_scale rescales the generator's output through .data (delta_im.data += 1, *= 0.5, per-channel writes) and train() clamps recons.data: the graph backpropagates through values it never computed
# GAP_clf.py's train() and normalize_and_scale() as the file has them; the generator, the
# pretrained classifier, the data loader and the options are stubbed, `.cuda(...)` calls are
# dropped and torch 0.3's `loss.data[0]` is written `.item()`.
from types import SimpleNamespace

import numpy as np
import torch
import torch.nn as nn
import torch.optim as optim
from torch.autograd import Variable

opt = SimpleNamespace(foolmodel='vgg16', batchSize=2, testBatchSize=2, perturbation_type='universal', target=-1, optimizer='adam', lr=0.0002)
mean_arr = [0.485, 0.456, 0.406]
stddev_arr = [0.229, 0.224, 0.225]
mag_in = 10.0
MaxIter = 2
itr_accum = 0
center_crop = 8

netG = nn.Sequential(nn.Conv2d(3, 3, 3, padding=1), nn.Tanh())
pretrained_clf = nn.Sequential(nn.Flatten(), nn.Linear(3 * center_crop * center_crop, 10), nn.Softmax(dim=1))
for p in pretrained_clf.parameters():
    p.requires_grad = False
criterion_pre = nn.CrossEntropyLoss()
optimizerG = optim.Adam(netG.parameters(), lr=opt.lr, betas=(0.5, 0.999))
training_data_loader = [(torch.rand(opt.batchSize, 3, center_crop, center_crop), None) for _ in range(2)]
noise_tr = Variable(torch.rand(opt.batchSize, 3, center_crop, center_crop))
train_loss_history = []


def train(epoch):
    netG.train()
    global itr_accum
    global optimizerG

    for itr, (image, _) in enumerate(training_data_loader, 1):
        if itr > MaxIter:
            break

        if opt.target == -1:
            # least likely class in nontargeted case
            pretrained_label_float = pretrained_clf(Variable(image))
            _, target_label = torch.min(pretrained_label_float, 1)

        itr_accum += 1

        image = Variable(image)

        ## generate per image perturbation from fixed noise
        if opt.perturbation_type == 'universal':
            delta_im = netG(noise_tr)
        else:
            delta_im = netG(image)

        delta_im = normalize_and_scale(delta_im, 'train')

        netG.zero_grad()

        recons = torch.add(image, delta_im)

        # do clamping per channel
        for cii in range(3):
            recons.data[:,cii,:,:] = recons.data[:,cii,:,:].clamp(image.data[:,cii,:,:].min(), image.data[:,cii,:,:].max()) 

        output_pretrained = pretrained_clf(recons)

        # attempt to get closer to least likely class, or target
        loss = torch.log(criterion_pre(output_pretrained, target_label))

        loss.backward()
        optimizerG.step()

        train_loss_history.append(loss.item())


def normalize_and_scale(delta_im, mode='train'):
    if opt.foolmodel == 'incv3':
        delta_im = nn.ConstantPad2d((0,-1,-1,0),0)(delta_im) # crop slightly to match inception

    delta_im.data += 1 # now 0..2
    delta_im.data *= 0.5 # now 0..1

    # normalize image color channels
    for c in range(3):
        delta_im.data[:,c,:,:] = (delta_im.data[:,c,:,:] - mean_arr[c]) / stddev_arr[c]

    # threshold each channel of each image in deltaIm according to inf norm
    # do on a per image basis as the inf norm of each image could be different
    bs = opt.batchSize if (mode == 'train') else opt.testBatchSize
    for i in range(bs):
        # do per channel l_inf normalization
        for ci in range(3):
            l_inf_channel = delta_im[i,ci,:,:].data.abs().max()
            mag_in_scaled_c = mag_in/(255.0*stddev_arr[ci])
            delta_im[i,ci,:,:].data *= np.minimum(1.0, mag_in_scaled_c / l_inf_channel)

    return delta_im


train(1)
