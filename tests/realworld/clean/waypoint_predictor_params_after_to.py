# source: https://github.com/wz0919/waypoint-predictor/blob/main/waypoint_predictor.py
# expect: clean
# pitfall: look-alike for AG016: the module is moved with .to(device) first, then the optimizer is built from list(predictor.parameters())
import torch
import torch.nn as nn

device = torch.device('cuda' if torch.cuda.is_available() else 'cpu')
predictor = nn.Linear(768, 12).to(device)
params = list(predictor.parameters())
optimizer = torch.optim.AdamW(params, lr=1e-4)
