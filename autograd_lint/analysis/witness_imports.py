"""Witnesses: the file's torch imports, as a witness may hold them.

A witness runs in a sandbox that provides only some of torch; an import of anything else
would have the whole witness refused, so each import keeps only what the sandbox has.
"""

from __future__ import annotations

import libcst as cst

from autograd_lint.analysis.names import dotted


def _torch_import(node: cst.Import | cst.ImportFrom, empty: cst.Module) -> str | None:
    code = empty.code_for_node(node).strip()
    return code if code.split()[1].split(".")[0] == "torch" else None


def replayable_import(node: cst.Import | cst.ImportFrom, empty: cst.Module) -> str | None:
    """The file's torch import as a witness may hold it: only the modules and names the
    sandbox provides (``from torch import pi, nn``: ``nn``; ``from torch.amp import
    autocast``: nothing). A name dropped is one the slice gets a stand-in for, if it uses
    it; keeping it would have the whole witness refused."""
    try:  # the sandbox's vocabulary (the linter works without the runtime check installed)
        from autograd_lint.runtime_check.validate import ALLOWED_ATTRIBUTES, ALLOWED_MODULES
    except ImportError:
        return _torch_import(node, empty)
    if isinstance(node, cst.Import):
        names = [
            alias
            for alias in node.names
            if (dotted(alias.name) or "").split(".")[0] == "torch"
            and (dotted(alias.name) or "") in ALLOWED_MODULES
        ]
        if not names:
            return None
        kept: cst.Import | cst.ImportFrom = node.with_changes(
            names=[a.with_changes(comma=cst.MaybeSentinel.DEFAULT) for a in names]
        )
        return empty.code_for_node(kept).strip()
    module = dotted(node.module) if node.module is not None else ""
    if node.relative or not module or module.split(".")[0] != "torch":
        return None
    if module not in ALLOWED_MODULES or isinstance(node.names, cst.ImportStar):
        return None
    allowed = [
        alias
        for alias in node.names
        if f"{module}.{dotted(alias.name)}" in ALLOWED_MODULES
        or (dotted(alias.name) or "") in ALLOWED_ATTRIBUTES
    ]
    if not allowed:
        return None
    kept = node.with_changes(
        names=[a.with_changes(comma=cst.MaybeSentinel.DEFAULT) for a in allowed],
        lpar=None,
        rpar=None,
    )
    return empty.code_for_node(kept).strip()
