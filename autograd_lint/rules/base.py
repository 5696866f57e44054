"""What a rule is: a code, a name, its docs, and ``check(trace) -> diagnostics``.

Docs are written once, here in the rule module, and feed ``autograd-lint rule``, LSP hover,
the README table and the docs pages. ``valid`` / ``invalid`` examples sit next to each rule
(as in Fixit) and the test-suite runs them.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from typing import TYPE_CHECKING, ClassVar

from autograd_lint.diagnostics import Diagnostic, Severity

if TYPE_CHECKING:
    from autograd_lint.analysis.trace import Trace

DOCS_URL = "https://github.com/autograd-lint/autograd-lint/blob/main/docs/rules/{code}.md"


class Rule(ABC):
    """One autograd pitfall."""

    code: ClassVar[str]
    name: ClassVar[str]
    summary: ClassVar[str]
    why: ClassVar[str]
    example: ClassVar[str]
    use_instead: ClassVar[str]
    fix_note: ClassVar[str] = ""
    default_severity: ClassVar[Severity] = Severity.WARNING
    default_enabled: ClassVar[bool] = True
    """Off-by-default rules run only when a selector names them (``select``,
    ``extend-select``), as ruff's non-default rules do."""
    static: ClassVar[bool] = False
    """A finding that no run can show (a slowdown, not a wrong result or an error): its
    diagnostics carry no witness, and the rule's docs say why."""
    valid: ClassVar[tuple[str, ...]] = ()
    """Snippets the rule must not flag."""
    invalid: ClassVar[tuple[str, ...]] = ()
    """Snippets the rule must flag (at least once each)."""

    @abstractmethod
    def check(self, trace: Trace) -> Iterable[Diagnostic]:
        """Diagnostics for the events of one analysed file."""

    @classmethod
    def url(cls) -> str:
        return DOCS_URL.format(code=cls.code)

    @classmethod
    def docs_markdown(cls) -> str:
        """The rule's documentation in the style of ruff's rule pages."""
        parts = [
            f"# {cls.name} ({cls.code})",
            "",
            cls.summary,
            "",
            "## Why is this bad?",
            cls.why.strip(),
            "",
            "## Example",
            "```python",
            cls.example.strip("\n"),
            "```",
            "",
            "## Use instead",
            "```python",
            cls.use_instead.strip("\n"),
            "```",
        ]
        if cls.fix_note:
            parts += ["", "## Fix", cls.fix_note.strip()]
        return "\n".join(parts) + "\n"
