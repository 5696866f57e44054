"""Documents too large to parse whole take the command line's bounded path in the server.

The chunk cache keeps every top-level statement's libcst tree between lints, which for a
document of several megabytes is gigabytes (a tree is some five hundred times its text).
A document over :data:`~autograd_lint.analysis.segments.SEGMENT_THRESHOLD` characters is
therefore linted as ``check`` lints such a file: segment by segment, statements that no
finding can rest on left unparsed, nothing kept afterwards
(:mod:`autograd_lint.lint_segments`). Its hover and inlay-hint facts, which need the
whole module's analysis, are not offered.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from autograd_lint.analysis import segments

if TYPE_CHECKING:
    from autograd_lint.analysis.chunks import ChunkCache


def too_large(text: str) -> bool:
    """Whether ``text`` is linted in segments rather than through the chunk cache."""
    return len(text) > segments.SEGMENT_THRESHOLD


def chunks_for(text: str, owner: str, cache: ChunkCache) -> ChunkCache | None:
    """The cache to lint ``owner``'s ``text`` with: None when it is too large, and then
    what the cache held for the document's earlier, smaller texts is released."""
    if not too_large(text):
        return cache
    release = getattr(cache, "release", None)
    if release is not None:
        release(owner)
    return None
