"""autograd-lint: find PyTorch autograd pitfalls before they cost a training run."""

__version__ = "0.1.0"
