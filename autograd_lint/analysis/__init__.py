"""libcst -> per-scope abstract interpretation -> a trace of autograd events."""

from autograd_lint.analysis.interpreter import analyze
from autograd_lint.analysis.parse import ParseFailure, mentions_autograd

__all__ = ["ParseFailure", "analyze", "mentions_autograd"]
