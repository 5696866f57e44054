"""Whether a fix applies, checked on the top-level chunks it touches.

:class:`~autograd_lint.text_edits.TopLevel` finds the file's top-level statements with a
whole-file ``ast.parse`` so that a fix is compiled with only the statements around it. A
text put together from cached chunks (:mod:`autograd_lint.analysis.chunks`) already knows
them: its chunks tile the file, each holds whole top-level statements, and each compiled
alone. So a fix is applied to the chunks its edits touch, with one chunk on each side (as
``TopLevel`` takes one statement on each side), and that text is compiled; the file's
``__future__`` imports, which the first chunk holds, are put in front when that chunk is not
part of the piece. The outcome is the same as ``TopLevel``'s: what CPython's compiler
refuses is decided inside the top-level statement that holds it. An unchanged chunk gives the
same piece text as at the last lint, so :func:`~autograd_lint.text_edits.compiles` answers
from its memory and an edit costs a compile of the chunks it changed.
"""

from __future__ import annotations
import __future__

import bisect

from autograd_lint.analysis.chunks import Chunked, future_flags
from autograd_lint.diagnostics import Edit, Fix, Range
from autograd_lint.text_edits import FixError, apply_edits, compiles, fix_applies

_NAMES = [name for name in __future__.all_feature_names if name != "barry_as_FLUFL"]


class ChunkFixes:
    """The fix check of one text put together from chunks (see the module doc)."""

    def __init__(self, source: str, chunked: Chunked) -> None:
        self.source = source
        self.chunks = chunked.chunks
        self._firsts = [offset + 1 for offset in chunked.offsets]
        self._lasts = [first - 1 for first in self._firsts[1:]]
        last = self.chunks[-1]
        ends_open = not last.text.endswith(("\n", "\r"))
        self._lasts.append(chunked.offsets[-1] + last.lines + (1 if ends_open else 0))
        flags = future_flags(chunked)
        self.usable = flags is not None
        """False when the first chunk does not compile alone (the caller checks the whole
        file's way instead)."""
        self.future = "".join(
            f"from __future__ import {name}\n"
            for name in _NAMES
            if flags and getattr(__future__, name).compiler_flag & flags
        )

    def fix_applies(self, fix: Fix, path: str = "<fix>") -> bool:
        if not fix.edits:
            return fix_applies(self.source, fix, path)
        first = min(edit.range.start_line for edit in fix.edits)
        last = max(edit.range.end_line for edit in fix.edits)
        begin = max(bisect.bisect_right(self._firsts, first) - 2, 0)
        end = min(bisect.bisect_left(self._lasts, last) + 1, len(self.chunks) - 1)
        top, bottom = self._firsts[begin], self._lasts[end]
        if top > first or bottom < last:
            return fix_applies(self.source, fix, path)
        piece = "".join(chunk.text for chunk in self.chunks[begin : end + 1])
        moved = [
            Edit(
                Range(
                    e.range.start_line - top + 1,
                    e.range.start_col,
                    e.range.end_line - top + 1,
                    e.range.end_col,
                ),
                e.new_text,
            )
            for e in fix.edits
        ]
        try:
            fixed = apply_edits(piece, moved)
        except FixError:
            return False
        prefix = self.future + "\n" if self.future and begin > 0 else ""
        return compiles(prefix + fixed, path)


__all__ = ["ChunkFixes"]
