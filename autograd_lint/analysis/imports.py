"""Imports: of torch's family (names of its API) and of the project's own modules.

An import of a project module (:mod:`autograd_lint.analysis.project`) runs that module's top
level once per analysis, on an interpreter of its own, and binds what it defined: classes,
functions, constants, module objects and what its top level built. Calls of those are then
followed as calls of the file's own code are; the statements they run are placed, for
diagnostics, at the call in the analysed file that led there (:class:`ForeignSite`). A
module's top-level effects on grad mode (``torch.set_grad_enabled(False)`` run at import)
hold for its importer after the import.

Unresolved imports keep their old meaning: a dotted name (``ModuleRef``) that the torch API
layer understands, or, for a relative import outside the project, an unknown value.
"""

from __future__ import annotations

import contextlib
import itertools
import os
from dataclasses import dataclass

import libcst as cst

from autograd_lint.analysis.expressions import STAR_KEY, STAR_MODULES
from autograd_lint.analysis.frame import Budget
from autograd_lint.analysis.names import dotted
from autograd_lint.analysis.project import ABSENT, ForeignModule, Project
from autograd_lint.analysis.project_calls import ProjectCalls
from autograd_lint.analysis.state import State
from autograd_lint.analysis.trace import ForeignSite
from autograd_lint.analysis.values import (
    DeferredImport,
    ModuleRef,
    NNModule,
    Optimizer,
    PlainValue,
    ProjectModule,
    Sequence,
    Tensor,
    Unknown,
    UserClass,
    UserFunction,
    Value,
)

SEQ_SPACING = 1_000_000_000
"""Statement numbers of each imported module's run start at a multiple of this, apart from
the importer's own (a value's provenance names statements of the file it was made in)."""
_module_runs = itertools.count(1)

MAX_IMPORT_DEPTH = 3
"""Modules imported by imported modules are followed this many levels deep."""
MAX_IMPORTED_MODULES = 24
"""At most this many project modules are run for one analysis (the rest stay unknown)."""
IMPORT_STATEMENTS = 40_000
"""The statement budget of one imported module's top level (its classes' ``__init__``
included)."""
MAX_GRAD_OFF_CHAIN = 64
"""Imports followed in a row when looking for a module whose import turns grad mode off."""


@dataclass(eq=False)
class ModuleExports:
    """What running a project module's top level left: its names and heap, its grad mode."""

    foreign: ForeignModule
    names: dict[str, Value]
    heap: dict[str, Value]
    grad_enabled: bool | None


