"""The data every face of autograd-lint exchanges: diagnostics, fixes, witnesses, verdicts.

Plain frozen dataclasses so that results cross process boundaries (parallel checking,
the replay sandbox) by pickling or JSON without any custom code.

Coordinates follow libcst: lines are 1-based, columns are 0-based code-point offsets.
Formatters convert (flake8 prints 1-based columns, LSP wants 0-based lines).
"""

from __future__ import annotations

import bisect
import enum
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Literal


class Severity(str, enum.Enum):
    """How loudly a finding is reported. ``PREVIEW`` findings rest on partial facts."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"
    PREVIEW = "preview"


@dataclass(frozen=True, order=True)
class Range:
    """A span of source text: lines 1-based, columns 0-based, end exclusive."""

    start_line: int
    start_col: int
    end_line: int
    end_col: int


@dataclass(frozen=True)
class RelatedLocation:
    """Another place that explains a finding ("saved for backward here"): in the same file,
    or (``path``) in another module of the project that a call led into."""

    range: Range
    message: str
    path: str | None = None


@dataclass(frozen=True)
class Edit:
    """Replace the text in ``range`` by ``new_text``."""

    range: Range
    new_text: str


@dataclass(frozen=True)
class Fix:
    """A set of edits that resolves a finding.

    ``safe`` fixes are applied by ``check --fix``; unsafe ones are only offered (the editor's
    quick fix, ``--diff --unsafe-fixes``) because they can change behaviour. ``display_only``
    fixes are suggestions whose correctness depends on facts the analysis does not know (as
    ruff's display-only fixes): shown to the user, never applied by any fix-all.
    """

    title: str
    edits: tuple[Edit, ...]
    safe: bool = True
    display_only: bool = False

    @property
    def applicability(self) -> str:
        """ruff's word for how a fix may be applied: safe, unsafe or display-only."""
        if self.display_only:
            return "display-only"
        return "safe" if self.safe else "unsafe"


ExpectationKind = Literal["raises", "warns", "differs", "equals"]


@dataclass(frozen=True)
class Expectation:
    """What replaying a witness must show for the finding to count as confirmed.

    - ``raises``: the script raises ``exception`` whose message starts with ``message``.
    - ``warns``: the script emits a warning whose message starts with ``message``.
    - ``differs``: ``observe`` (an expression) evaluates differently after ``script`` than
      after ``control_script`` — a silent bug such as a wrong gradient.
    - ``equals``: ``observe`` evaluated after ``script`` has ``repr`` equal to ``value``
      (e.g. ``out.grad_fn.name()`` == ``'CloneBackward0'``).
    """

    kind: ExpectationKind
    exception: str | None = None
    message: str | None = None
    observe: str | None = None
    control_script: str | None = None
    value: str | None = None


@dataclass(frozen=True)
class Witness:
    """A short, self-contained script that reproduces a finding under torch or the mini engine."""

    script: str
    expectation: Expectation
    description: str = ""
    latent: str = ""
    """Where the program as written surely stops before the finding's statement runs (the
    finding is true but not reached yet): its replay is then reported as that, not as a
    confirmation of what the program does."""


ConfirmationStatus = Literal["confirmed", "not_reproduced", "not_replayable"]


@dataclass(frozen=True)
class Confirmation:
    """The verdict of replaying a witness on one backend."""

    status: ConfirmationStatus
    backend: str
    device: str = "cpu"
    evidence: str = ""

    def to_dict(self) -> dict[str, str]:
        return {k: str(v) for k, v in asdict(self).items()}


@dataclass(frozen=True)
class Diagnostic:
    """One finding in one file."""

    code: str
    message: str
    range: Range
    severity: Severity
    related: tuple[RelatedLocation, ...] = ()
    fix: Fix | None = None
    witness: Witness | None = None
    confirmation: Confirmation | None = None
    extra_fixes: tuple[Fix, ...] = field(default=())

    @property
    def line(self) -> int:
        return self.range.start_line

    @property
    def column(self) -> int:
        return self.range.start_col

    def with_(self, **changes: Any) -> Diagnostic:
        return replace(self, **changes)

    @property
    def fixes(self) -> tuple[Fix, ...]:
        """All fixes on offer, the primary one first."""
        return ((self.fix,) if self.fix else ()) + self.extra_fixes

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["severity"] = self.severity.value
        return data


SYNTAX_ERROR_CODE = "E999"
IO_ERROR_CODE = "E902"
INTERNAL_ERROR_CODE = "E001"
"""A phase of the check (analysis, one rule, fixing, ...) failed on this file."""


@dataclass(frozen=True)
class CellMap:
    """For a notebook: which program lines belong to which cell (ranges stay program-wide).

    Diagnostics of a notebook keep program coordinates (fixes apply to the program); the
    formats translate them to ``cell N, line L`` with :meth:`locate`.
    """

    cell_numbers: tuple[int, ...]
    """1-based position of each code cell among all the notebook's cells, as Jupyter counts."""
    first_lines: tuple[int, ...]
    """1-based program line where each code cell starts."""

    def locate(self, line: int) -> tuple[int, int]:
        """1-based program line -> (cell number, 1-based line within that cell)."""
        index = max(bisect.bisect_right(self.first_lines, line) - 1, 0)
        return self.cell_numbers[index], line - self.first_lines[index] + 1


@dataclass(frozen=True)
class FileResult:
    """Everything found in one file; ``source`` is kept so fixes and noqa edits can be made."""

    path: str
    diagnostics: tuple[Diagnostic, ...]
    source: str | None = None
    skipped: bool = False
    cells: CellMap | None = None
    """Set for notebooks: how to report program lines as cell lines."""
    internal_errors: tuple[tuple[str, str], ...] = ()
    """(what failed, traceback) of each internal error reported as E001: the command line
    prints the first on stderr, the second with ``--verbose``."""
    stopped_at_line: int | None = None
    """Set when the analysis ran out of its statement budget (a file too complex to follow
    in full): the line it stopped at; what it had not reached was not checked."""
    stopped_in_lines: tuple[int, int] | None = None
    """Set with :attr:`stopped_at_line` when the file was analysed in segments: the first and
    last line of the segment whose analysis stopped (only those lines were left unchecked)."""
    segments: int = 0
    """Set when the file was too large to analyse as one module: how many segments it was
    analysed in (:mod:`autograd_lint.analysis.segments`)."""
    dependencies: tuple[tuple[str, str], ...] = ()
    """(absolute path, SHA-256 of its text) of each project module the analysis followed
    imports into: the result holds while those are unchanged."""
