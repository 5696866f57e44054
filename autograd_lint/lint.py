"""The core every face calls: text in, filtered diagnostics out.

``lint_source`` is pure (no I/O); ``lint_bytes`` adds decoding, ``lint_path`` adds reading.
The runtime check is not run here: callers decide (the CLI synchronously, the language
server in the background) via :mod:`autograd_lint.runtime_check`.
"""

from __future__ import annotations

import ast
import gc
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from autograd_lint.analysis import ParseFailure, analyze, mentions_autograd, segments
from autograd_lint.analysis.chunks import ChunkCache, Chunked, compiles_alone
from autograd_lint.analysis.interpreter import analyze_parsed
from autograd_lint.analysis.parse import Normalised, normalise, restore
from autograd_lint.analysis.project import Project, project_for
from autograd_lint.analysis.scope_cache import ScopeCache, analyze_cached
from autograd_lint.analysis.syntax import check_syntax
from autograd_lint.chunk_fixes import ChunkFixes
from autograd_lint.config import Settings
from autograd_lint.diagnostics import (
    IO_ERROR_CODE,
    SYNTAX_ERROR_CODE,
    Diagnostic,
    FileResult,
    Range,
    Severity,
)
from autograd_lint.file_directives import file_directives, filter_file_ignored
from autograd_lint.isolation import with_internal_error
from autograd_lint.quiet_parse import compile_quietly
from autograd_lint.rules import ALL_RULES, Rule
from autograd_lint.suppression import (
    Suppression,
    filter_suppressed,
    find_suppressions,
    is_suppressed,
)
from autograd_lint.text_edits import keep_applicable_fixes

DEFAULT_SETTINGS = Settings()
MAX_FILE_BYTES = 50 * 1024 * 1024
"""Files larger than this are reported (E902) instead of parsed."""


def active_rules(settings: Settings, path: str | None = None) -> list[Rule]:
    return [
        rule
        for rule in ALL_RULES
        if settings.is_enabled(rule.code, path)
        and (rule.default_enabled or settings.selects_explicitly(rule.code))
    ]


def lint_source(
    source: str,
    path: str = "<stdin>",
    settings: Settings = DEFAULT_SETTINGS,
    *,
    witnesses: bool | None = None,
    chunks: ChunkCache | None = None,
    project: Project | None = None,
    processes: int = 1,
) -> FileResult:
    """Analyse one file's text and return its diagnostics, suppressions and settings applied.

    Witnesses are attached when ``witnesses`` is true, or (when it is ``None``) when the
    settings ask for a runtime check; building them costs more than the analysis itself.
    With ``chunks`` (the language server), the text is parsed top-level statement by
    statement through that cache (:mod:`autograd_lint.analysis.chunks`): an edit re-parses
    only what it changed, and the result is the same as without it. With ``project``, the
    imports of the project's own modules are followed (``path`` says where the file is).
    A file analysed in segments may use up to ``processes`` processes
    (:mod:`autograd_lint.segment_processes`); the result is the same with one.
    """
    rules = active_rules(settings, path)
    if not rules:
        return FileResult(path, (), source, skipped=True)
    wanted = mentions_autograd(source) and not file_directives(source).skip
    if (
        wanted and chunks is None and len(source) > segments.SEGMENT_THRESHOLD
    ):  # too large to parse whole
        from autograd_lint.lint_segments import lint_in_segments

        with _collector_paused():
            segmented = lint_in_segments(
                source, path, settings, rules, witnesses, project, processes
            )
        if segmented is not None:
            return segmented
    normalised = normalise(source) if wanted else Normalised(source)
    piecewise = chunks is not None and wanted and normalised.text is source  # else: re-read
    chunked = chunks.assemble(source, path) if chunks is not None and piecewise else None
    if chunked is None:  # every chunk passed CPython's check, or the whole text is checked
        try:  # a syntax error is reported whatever words the file contains
            check_syntax(source, path)
        except ParseFailure as failure:
            return FileResult(path, (_syntax_error(failure),), source)
    try:  # what parses but cannot compile (``return`` outside a function) is E999 too
        if chunked is None or not compiles_alone(chunked):
            compile_check(source, path)
    except ParseFailure as failure:
        return FileResult(path, (_syntax_error(failure),), source)
    if not wanted:
        return FileResult(path, (), source, skipped=True)
    scopes = chunks.scopes if chunks is not None else None
    with _collector_paused():
        return _lint_parsed(
            source, path, settings, rules, witnesses, chunked, normalised, project, scopes
        )


