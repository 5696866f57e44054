"""Indentation that mixes tabs and spaces, as CPython reads it.

CPython expands a tab in indentation to the next multiple of eight columns (and refuses,
with ``TabError``, indentation whose meaning would depend on the tab size). libcst compares
indentation strings as written, so a file CPython runs (``        \\tif i == 0:`` inside a
block indented by eight spaces) can be a libcst syntax error ("no matching outer block for
dedent"). For such a file the text given to libcst has the indentation of each logical
line written with spaces, expanded as CPython expands it: the same tree, the same lines;
only those lines' columns move (by the difference, recorded per line).
"""

from __future__ import annotations

import io
import re
import tokenize

from autograd_lint.quiet_parse import parse_module_quietly

_TAB_INDENT = re.compile(r"(?m)^[ ]*\t[ \t]*\S")
_SPACE_INDENT = re.compile(r"(?m)^\t*[ ][ \t]*\S")


def expand_mixed_indentation(source: str) -> tuple[str, dict[int, int]] | None:
    """``source`` with every logical line's indentation in spaces, and for each changed
    line (1-based) the characters the original has beyond the new text (negative: the new
    indentation is longer). ``None`` when no indentation mixes tabs and spaces, or when
    CPython itself does not accept the file (libcst then decides, as before)."""
    if "\t" not in source or not _TAB_INDENT.search(source) or not _SPACE_INDENT.search(source):
        return None
    try:
        parse_module_quietly(source)
    except (SyntaxError, ValueError):
        return None
    starts: dict[int, int] = {}
    try:
        at_start = True
        for token in tokenize.generate_tokens(io.StringIO(source, newline=None).readline):
            if token.type in (tokenize.NEWLINE, tokenize.ENDMARKER):
                at_start = True
            elif token.type in (tokenize.NL, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT):
                continue
            elif at_start:
                at_start = False
                line, column = token.start
                if "\t" in token.line[:column]:
                    starts[line] = column
    except (tokenize.TokenError, SyntaxError, ValueError):
        return None
    if not starts:
        return None
    lines = re.split(r"(\r\n|\r|\n)", source)
    delta: dict[int, int] = {}
    for line, column in starts.items():
        text = lines[2 * (line - 1)]
        indent = text[:column]
        if indent.strip(" \t"):
            return None  # a form feed or other whitespace: left to the other rewrites
        spaces = " " * len(indent.expandtabs(8))
        lines[2 * (line - 1)] = spaces + text[column:]
        delta[line] = len(indent) - len(spaces)
    return "".join(lines), delta
