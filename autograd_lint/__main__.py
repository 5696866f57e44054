"""``python -m autograd_lint`` runs the same command as the ``autograd-lint`` script."""

import sys

from autograd_lint.cli import main

if __name__ == "__main__":
    sys.exit(main())