class ProjectImports(ProjectCalls):
    """Binds imported names; runs the project's imported modules."""

    import_depth = 0

    def import_statement(self, node: cst.Import | cst.ImportFrom, state: State) -> None:
        if isinstance(node, cst.Import):
            for alias in node.names:
                self._import_name(node, alias, state)
        else:
            self._import_from(node, state)

    def resolve_deferred(self, value: Value, state: State) -> Value:
        if not isinstance(value, DeferredImport):
            return value
        if value.name is None:
            module = self._project_module(
                value.site, value.module, value.level, state, value.importer
            )
            return module if module is not None else Unknown()
        exports = self._exports(value.site, value.module, value.level, state, value.importer)
        if exports is None:
            return Unknown()
        self._enter(exports, state, value.site)
        found = exports.names.get(value.name)
        if found is None:
            prefix = f"{value.module}.{value.name}" if value.module else value.name
            found = self._project_module(value.site, prefix, value.level, state, value.importer)
        if isinstance(found, DeferredImport) and found is not value:
            return self.resolve_deferred(found, state)
        return found if found is not None and found is not value else Unknown()

    def _deferring(self) -> bool:
        """Imports made by an imported module run when their names are used, not before."""
        return self.import_depth > 0

    def _import_name(self, node: cst.Import, alias: cst.ImportAlias, state: State) -> None:
        full = dotted(alias.name) or ""
        asname = alias.asname.name.value if _named(alias.asname) else None  # type: ignore[union-attr]
        head = full.split(".")[0]
        target = full if asname else head
        if self._deferring() and self._resolves(target, 0) and not self._turns_grad_off(target, 0):
            state.env[asname or head] = DeferredImport(self.path or "", target, 0, None, node)
            return
        bound = self._project_module(node, target, 0, state, at_import=True)
        if bound is not None:
            state.env[asname or head] = bound
            return
        if asname is not None:
            state.env[asname] = ModuleRef(full)
        else:
            state.env[head] = ModuleRef(head)

    def _import_from(self, node: cst.ImportFrom, state: State) -> None:
        base = dotted(node.module) if node.module is not None else ""
        level = len(node.relative)
        names = node.names
        deferred = self._deferring() and not isinstance(names, cst.ImportStar)
        if (
            deferred
            and self._resolves(base or "", level)
            and not self._turns_grad_off(base or "", level)
        ):
            for alias in names:  # type: ignore[union-attr]
                state.env[_local_name(alias)] = DeferredImport(
                    self.path or "", base or "", level, dotted(alias.name) or "", node
                )
            return
        exports = self._exports(node, base or "", level, state)
        if exports is None:
            if isinstance(node.names, cst.ImportStar) and not level and base in STAR_MODULES:
                state.env[STAR_KEY + base] = ModuleRef(base)
                return
            if level or isinstance(node.names, cst.ImportStar):
                if not isinstance(node.names, cst.ImportStar):
                    for alias in node.names:
                        state.env[_local_name(alias)] = Unknown()
                return
            for alias in node.names:
                state.env[_local_name(alias)] = ModuleRef(f"{base}.{dotted(alias.name) or ''}")
            return
        self._enter(exports, state, node, at_import=True)
        if isinstance(node.names, cst.ImportStar):
            for name, value in exports.names.items():
                if not name.startswith("_"):
                    state.env[name] = value
            return
        for alias in node.names:
            name = dotted(alias.name) or ""
            found: Value | None = exports.names.get(name)
            if found is None:
                prefix = f"{base}.{name}" if base else name
                found = self._project_module(node, prefix, level, state)
            state.env[_local_name(alias)] = found if found is not None else Unknown()

    def _enter(
        self, exports: ModuleExports, state: State, site: cst.CSTNode, at_import: bool = False
    ) -> None:
        """What importing a module does to the importer: its objects' attributes become
        known, and a grad mode its top level turned off stays off (from the import on, in
        the checked file or in an imported module's top level run at its import)."""
        for key, value in exports.heap.items():
            state.env.setdefault(key, value)
        if exports.grad_enabled is False and (at_import or not self._deferring()):
            if at_import and state.grad_enabled is not False:
                self._grad_off_site = site
            state.grad_enabled = False

    def _turns_grad_off(self, module: str, level: int) -> bool:
        """Whether importing ``module`` may run ``set_grad_enabled`` at its top level, or
        a module it imports may: such an import in an imported module is run at once, not
        when its names are used, so that grad mode reaches the importers."""
        if self.project is None or self.path is None:
            return False
        found = self._resolve(self.path, module, level)
        return found is not None and self._reaches_grad_off(found, 0)

    def _resolve(
        self, importer: str, module: str, level: int, tried: list[str] | None = None
    ) -> str | None:
        """:meth:`Project.resolve`, asked once per folder, module and level in a lint."""
        assert self.project is not None
        key = (os.path.dirname(importer), module, level)
        known = self.resolve_memo.get(key)
        if known is None:
            looked: list[str] = []
            known = self.resolve_memo[key] = (
                self.project.resolve(importer, module, level, looked),
                tuple(looked),
            )
        if tried is not None:
            tried.extend(known[1])
        return known[0]

    def _reaches_grad_off(self, path: str, depth: int) -> bool:
        memo = self.grad_off_memo
        if path in memo:
            return memo[path]
        if depth > MAX_GRAD_OFF_CHAIN or self.project is None:
            return False
        memo[path] = False  # an import cycle
        scan = self.project.import_scan(path)
        found = scan is not None and (
            scan[0] or any(self._reaches_grad_off(other, depth + 1) for other in scan[1])
        )
        memo[path] = found
        return found

    def _resolves(self, module: str, level: int) -> bool:
        return (
            self.project is not None
            and self.path is not None
            and self._resolve(self.path, module, level) is not None
        )

    def _project_module(
        self,
        node: cst.CSTNode,
        module: str,
        level: int,
        state: State,
        importer: str | None = None,
        at_import: bool = False,
    ) -> ProjectModule | None:
        """``pkg.sub`` as a value, when it is a module of the project."""
        exports = self._exports(node, module, level, state, importer)
        if exports is None:
            return None
        self._enter(exports, state, node, at_import)

        def submodule(name: str) -> Value | None:
            inner = f"{module}.{name}" if module else name
            return self._project_module(node, inner, level, state, importer)

        return ProjectModule(exports.foreign, exports.names, submodule)

    def _exports(
        self,
        node: cst.CSTNode,
        module: str,
        level: int,
        state: State,
        importer: str | None = None,
    ) -> ModuleExports | None:
        """Run (once) the project module that ``module`` names from ``importer`` (this
        file unless said)."""
        importer = importer or self.path
        if self.project is None or importer is None or self.import_depth >= MAX_IMPORT_DEPTH:
            return None
        tried: list[str] = []
        found = self._resolve(importer, module, level, tried)
        for missing in tried:  # a module file created later changes this import
            self.trace.dependencies.setdefault(missing, ABSENT)
        if found is None or found == self.path:
            return None
        if found in self.imported:
            return self.imported[found]
        if len(self.imported) >= MAX_IMPORTED_MODULES:
            return None
        foreign = self.project.load(found)
        if foreign is None:
            return None
        kept = self.project.runs.get(found)
        if isinstance(kept, ModuleRun) and kept.holds(self.project):
            result: ModuleExports | None = self._reuse(kept, node)
        else:
            self.imported[found] = None  # an import cycle sees unknown names
            result = self._run_module(foreign, node)
        self.imported[found] = result
        return result

    def _anchor(self, foreign: ForeignModule | None, node: cst.CSTNode) -> ForeignSite:
        """Where statements of an imported module's top level are reported: the import in
        this file (or the call in it that led to the importing module)."""
        outer = self._frame.anchor
        if outer is not None:
            return ForeignSite(outer.call, outer.statement, foreign)
        statement = self._owner if self._owner is not self.module else node
        return ForeignSite(statement, statement, foreign)

    def _reuse(self, kept: ModuleRun, node: cst.CSTNode) -> ModuleExports:
        """A run of a module that only defines things, made for an earlier file: its
        statements are placed at this file's import."""
        anchor = self._anchor(None, node)
        for statement_node, module in kept.statements:
            self.trace.foreign.setdefault(
                statement_node, ForeignSite(anchor.call, anchor.statement, module)
            )
        for expression, owner in kept.owner.items():
            self.trace.owner.setdefault(expression, owner)
        self.trace.dependencies.update(kept.dependencies)
        return kept.exports

    def _run_module(self, foreign: ForeignModule, node: cst.CSTNode) -> ModuleExports:
        anchor = self._anchor(foreign, node)
        sub = type(self)(foreign.module, foreign.source, self.project, foreign.path, foreign)
        sub.imported = self.imported
        sub.grad_off_memo = self.grad_off_memo
        sub.resolve_memo = self.resolve_memo
        sub.import_depth = self.import_depth + 1
        sub.base_anchor = anchor
        sub._frame = type(self._frame)("<module>", foreign.module, 0, 0, None, 0, anchor=anchor)
        sub._seq = sub.seq_start = next(_module_runs) * SEQ_SPACING
        sub.statement_budget = IMPORT_STATEMENTS
        top = State()
        with contextlib.suppress(Budget):
            top = sub.block(foreign.module.body, top)
        for statement_node, site in sub.trace.foreign.items():
            self.trace.foreign.setdefault(statement_node, site)
        for expression, owner in sub.trace.owner.items():
            self.trace.owner.setdefault(expression, owner)
        self.trace.dependencies[foreign.path] = foreign.digest
        self.trace.dependencies.update(sub.trace.dependencies)
        names: dict[str, Value] = {}
        heap: dict[str, Value] = {}
        for key, value in top.env.items():
            if key.startswith("#"):
                heap[key] = value
            elif _exported(value):
                names[key] = value
        exports = ModuleExports(foreign, names, heap, top.grad_enabled)
        if self.project is not None and _definitions_only(exports):
            self.project.runs[foreign.path] = ModuleRun(
                exports,
                [(s, site.module) for s, site in sub.trace.foreign.items()],
                dict(sub.trace.owner),
                {foreign.path: foreign.digest, **sub.trace.dependencies},
            )
        return exports