def compile_check(source: str, path: str) -> None:
    """What CPython's compiler refuses after a successful parse, as :class:`ParseFailure`.

    ``ast.parse`` accepts ``return`` or ``yield`` outside a function, ``break`` outside a loop,
    ``nonlocal`` at module level: the file parses but cannot be imported, and the checker
    must not call it clean. Run after :func:`check_syntax` (which bounds the nesting), so the
    compiler never sees what is too deep for it; it costs less than the parse did. Top-level
    ``await`` is allowed: notebooks run their cells that way.
    """
    try:
        compile_quietly(source, path, flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT, dont_inherit=True)
    except SyntaxError as error:
        line = error.lineno or 1
        column = max((error.offset or 1) - 1, 0)
        raise ParseFailure(error.msg or "invalid syntax", line, column) from None
    except (RecursionError, MemoryError, ValueError, OverflowError) as error:
        raise ParseFailure(f"cannot compile: {type(error).__name__}") from None


@contextmanager
def _collector_paused() -> Iterator[None]:
    """The cyclic garbage collector stays off while one file is analysed.

    A libcst tree is hundreds of thousands of objects; with the collector on, every few
    hundred allocations it walks them all again (about a fifth of the check's time). The
    analysis keeps no garbage cycles that outlive a file for long: the collector runs again
    as soon as the file is done.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _lint_parsed(
    source: str,
    path: str,
    settings: Settings,
    rules: list[Rule],
    witnesses: bool | None,
    chunked: Chunked | None = None,
    normalised: Normalised | None = None,
    project: Project | None = None,
    scopes: ScopeCache | None = None,
) -> FileResult:
    """Analyse ``normalised.text`` (what libcst and the analysis read: ``source`` itself, or a
    copy with form feeds and name spellings as Python reads them) and report in ``source``."""
    normalised = normalised if normalised is not None else Normalised(source)
    where = path if project is not None else None
    try:
        wanted = settings.runtime_check != "off" if witnesses is None else witnesses
        if chunked is None:
            trace = analyze(normalised.text, project, where)
        elif scopes is not None and not wanted:  # witnesses name values by statement number
            starts = chunked.statement_table
            trace = analyze_cached(chunked.module, source, scopes, path, starts, project, where)
        else:
            trace = analyze_parsed(chunked.module, source, chunked.statement_table, project, where)
        trace.want_witnesses = wanted
    except ParseFailure as failure:
        return FileResult(path, (_syntax_error(failure),), source)
    except Exception as error:  # a bug in the analysis: this file only, and said so
        return with_internal_error(FileResult(path, (), source), "the analysis", error)
    found: list[Diagnostic] = []
    failures: list[tuple[str, Exception]] = []
    for rule in rules:
        try:  # what a rule found before it failed is kept; the other rules run regardless
            for diagnostic in rule.check(trace):
                if not any(diagnostic is other for other in trace.elsewhere_only):
                    found.extend(_configured(restore(diagnostic, normalised), settings))
        except Exception as error:
            failures.append((f"rule {rule.code} ({rule.name})", error))
    try:
        if chunked is None:
            unsuppressed = filter_suppressed(source, found)
        else:
            suppressions = _chunk_suppressions(chunked)
            unsuppressed = [d for d in found if not is_suppressed(d, suppressions)]
        kept = filter_file_ignored(source, unsuppressed)
    except Exception as error:
        failures.append(("the suppression comments", error))
        kept = found
    try:  # a fix that cannot apply is not offered, so it is not counted as fixable
        kept = keep_applicable_fixes(source, kept, path, statements=_fix_check(source, chunked))
    except Exception as error:
        failures.append(("checking the fixes", error))
    stopped = trace.range_of(trace.stopped_at).start_line if trace.stopped_at is not None else None
    result = FileResult(
        path,
        tuple(kept),
        source,
        dependencies=tuple(trace.dependencies.items()),
        stopped_at_line=stopped,
    )
    for phase, problem in failures:
        result = with_internal_error(result, phase, problem)
    return replace(result, diagnostics=tuple(sorted(result.diagnostics, key=_order)))


def _fix_check(source: str, chunked: Chunked | None) -> ChunkFixes | None:
    """The fix check of a text put together from chunks (no whole-file parse); None: the
    whole file's top-level statements are parsed for it."""
    if chunked is None:
        return None
    check = ChunkFixes(source, chunked)
    return check if check.usable else None


