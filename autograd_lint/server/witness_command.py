"""Arguments of the ``autograd-lint.showWitness`` command: which published diagnostic of
which document it asks for, by index or by range and code, with an LSP error for anything
else.
"""

from __future__ import annotations

from typing import Any

from pygls.exceptions import JsonRpcInvalidParams

from autograd_lint.server.convert import Published, range_from_data


def witness_arguments(args: tuple[Any, ...]) -> tuple[str, Any]:
    """``(uri, index)``, ``(uri, {"range": ..., "code": ...})`` or ``({"uri":..., ...},)``."""
    if len(args) == 1 and isinstance(args[0], dict) and isinstance(args[0].get("uri"), str):
        return args[0]["uri"], args[0]
    if len(args) == 2 and isinstance(args[0], str):
        return args[0], args[1]
    raise JsonRpcInvalidParams.of(
        ValueError("expected (uri, diagnostic index) or (uri, {range, code})")
    )


def select_published(published: list[Published], selector: Any) -> Published:
    if isinstance(selector, dict) and "index" in selector:
        selector = selector["index"]
    if isinstance(selector, int) and not isinstance(selector, bool):
        if 0 <= selector < len(published):
            return published[selector]
        raise JsonRpcInvalidParams.of(IndexError(f"no diagnostic {selector}"))
    if isinstance(selector, dict):
        rng = range_from_data(selector.get("range"))
        code = selector.get("code")
        for item in published:
            if (rng is None or item.lsp.range == rng) and (
                code is None or item.finding.code == code
            ):
                return item
    raise JsonRpcInvalidParams.of(ValueError(f"no diagnostic matches {selector!r}"))
