"""Flow-sensitive abstract interpretation of Python source, one scope at a time.

Statements run in order over an abstract :class:`~autograd_lint.analysis.state.State`;
branches run on copies and join; loop bodies run twice so that what one iteration leaves to
the next (a graph, a hidden state, a freed buffer) is seen. Calls of registry ops
(:mod:`autograd_lint.ops`) compute tensor facts; calls the analyzer does not know give
``Unknown`` — never a guess. Calls of the project's own functions, methods and
constructors are followed with their arguments bound, so state kept on ``self`` or
returned from a helper is seen where it is used.

The interpreter is split by concern, each a layer over the one before it:

- :mod:`~autograd_lint.analysis.frame`: the frame, the limits, the shared fields;
- :mod:`~autograd_lint.analysis.effects`: ops, in-place and ``.data`` writes, backward;
- :mod:`~autograd_lint.analysis.expressions`: names, attributes, subscripts, operators;
- :mod:`~autograd_lint.analysis.modules`: ``nn.Module`` instances and heap objects;
- :mod:`~autograd_lint.analysis.torch_calls`: torch's API;
- :mod:`~autograd_lint.analysis.project_calls`: the project's own code, call dispatch;
- :mod:`~autograd_lint.analysis.statements`: statements and control flow;
- :mod:`~autograd_lint.analysis.training`: training-loop facts (accumulation, steps, resets);
- this module: the module's top level, then every function analysed alone.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

import libcst as cst

from autograd_lint.analysis.decorators import (
    decorator_grad_mode,
    decorator_site,
    is_classmethod,
    is_staticmethod,
)
from autograd_lint.analysis.frame import Budget, Frame
from autograd_lint.analysis.parse import parse
from autograd_lint.analysis.positions import Positions, Starts
from autograd_lint.analysis.project import Project
from autograd_lint.analysis.state import State
from autograd_lint.analysis.trace import Trace
from autograd_lint.analysis.training import TrainingLoops
from autograd_lint.analysis.values import (
    ModuleRef,
    NNModule,
    Optimizer,
    ProjectModule,
    Unknown,
    UserClass,
    UserFunction,
    Value,
    fresh_id,
)


def analyze(source: str, project: Project | None = None, path: str | None = None) -> Trace:
    """Parse ``source`` and interpret every scope; raises ParseFailure on invalid Python.

    With ``project`` and the file's ``path``, imports of the project's own modules are
    followed (:mod:`autograd_lint.analysis.imports`)."""
    module = parse(source)
    interpreter = Interpreter(module, source, project, _absolute(path))
    interpreter.run()
    return interpreter.trace


def analyze_parsed(
    module: cst.Module,
    source: str,
    starts: Starts | None = None,
    project: Project | None = None,
    path: str | None = None,
) -> Trace:
    """Interpret an already parsed ``module`` of ``source`` (a module put together from
    cached chunks); ``starts`` gives its statement starts without parsing ``source`` again."""
    interpreter = Interpreter(module, source, project, _absolute(path))
    if starts is not None:
        interpreter.trace._positions = Positions(module, source, starts)
    interpreter.run()
    return interpreter.trace


def _absolute(path: str | None) -> str | None:
    return os.path.abspath(path) if path is not None else None


def module_globals(state: State) -> dict[str, Value]:
    """What a function analysed alone sees of the module's top level: imports, classes,
    functions, module and optimizer instances, and the attributes of instances."""
    return {
        k: v
        for k, v in state.env.items()
        if k.startswith("#")
        or isinstance(
            v, ModuleRef | UserClass | UserFunction | NNModule | Optimizer | ProjectModule
        )
    }


class Interpreter(TrainingLoops):
    """Runs a module's top level, then every function and method alone."""

    given: Mapping[str, Value] = {}
    """Module-level names bound before the module's own code runs: for one segment of a file
    analysed in segments (:mod:`autograd_lint.analysis.segments`), what the rest of the file
    binds, as far as it is known (``Unknown`` where it is not)."""
    hidden: frozenset[str] = frozenset()
    """Module-level names the functions must see as ``Unknown`` whatever this module binds
    (another segment binds them too)."""
    top_level: dict[str, Value] | None = None
    """The module's own names once its top level has run."""

    def run(self) -> None:
        state = State(env=dict(self.given))
        try:
            # the state the top level ends in: after an ``if`` or a loop it is a new object
            # (the join), which holds the classes and functions defined below it
            state = self.block(self.module.body, state)
            self.top_level = state.env
            globals_env = module_globals(state)
            globals_env.update((name, Unknown()) for name in self.hidden)
            for function, owner in self.functions:
                self.run_function(function, owner, globals_env)
        except Budget:
            pass

    def run_function(
        self, function: cst.FunctionDef, owner: UserClass | None, globals_env: dict[str, Value]
    ) -> None:
        state = State(globals=globals_env)
        self_value: NNModule | None = None
        params = function.params
        names = [p.name.value for p in (*params.posonly_params, *params.params)]
        if owner is not None and names and not is_staticmethod(function):
            if is_classmethod(function):
                state.env[names[0]] = owner
            else:
                self_value = NNModule(
                    owner.name,
                    False,
                    [],
                    frozenset(),
                    function,
                    is_module=owner.is_module,
                    cls=owner,
                )
                for attr, value in owner.attributes.items():
                    state.env[f"#{id(self_value)}.{attr}"] = value
                state.env[names[0]] = self_value
            names = names[1:]
        for name in names:
            state.env[name] = Unknown()
        state.grad_enabled = decorator_grad_mode(function, state.grad_enabled)
        self._grad_off_site = decorator_site(function)
        for decorator in function.decorators:
            self.trace.owner[decorator.decorator] = function
        saved = self._frame
        self._frame = Frame(
            function.name.value,
            function,
            0,
            0,
            self_value,
            0,
            owner_class=owner,
            in_forward=function.name.value == "forward" and owner is not None and owner.is_module,
        )
        outer = self._owner
        if isinstance(function.body, cst.SimpleStatementSuite):
            self._owner = function  # ``def f(x): return g(x)``: its statements belong to the def
        self._alone = True
        try:
            self.block(function.body.body, state)
        finally:
            self._frame = saved
            self._owner = outer
            self._alone = False


__all__ = ["Interpreter", "analyze", "analyze_parsed", "fresh_id", "module_globals"]
