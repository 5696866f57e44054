# source: https://github.com/vinsis/ternary-quantization/issues/4
# expect: clean
# pitfall: look-alike for AG016: the fix from the issue, the scaling factors are created on the device as leaves (device=device), then optimized
import torch
import torch.nn as nn

device = torch.device('cuda' if torch.cuda.is_available() else 'cpu')
model = nn.Sequential(nn.Linear(4, 4), nn.Linear(4, 2)).to(device)
weights_to_be_quantized = [p for name, p in model.named_parameters() if 'weight' in name]
scaling_factors = [torch.ones(2, requires_grad=True, device=device) for _ in range(len(weights_to_be_quantized))]
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
optimizer_sf = torch.optim.Adam(scaling_factors, lr=1e-3)
