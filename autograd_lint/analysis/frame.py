"""The interpreter's shared state: where execution is (the frame), the limits that keep
analysis bounded, and the base every concern of the interpreter builds on.
"""

from __future__ import annotations

from collections.abc import Sequence as Seq
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import libcst as cst

from autograd_lint.analysis.project import ForeignModule, Project

if TYPE_CHECKING:
    from autograd_lint.analysis.imports import ModuleExports
from autograd_lint.analysis.state import State
from autograd_lint.analysis.trace import ForeignSite, Trace
from autograd_lint.analysis.values import (
    NNModule,
    NoGradArm,
    Tensor,
    UserClass,
    UserFunction,
    Value,
)

LOOP_PASSES = 2
"""Loop bodies are interpreted at least this many times in a row..."""
MAX_LOOP_PASSES = 4
"""...and at most this many, stopping once a pass leaves the facts as the previous one did."""
MAX_STATEMENTS = 200_000
"""A budget of executed statements per file: beyond it the rest is skipped (never a hang)."""


def budget_note(part: tuple[int, int] | None = None) -> str:
    """What the command line and the editor say at the line where the budget ran out.

    ``part``: the first and last line of the segment whose analysis stopped, when the file
    was analysed in segments (each with its own budget): only the rest of those lines is
    unchecked, not the rest of the file."""
    if part is None:
        return (
            f"skipped: too complex: the analysis stopped here after {MAX_STATEMENTS:,} "
            "statements; what it had not reached is not checked"
        )
    first, last = part
    return (
        f"skipped: too complex: the analysis of lines {first}-{last} (one of the segments "
        f"this large file is analysed in, each on its own) stopped here after "
        f"{MAX_STATEMENTS:,} statements; what it had not reached of lines {first}-{last} is "
        "not checked"
    )


FOREIGN_BUDGET_FLOOR = 300
FOREIGN_LINES_PER = 8
"""Statements of imported modules' code that calls made in a file may run: one per this
many lines of the file, and at least the floor."""


class Budget(Exception):
    """Raised when a file exhausts its statement budget."""


@dataclass
class Frame:
    """What the statement being executed belongs to."""

    scope: str
    statement: cst.CSTNode
    seq: int
    loop_depth: int
    self_value: NNModule | None
    depth: int
    owner_class: UserClass | None = None
    """The class whose method is running (``super()`` resolves from it)."""
    returns: list[tuple[Value, State, int, NoGradArm | None]] | None = None
    """In a followed call: each ``return`` reached, with the state it left, its statement, and
    the arm of an ``if`` it returned from without grad, if any (``analysis/branch_facts.py``)."""
    yields: list[Value] | None = None
    """In a generator run for a loop's pass: each value its ``yield`` gave, in order."""
    active: tuple[cst.CSTNode, ...] = field(default_factory=tuple)
    """The functions being followed, outermost first (a recursive call is not followed)."""
    in_forward: bool = False
    """Inside ``forward`` of a module, or a call made from it."""
    call_seq: int = 0
    """In a followed call: the caller's statement (its arguments are bound there)."""
    foreign: ForeignModule | None = None
    """Running code of another module of the project (a call into an imported function)."""
    anchor: ForeignSite | None = None
    """Then: the call in the analysed file that led there (findings are reported on it)."""

    def moved(self, **changes: object) -> Frame:
        """A copy with ``changes`` applied: what ``dataclasses.replace`` gives, without its
        introspection, which cost a tenth of the analysis (a frame is copied per statement).
        A frame has no ``__post_init__`` and no init-only field, so copying the fields is
        all ``replace`` does."""
        copy = object.__new__(type(self))
        copy.__dict__.update(self.__dict__)
        copy.__dict__.update(changes)
        return copy


