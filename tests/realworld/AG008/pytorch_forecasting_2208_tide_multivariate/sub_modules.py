# source: https://github.com/sktime/pytorch-forecasting/blob/main/pytorch_forecasting/models/tide/sub_modules.py
# The dense encoder/decoder of _TideModule is stubbed by one linear map of the lagged target.
import torch
import torch.nn as nn


class _TideModule(nn.Module):
    def __init__(self, output_dim, input_chunk_length, output_chunk_length):
        super().__init__()
        self.output_dim = output_dim
        self.output_chunk_length = output_chunk_length
        self.lin = nn.Linear(input_chunk_length * output_dim, output_chunk_length * output_dim)

    def forward(self, x_in):
        x, x_future_covariates, x_static_covariates = x_in
        y = self.lin(x.reshape(x.shape[0], -1))
        return y.view(x.shape[0], self.output_chunk_length, self.output_dim)
