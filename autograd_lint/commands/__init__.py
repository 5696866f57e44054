"""The commands of the ``autograd-lint`` console script, one module each (the parser
and the dispatch are in :mod:`autograd_lint.cli`)."""
