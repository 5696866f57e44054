"""Implementations of the ``torch.nn.functional`` layers (convolution, pooling, normalisation,
activations beyond the core math).

They live outside ``engine.nn`` because ``engine.nn`` is built from the bound registry
(``methods.bind``), which needs these implementations first.
"""
