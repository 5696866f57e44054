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


def foreign_imports(module: cst.Module) -> frozenset[str]:
    """The names the file's top-level imports bind to anything but torch (``math``, ``np``,
    ``from tsan import MCAB``): a module or a project object, for which a tensor stand-in
    would be a script that fails for a reason of its own."""
    found: set[str] = set()
    for statement in module.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if isinstance(small, cst.Import):
                for alias in small.names:
                    name = dotted(alias.name) or ""
                    if name.split(".")[0] != "torch":
                        found.add(_bound(alias) or name.split(".")[0])
            elif isinstance(small, cst.ImportFrom) and not isinstance(small.names, cst.ImportStar):
                module_name = dotted(small.module) if small.module is not None else ""
                if small.relative or (module_name or "").split(".")[0] != "torch":
                    found.update(_bound(alias) or dotted(alias.name) or "" for alias in small.names)
    return frozenset(found - {""})


def _bound(alias: cst.ImportAlias) -> str | None:
    """The ``as`` name of an import, if it has one."""
    if alias.asname is None or not isinstance(alias.asname.name, cst.Name):
        return None
    return alias.asname.name.value