class InterpreterBase:
    """Fields shared by the interpreter's concerns, and the entry points they call each
    other through (implemented by the subclass that owns each concern)."""

    def __init__(
        self,
        module: cst.Module,
        source: str,
        project: Project | None = None,
        path: str | None = None,
        origin: ForeignModule | None = None,
    ) -> None:
        self.module = module
        self.trace = Trace(module=module, source=source)
        self.project = project
        """The project the file belongs to: its imports of project modules are followed."""
        self.path = path
        self.origin = origin
        """Set when this interpreter runs another module's top level for an importer."""
        self.base_anchor: ForeignSite | None = None
        """For another module's top level run for an importer: the import there."""
        self.seq_start = 0
        self.statement_budget = MAX_STATEMENTS
        """Statements are numbered from ``seq_start``; at most this many run."""
        self.foreign_statements = 0
        self.foreign_budget = max(FOREIGN_BUDGET_FLOOR, source.count("\n") // FOREIGN_LINES_PER)
        """Statements of other modules run by followed calls, and how many may run: past
        that, calls into other modules are no longer followed (their results are unknown),
        so following imports costs at most a bounded share of the file's own analysis."""
        self.imported: dict[str, ModuleExports | None] = {}
        """Names each project module bound at its top level, by path (``None``: being run,
        an import cycle). Shared with the interpreters that run those modules."""
        self.grad_off_memo: dict[str, bool] = {}
        """Project modules whose import may turn grad mode off (shared like ``imported``)."""
        self.resolve_memo: dict[tuple[str, str, int], tuple[str | None, tuple[str, ...]]] = {}
        """Where imports lead, by importer folder, module and level (shared likewise)."""
        self.classes: dict[str, UserClass] = {}
        self.functions: list[tuple[cst.FunctionDef, UserClass | None]] = []
        self._seq = 0
        self._frame = Frame("<module>", module, 0, 0, None, 0)
        self._grad_off_site: cst.CSTNode | None = None
        self._loops: list[tuple[cst.For | cst.While, int]] = []
        self._runs_once: set[int] = set()
        """Of the running loops (by the id in ``_loops``): those over a list known to hold
        exactly one item, whose body runs once (no iteration sees an earlier one)."""
        self._arms: list[tuple[cst.If, bool, int, int]] = []
        """The arms of ``if`` statements with unknown tests being run, innermost last: the
        statement, which arm, the uncertain depth at it, and the identity of the returns list
        of the call it is in (see ``analysis/branch_facts.py``)."""
        self._uncertain = 0
        """Inside a branch, a handler or a loop that may not run: a change made to a shared
        heap object (a layer's parameter list) would leak into the other paths."""
        self._stands_for: dict[int, list[Tensor]] = {}
        """A loop target bound to one of several like items (``for p in model.parameters()``)
        -> all of them: a change of facts made through it is made to each."""
        self._owner: cst.CSTNode = module
        """The statement whose expressions are being evaluated (positions are found through it)."""
        self._alone = False
        """A function is being analysed alone (its parameters unknown, its callers unseen):
        what it returns or leaves on the heap may be used where the analysis does not look."""

    def current_origin(self) -> ForeignModule | None:
        """The other project module whose code is running, if any (what it defines, a
        function or a lambda, belongs to it)."""
        return self._frame.foreign if self._frame.foreign is not None else self.origin

    def class_of(self, instance: NNModule) -> UserClass | None:
        """The project class of an instance (imported classes are not in ``classes``)."""
        return instance.cls if instance.cls is not None else self.classes.get(instance.kind)

    def resolve_deferred(self, value: Value, state: State) -> Value:
        """What a deferred import names (the import layer runs its module)."""
        return value

    def expr(self, node: cst.BaseExpression, state: State) -> Value:
        raise NotImplementedError

    def call(self, node: cst.Call, state: State) -> Value:
        raise NotImplementedError

    def assign(
        self, target: cst.BaseExpression, value: Value, state: State, source: cst.BaseExpression
    ) -> None:
        raise NotImplementedError

    def block(
        self, statements: Seq[cst.BaseStatement | cst.BaseSmallStatement], state: State
    ) -> State:
        raise NotImplementedError

    def follow(
        self,
        function: UserFunction,
        call: cst.Call | None,
        args: list[Value],
        state: State,
        receiver: Value | None = None,
        yields: list[Value] | None = None,
        as_forward: bool = False,
    ) -> Value | None:
        raise NotImplementedError

    def _method_value(
        self, found: tuple[cst.FunctionDef, UserClass], cls: UserClass
    ) -> UserFunction:
        raise NotImplementedError