def _chunk_suppressions(chunked: Chunked) -> dict[int, Suppression]:
    """The file's suppression comments, read chunk by chunk (each chunk's once).

    A chunk begins a logical line, so Python's tokenizer sees the same comments in it alone
    as in the whole file.
    """
    found: dict[int, Suppression] = {}
    for chunk, offset in zip(chunked.chunks, chunked.offsets, strict=True):
        own = chunk.derived.get("suppressions")
        if own is None:
            own = chunk.derived["suppressions"] = find_suppressions(chunk.text)
        assert isinstance(own, dict)
        for line, entry in own.items():
            found[line + offset] = replace(entry, line=line + offset)
    return found


def _syntax_error(failure: ParseFailure) -> Diagnostic:
    return Diagnostic(
        code=SYNTAX_ERROR_CODE,
        message=f"SyntaxError: {failure.message}",
        range=Range(failure.line, failure.column, failure.line, failure.column + 1),
        severity=Severity.ERROR,
    )


def _configured(diagnostic: Diagnostic, settings: Settings) -> list[Diagnostic]:
    """The diagnostic with its configured severity, or nothing for an unwanted preview."""
    if diagnostic.severity is Severity.PREVIEW and not settings.preview:
        return []
    severity = settings.severity_for(diagnostic.code, diagnostic.severity)
    if severity is diagnostic.severity:
        return [diagnostic]
    return [diagnostic.with_(severity=severity)]


def _order(diagnostic: Diagnostic) -> tuple[Range, str]:
    return diagnostic.range, diagnostic.code


def io_error(path: str, message: str) -> FileResult:
    """A result that reports a file that could not be read or decoded."""
    diagnostic = Diagnostic(
        code=IO_ERROR_CODE, message=message, range=Range(1, 0, 1, 0), severity=Severity.ERROR
    )
    return FileResult(path, (diagnostic,), None)


def lint_bytes(
    data: bytes,
    path: str,
    settings: Settings = DEFAULT_SETTINGS,
    *,
    witnesses: bool | None = None,
    project: Project | None = None,
    processes: int = 1,
) -> FileResult:
    """Decode (UTF-8, BOM allowed) and lint; binary or undecodable input gets an E902 result."""
    if b"\x00" in data:
        return io_error(path, "binary file (contains NUL bytes): not checked")
    try:
        source = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        return io_error(path, f"cannot decode as UTF-8 at byte {error.start}: not checked")
    return lint_source(
        source, path, settings, witnesses=witnesses, project=project, processes=processes
    )


def lint_path(
    path: str | os.PathLike[str],
    settings: Settings = DEFAULT_SETTINGS,
    *,
    witnesses: bool | None = None,
    project: Project | None = None,
    processes: int = 1,
) -> FileResult:
    """Read and lint one file; unreadable or oversized files get an E902 result, never a crash.

    Imports of the file's own project (:func:`~autograd_lint.analysis.project.project_for`)
    are followed unless ``settings.follow_imports`` is off. ``processes``: see
    :func:`lint_source`."""
    name = os.fspath(path)
    if project is None and settings.follow_imports:
        project = project_for(name)
    try:
        info = Path(name).stat()  # follows symlinks: a link to /dev/zero is a device
        if not stat.S_ISREG(info.st_mode) and not stat.S_ISDIR(info.st_mode):
            return io_error(name, f"not a regular file ({file_kind(info.st_mode)}): not checked")
        size = info.st_size
        if size > MAX_FILE_BYTES:
            return io_error(
                name, f"file is {size} bytes, over the {MAX_FILE_BYTES}-byte limit: not checked"
            )
        data = Path(name).read_bytes()
    except OSError as error:
        return io_error(name, f"cannot read file: {error.strerror or error}")
    return lint_bytes(
        data, name, settings, witnesses=witnesses, project=project, processes=processes
    )


def file_kind(mode: int) -> str:
    """What a non-regular file is, in words: reading a FIFO or a device could block forever
    or never end, so such files are reported without being opened."""
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a plain file"
