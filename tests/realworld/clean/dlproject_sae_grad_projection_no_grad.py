# source: https://github.com/V-G-spec/DLProject-MLP/blob/main/src/dictionary_learning/train_autoencoder_for_mlp.py
# expect: clean
# pitfall: none: the decoder gradient is edited under @torch.no_grad() between backward and step, the logged loss is .item(), evaluation runs under no_grad
# The h5py activations, checkpointing and plotting are stubbed; sizes are made small.
import torch
import torch.nn as nn
import torch.optim as optim
from torch.utils.data import TensorDataset, DataLoader
import torch.nn.functional as F

cfg = {
    "seed": 49,
    "buffer_mult": 384,
    "l1_coeff": 3e-4,
    "dict_mult": 3, #expansion factor of the latent representation
    "d_activation": 16,
    "enc_dtype":"fp32",
}

DTYPES = {"fp32": torch.float32, "fp16": torch.float16, "bf16": torch.bfloat16}
class SparseAutoencoder(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        d_hidden = cfg["d_activation"] * cfg["dict_mult"]
        d_mlp = cfg["d_activation"]
        l1_coeff = cfg["l1_coeff"]
        dtype = DTYPES[cfg["enc_dtype"]]
        torch.manual_seed(cfg["seed"])
        self.W_enc = nn.Parameter(torch.nn.init.kaiming_uniform_(torch.empty(d_mlp, d_hidden, dtype=dtype)))
        self.W_dec = nn.Parameter(torch.nn.init.kaiming_uniform_(torch.empty(d_hidden, d_mlp, dtype=dtype)))
        self.b_enc = nn.Parameter(torch.zeros(d_hidden, dtype=dtype))
        self.b_dec = nn.Parameter(torch.zeros(d_mlp, dtype=dtype))

        self.W_dec.data[:] = self.W_dec / self.W_dec.norm(dim=-1, keepdim=True)

        self.d_hidden = d_hidden
        self.l1_coeff = l1_coeff

    def forward(self, x):
        x_cent = x - self.b_dec
        acts = F.relu(x_cent @ self.W_enc + self.b_enc)
        x_reconstruct = acts @ self.W_dec + self.b_dec
        l2_loss = (x_reconstruct.float() - x.float()).pow(2).sum(-1).mean(0)
        l1_loss = self.l1_coeff * (acts.float().abs().sum())
        loss = l2_loss + l1_loss
        return loss, x_reconstruct, acts, l2_loss, l1_loss

    @torch.no_grad()
    def remove_parallel_component_of_grads(self):
        W_dec_normed = self.W_dec / self.W_dec.norm(dim=-1, keepdim=True)
        W_dec_grad_proj = (self.W_dec.grad * W_dec_normed).sum(-1, keepdim=True) * W_dec_normed
        self.W_dec.grad -= W_dec_grad_proj

def main():
    sparse_autoencoder = SparseAutoencoder(cfg)

    activations_tensor = torch.randn(64, cfg["d_activation"])

    # Define a DataLoader
    batch_size = 32
    dataset = TensorDataset(activations_tensor)
    dataloader = DataLoader(dataset, batch_size=batch_size, shuffle=True)

    # Define an optimizer
    optimizer = optim.Adam(sparse_autoencoder.parameters())

    # Learning rate scheduling
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=10, gamma=0.5)

    # Number of epochs to train for
    epochs = 2

    for epoch in range(epochs):
        total_loss = 0.0
        for batch_data in dataloader:
            optimizer.zero_grad()

            loss, _, _, _, _ = sparse_autoencoder(batch_data[0])      

            # Backward pass and optimize
            loss.backward()
            sparse_autoencoder.remove_parallel_component_of_grads() # not 100% sure what this does
            optimizer.step()

            total_loss += loss.item()
            

        # Learning rate scheduling step
        scheduler.step()

        average_loss = total_loss / len(dataloader)
        print(f'Epoch {epoch+1}/{epochs}, Average Loss: {average_loss:.4f}, Learning Rate: {optimizer.param_groups[0]["lr"]:.6f}')
    
    # evaulate the model
    with torch.no_grad():
        loss, decoded, encoded, _, _ = sparse_autoencoder(activations_tensor)
        mse = F.mse_loss(activations_tensor, decoded, reduction='mean')
        print(f'Mean Squared Error: {mse.item()}')

    feature_densities = (encoded != 0).float().mean(dim=0)
    print(feature_densities.numpy()[:4])


if __name__ == "__main__":
    main()
