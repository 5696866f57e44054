# source: https://github.com/wz0919/waypoint-predictor/issues/4
# expect: AG015
# pitfall: the training loop of predict_waypoints calls total_loss.backward() and optimizer.step() per batch and never optimizer.zero_grad()
import torch
import torch.nn as nn

predictor = nn.Linear(16, 12)
criterion_mse = torch.nn.MSELoss(reduction='none')
params = list(predictor.parameters())
optimizer = torch.optim.AdamW(params, lr=1e-4)
trainloader = [{'rgb': torch.randn(2, 16), 'target': torch.rand(2, 12)} for _ in range(3)]
EPOCH = 2
ANGLES = 24

for epoch in range(EPOCH):  # loop over the dataset multiple times
    sum_loss = 0.0
    predictor.train()

    for i, data in enumerate(trainloader):
        rgb_feats = data['rgb']
        target = data['target']

        vis_logits = predictor(rgb_feats)
        loss_vis = criterion_mse(vis_logits, target)
        total_loss = loss_vis.sum() / vis_logits.size(0) / ANGLES

        total_loss.backward()
        optimizer.step()
        sum_loss += total_loss.item()
    print('Train Loss: %.5f' % (sum_loss/(i+1)))
