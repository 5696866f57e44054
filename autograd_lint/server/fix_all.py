"""The fix-all code action with its edit: ``check --fix`` rounds run by a worker on the
document's text (one round per cell for a notebook), sent whole or resolved later when the
client can resolve an action's edit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types

if TYPE_CHECKING:
    from autograd_lint.server.app import AutogradLintServer

from autograd_lint.server import actions
from autograd_lint.server.convert import Published


def can_resolve_edits(ls: AutogradLintServer) -> bool:
    text = ls.client_capabilities.text_document
    support = text.code_action.resolve_support if text and text.code_action else None
    return support is not None and "edit" in support.properties


async def fix_all_action(
    ls: AutogradLintServer, uri: str, published: list[Published]
) -> types.CodeAction | None:
    """The fix-all action with its edit: ``check --fix`` rounds for a file, one round per cell."""
    key = ls.key_for(uri)
    if key != uri:
        return actions.fix_all(uri, published)
    state = ls.engine.states.get(key)
    unit = ls.snapshot(key)
    if state is None or unit is None or state.settings is None:
        return None
    fixed = await ls.engine.pool.fix(unit.text, unit.path, state.settings.lint)
    if fixed == unit.text:
        return None
    edit = actions.whole_text_edit(unit.text, fixed, ls.codec())
    return types.CodeAction(
        title=actions.FIX_ALL_TITLE,
        kind=actions.FIX_ALL_KIND,
        edit=types.WorkspaceEdit(changes={uri: [edit]}),
    )
