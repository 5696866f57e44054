"""Source ranges for the few nodes a file's diagnostics point at.

libcst's ``MetadataWrapper`` deep-copies the tree and resolves positions for every node;
here one code-generation pass records positions without the copy, and only for files
that have something to report.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst
from libcst.metadata.position_provider import PositionProvidingCodegenState

from autograd_lint.diagnostics import Range


@dataclass
class _Recorder:
    """Stands in for the metadata provider the codegen state writes into."""

    _computed: dict[cst.CSTNode, object] = field(default_factory=dict)


class Positions:
    """Lazily computed ranges of the nodes of one module."""

    def __init__(self, module: cst.Module) -> None:
        self._module = module
        self._computed: dict[cst.CSTNode, object] | None = None

    def range(self, node: cst.CSTNode) -> Range:
        if self._computed is None:
            recorder = _Recorder()
            state = PositionProvidingCodegenState(
                default_indent=self._module.default_indent,
                default_newline=self._module.default_newline,
                provider=recorder,  # type: ignore[arg-type]
            )
            self._module._codegen(state)
            self._computed = recorder._computed
        code_range = self._computed.get(node)
        if code_range is None:
            return Range(1, 0, 1, 0)
        start, end = code_range.start, code_range.end  # type: ignore[attr-defined]
        return Range(start.line, start.column, end.line, end.column)
