# source: https://github.com/sktime/pytorch-forecasting/blob/main/pytorch_forecasting/models/tide/_tide.py
# TiDEModel.forward's tail as the file has it; feature extraction, target scaling and the
# network-output container are stubbed.
import torch
import torch.nn as nn

from sub_modules import _TideModule


class TiDEModel(nn.Module):
    def __init__(self, output_dim, input_chunk_length, output_chunk_length):
        super().__init__()
        self.output_dim = output_dim
        self.decoder_covariate_size = 0
        self.static_size = 0
        self.model = _TideModule(output_dim, input_chunk_length, output_chunk_length)

    def transform_output(self, prediction, target_scale):
        return prediction

    def to_network_output(self, prediction):
        return {"prediction": prediction}

    def forward(self, x):
        input_vector = x["encoder_cont"]
        decoder_x_t = None
        x_s = None

        x_in = (input_vector, decoder_x_t, x_s)
        prediction = self.model(x_in)

        if self.output_dim > 1:  # for multivariate targets
            # adjust prefictions dimensions according
            # to format required for consequent processes
            # from (batch size, seq len, output_dim) to
            # (output_dim, batch size, seq len)
            prediction = prediction.permute(2, 0, 1)
            prediction = [i.clone().detach().requires_grad_(True) for i in prediction]

        # rescale predictions into target space
        prediction = self.transform_output(prediction, target_scale=x["target_scale"])
        # transform output to format processed by other functions
        return self.to_network_output(prediction=prediction)