@dataclass(eq=False)
class ModuleRun:
    """A module's top-level run kept for the process (a module that only defines classes,
    functions and constants gives every importer the same names)."""

    exports: ModuleExports
    statements: list[tuple[cst.CSTNode, ForeignModule | None]]
    owner: dict[cst.CSTNode, cst.CSTNode]
    dependencies: dict[str, str]

    def holds(self, project: Project) -> bool:
        """The module and what its run read are unchanged."""
        for path, digest in self.dependencies.items():
            loaded = project.load(path)
            if loaded is None or loaded.digest != digest:
                return False
        return True


def _top_level_imports(project: Project, foreign: ForeignModule) -> list[str]:
    """The project files the top-level import statements of ``foreign`` name."""
    found: list[str] = []
    for statement in foreign.module.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if isinstance(small, cst.Import):
                targets = [(dotted(alias.name) or "", 0) for alias in small.names]
            elif isinstance(small, cst.ImportFrom):
                base = dotted(small.module) if small.module is not None else ""
                targets = [(base or "", len(small.relative))]
            else:
                continue
            for module, level in targets:
                path = project.resolve(foreign.path, module, level)
                if path is not None:
                    found.append(path)
    return found


def _definitions_only(exports: ModuleExports) -> bool:
    """Nothing of the run is an object an importer could change (a list, a layer, an
    optimizer built at import) or that holds the interpreter that ran it (a module object
    resolves its submodules there), and grad mode is as it was."""
    return (
        not exports.heap
        and exports.grad_enabled is not False
        and all(_definition(value) for value in exports.names.values())
    )


def _definition(value: Value) -> bool:
    """A class, function, module name or constant, or a literal table of them (``__all__``,
    ``IMAGENET_DEFAULT_MEAN``, a dict of layer classes); an empty container is a registry
    the program fills, so it is not one."""
    if isinstance(value, Sequence):
        return bool(value.items) and all(_definition(item) for item in value.items)
    return isinstance(value, UserClass | UserFunction | ModuleRef | DeferredImport | PlainValue)


def _exported(value: Value) -> bool:
    """What an importer may use: definitions, modules, objects and known constants (not
    tensors, whose graph facts belong to the run of that module's own top level)."""
    if isinstance(value, PlainValue):
        return value.const is not None or value.is_none
    if isinstance(value, Tensor):
        return False
    return isinstance(
        value,
        ModuleRef
        | UserClass
        | UserFunction
        | ProjectModule
        | DeferredImport
        | NNModule
        | Optimizer
        | Sequence,
    )


def _named(asname: cst.AsName | None) -> bool:
    return asname is not None and isinstance(asname.name, cst.Name)


def _local_name(alias: cst.ImportAlias) -> str:
    if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
        return alias.asname.name.value
    return (dotted(alias.name) or "").split(".")[0]
