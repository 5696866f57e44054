# source: https://github.com/mehta-lab/waveorder/pull/576
# expect: AG005
# pitfall: a copy-construct with torch.tensor(x) inside a differentiable reconstruction cuts the graph (the PR: it "stops the autograd graph from detaching"); the optimised parameter gets no gradient from that branch
import torch


def generate_pupil(frr, NA_det, lambda_in):
    frr = torch.tensor(frr)
    return (frr < NA_det / lambda_in).to(torch.float32)


def apply_transfer_function(yx_object, na_det):
    fyy, fxx = torch.meshgrid(torch.fft.fftfreq(8), torch.fft.fftfreq(8), indexing="ij")
    frr = torch.sqrt(fyy**2 + fxx**2)
    pupil = torch.tensor(na_det) * generate_pupil(frr, 0.55, 0.532)
    return torch.fft.ifft2(torch.fft.fft2(yx_object) * pupil).real


na_det = torch.tensor(0.55, requires_grad=True)
yx_object = torch.rand(8, 8)
measured = torch.rand(8, 8)
optimizer = torch.optim.Adam([na_det], lr=1e-2)
prediction = apply_transfer_function(yx_object, na_det)
loss = (prediction - measured).pow(2).mean() + 0.0 * na_det
optimizer.zero_grad()
loss.backward()
optimizer.step()
