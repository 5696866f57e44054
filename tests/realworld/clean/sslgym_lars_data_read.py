# source: https://github.com/sailfish009/sslgym/blob/HEAD/tests/pytorch/test_optimizers.py
# expect: clean
# pitfall: look-alike: .data is only read (params.data.sum().item()) before and after an optimizer step
import torch


def test_lars() -> None:
    """Test LARS."""
    params = torch.nn.Parameter(torch.rand(10, 10))
    constant = torch.rand(10, 10)

    original = params.data.sum().item()

    adamw = torch.optim.SGD([params], lr=0.1)

    out = constant * params
    loss = out.sum()
    loss.backward()
    adamw.step()

    modified = params.data.sum().item()

    assert original != modified


test_lars()
