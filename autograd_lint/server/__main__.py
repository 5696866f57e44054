"""``python -m autograd_lint.server``: run the language server over stdio."""

from autograd_lint.server import main

raise SystemExit(main())
