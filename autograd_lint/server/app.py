"""The language server: LSP messages in, calls into the engine and the feature modules out.

This module only wires things: document sync to :class:`Engine`, requests to
:mod:`actions`, :mod:`hover` and the witness command. Everything that decides something lives
in those modules, so it can be read (and tested) without a client on the other end.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import os
from dataclasses import asdict
from typing import Any
from urllib.parse import unquote

from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path
from pygls.workspace.position_codec import PositionCodec

from autograd_lint import __version__
from autograd_lint.analysis.project import MAX_MODULE_BYTES, digest_of, file_digest, folder_holds
from autograd_lint.diagnostics import FileResult
from autograd_lint.server import actions, hover, pull
from autograd_lint.server.convert import Published, confirmation_data, to_lsp
from autograd_lint.server.engine import Engine, UnitState
from autograd_lint.server.facts_requests import facts_at, refresh_inlay_hints
from autograd_lint.server.fix_all import can_resolve_edits, fix_all_action
from autograd_lint.server.framing import Dropped
from autograd_lint.server.pool import ProjectContext
from autograd_lint.server.settings import (
    SECTION,
    DocumentSettings,
    EditorSettings,
    ProjectSettings,
    effective,
    parse_editor_settings,
)
from autograd_lint.server.transport import serve_stdio, serve_tcp
from autograd_lint.server.units import LintUnit, notebook_unit, text_unit
from autograd_lint.server.witness_command import select_published, witness_arguments

log = logging.getLogger(__name__)

SHOW_WITNESS = "autograd-lint.showWitness"
NOTEBOOK_TYPE = "jupyter-notebook"
OPEN_DELAY_MS = 0
"""Opening or saving a document is a deliberate act: lint it without waiting."""
CONFIG_FILE = "pyproject.toml"
CONFIG_WATCHER_ID = "autograd-lint-config"


class AutogradLintServer(LanguageServer):
    """pygls server holding the editor settings, the project settings and the engine."""

    def __init__(self) -> None:
        super().__init__(
            "autograd-lint",
            __version__,
            text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
            notebook_document_sync=types.NotebookDocumentSyncOptions(
                notebook_selector=[
                    types.NotebookDocumentFilterWithNotebook(
                        notebook=NOTEBOOK_TYPE, cells=[types.NotebookCellLanguage("python")]
                    )
                ],
                save=True,
            ),
        )
        self.editor = EditorSettings()
        self.project = ProjectSettings()
        self.pull_mode = False
        self.workspace_reports = pull.WorkspaceDiagnostics()
        self.watch_config = False
        """The client watches files for the server (``pyproject.toml`` edits re-lint)."""
        self.forgotten: dict[str, str] = {}
        """Documents whose last change could not be applied (too large, invalid), and why:
        the server's copy differs from the editor's, so they are not checked until reopened."""
        self.unsaved: dict[str, str] = {}
        """Open documents whose text differs from their file: path -> URI."""
        self.engine = Engine(
            snapshot=self.snapshot,
            settings_for=self.settings_for,
            publish=self.publish,
            codec=self.codec,
            push=lambda: not self.pull_mode,
            refresh=self.refresh,
            project_context=self.project_context,
        )

    # -- transport ---------------------------------------------------------------------------

    def start_io(self, stdin: Any = None, stdout: Any = None) -> None:
        serve_stdio(self, self.forget, stdin, stdout)

    def start_tcp(self, host: str, port: int) -> None:
        serve_tcp(self, self.forget, host, port)

    def forget(self, dropped: Dropped) -> None:
        """A change to ``dropped.uri`` was not applied: stop checking it, clear what it shows,
        and say why, until the editor opens it again."""
        uri = dropped.uri
        first = uri not in self.forgotten
        self.forgotten[uri] = dropped.reason
        if dropped.method == types.TEXT_DOCUMENT_DID_OPEN and (
            unquote(uri) not in self.workspace.text_documents
        ):
            # an empty stand-in receives the document's later changes (they cannot apply to
            # anything right, but every one would otherwise be an error)
            self.workspace.put_text_document(
                types.TextDocumentItem(uri=uri, language_id="python", version=0, text="")
            )
        key = self.key_for(uri)
        self.forgotten.setdefault(key, dropped.reason)  # a cell's notebook, too
        for cleared in self.engine.closed(key) or [uri]:
            self.publish(cleared, None, [])
        if first:
            self.window_show_message(
                types.ShowMessageParams(
                    types.MessageType.Warning,
                    f"autograd-lint: {uri} is not checked: {dropped.reason}. "
                    "Reopen it to check it again.",
                )
            )

    def is_open(self, uri: str) -> bool:
        """Whether the editor opened ``uri`` (a text document or a notebook cell)."""
        workspace = self.workspace
        return (
            unquote(uri) in workspace.text_documents  # pygls keys documents unquoted
            or workspace.get_notebook_document(notebook_uri=uri) is not None
            or workspace.get_notebook_document(cell_uri=uri) is not None
        )

    # -- glue used by the engine -----------------------------------------------------------

    def codec(self) -> PositionCodec:
        return self.workspace.position_codec

    def key_for(self, uri: str) -> str:
        """The lint unit a URI belongs to: its notebook for a cell, else itself."""
        notebook = self.workspace.get_notebook_document(cell_uri=uri)
        return notebook.uri if notebook is not None else uri

    def snapshot(self, key: str) -> LintUnit | None:
        if key in self.forgotten:
            return None
        notebook = self.workspace.get_notebook_document(notebook_uri=key)
        if notebook is not None:
            cells = []
            for cell in notebook.cells:
                if cell.kind != types.NotebookCellKind.Code:
                    continue
                document = self.workspace.get_text_document(cell.document)
                if document.language_id not in (None, "python"):
                    continue
                cells.append((cell.document, document.source, document.version))
            return notebook_unit(key, _path_of(key), notebook.version, cells)
        document = self.workspace.get_text_document(key)
        try:
            source = document.source
        except (OSError, UnicodeDecodeError):
            return None
        return text_unit(key, source, _path_of(key), document.version)

    def settings_for(self, unit: LintUnit) -> DocumentSettings:
        root = self.workspace.root_path if self.protocol._workspace is not None else None
        path = unit.path if not unit.path.startswith(("untitled:", "vscode-")) else None
        project, config = self.project.for_path(path, root)
        while self.project.problems:  # a broken pyproject.toml: say so once, lint with defaults
            problem = self.project.problems.pop(0)
            self.window_show_message(
                types.ShowMessageParams(types.MessageType.Error, f"autograd-lint: {problem}")
            )
        return effective(project, self.editor, config, path, root)

    def project_context(self, unit: LintUnit) -> ProjectContext:
        """Where ``unit``'s imports are looked up (its workspace folder bounds the project)
        and the unsaved text of the other open modules they may lead to."""
        unsaved = []
        for path, uri in list(self.unsaved.items()):
            if path == unit.path or unquote(uri) not in self.workspace.text_documents:
                continue
            text = self.workspace.get_text_document(uri).source
            if len(text) <= MAX_MODULE_BYTES:
                unsaved.append((path, text))
        return ProjectContext(self._workspace_folder(unit.path), tuple(unsaved))

    def _workspace_folder(self, path: str) -> str | None:
        """The innermost workspace folder holding ``path``."""
        if self.protocol._workspace is None or not os.path.isabs(path):
            return None
        best: str | None = None
        for folder in self.workspace.folders.values():
            root = to_fs_path(folder.uri)
            if (
                root
                and folder_holds(os.path.abspath(root), path)
                and (best is None or len(root) > len(best))
            ):
                best = root
        return best or self.workspace.root_path

    def note_text(self, uri: str, text: str | None) -> None:
        """Keep :attr:`unsaved` true for the document at ``uri``: ``text`` is what the
        editor holds now (``None``: the document closed or was saved)."""
        path = _path_of(uri)
        if not os.path.isabs(path):
            return
        if (
            text is not None
            and len(text) <= MAX_MODULE_BYTES
            and file_digest(path) != digest_of(text)
        ):
            self.unsaved[path] = uri
        else:
            self.unsaved.pop(path, None)

    def publish(self, uri: str, version: int | None, diagnostics: list[types.Diagnostic]) -> None:
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics, version=version)
        )

    def refresh(self) -> None:
        capability = self.client_capabilities.workspace
        if capability and capability.diagnostics and capability.diagnostics.refresh_support:
            self.workspace_diagnostic_refresh(None)

    def lint_soon(self, key: str, delay_ms: int | None = None, typed: bool = False) -> None:
        """Lint ``key`` after ``delay_ms`` (``None``: the typing debounce); ``typed``: its
        own text was edited (see :meth:`Engine.changed`)."""
        if key in self.forgotten:
            return
        delay = self.editor.debounce_ms if delay_ms is None else delay_ms
        self.engine.changed(key, delay, typed)

    def relint_importers(self, uri: str, delay_ms: int | None = OPEN_DELAY_MS) -> None:
        """A project module was saved, changed on disk or edited: the open documents that
        import it (directly or not) are linted again (after ``delay_ms``; ``None``: the
        typing debounce)."""
        path = _path_of(uri)
        if not path.startswith("untitled:"):
            for key in self.engine.importers_of(path):
                if key != uri:
                    self.lint_soon(key, delay_ms)

    def relint_all(self) -> None:
        for key in list(self.engine.states):
            self.lint_soon(key, OPEN_DELAY_MS)

    def apply_editor_settings(self, raw: Any) -> None:
        self.editor = parse_editor_settings(raw)
        for problem in self.editor.problems:
            self.window_show_message(
                types.ShowMessageParams(types.MessageType.Warning, f"autograd-lint: {problem}")
            )

    def line_text(self, uri: str, line0: int) -> str:
        """The text of a document's 0-based line, without its line end ("" past the end)."""
        try:
            lines = self.workspace.get_text_document(uri).lines
        except (OSError, UnicodeDecodeError):
            return ""
        return lines[line0].rstrip("\r\n") if 0 <= line0 < len(lines) else ""

    def shutdown(self) -> None:
        self.engine.shutdown()
        super().shutdown()


def _path_of(uri: str) -> str:
    return to_fs_path(uri) or uri


def path_is_unsaved(ls: AutogradLintServer, uri: str) -> bool:
    return _path_of(uri) in ls.unsaved


def create_server() -> AutogradLintServer:
    server = AutogradLintServer()
    _register(server)
    return server


def _require_open(server: AutogradLintServer, uri: str) -> None:
    """Answer a request about a document the editor did not open with "invalid params"."""
    if not server.is_open(uri):
        raise JsonRpcInvalidParams.of(ValueError(f"{uri} is not open"))


def _published(server: AutogradLintServer, uri: str, current: bool = True) -> list[Published]:
    return server.engine.diagnostics_for(server.key_for(uri), uri, current)


def _watch_config_files(ls: AutogradLintServer) -> None:
    """Ask the client to report ``pyproject.toml`` changes, so that open documents are
    re-linted when the project's configuration changes rather than on their next edit."""
    options = types.DidChangeWatchedFilesRegistrationOptions(
        watchers=[types.FileSystemWatcher(glob_pattern=f"**/{CONFIG_FILE}")]
    )
    registration = types.Registration(
        id=CONFIG_WATCHER_ID,
        method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
        register_options=options,
    )

    def done(future: concurrent.futures.Future[None]) -> None:
        if not future.cancelled() and future.exception() is not None:
            # the client refused: a changed pyproject.toml still applies on the next lint
            log.info("file watching not registered: %s", future.exception())

    future = ls.client_register_capability(types.RegistrationParams(registrations=[registration]))
    future.add_done_callback(done)


def _register(server: AutogradLintServer) -> None:
    @server.feature(types.INITIALIZE)
    def initialize(ls: AutogradLintServer, params: types.InitializeParams) -> None:
        ls.apply_editor_settings(params.initialization_options)
        text = params.capabilities.text_document
        workspace = params.capabilities.workspace
        can_refresh = bool(
            workspace and workspace.diagnostics and workspace.diagnostics.refresh_support
        )
        # pull only where the server can ask the client to pull again (background verdicts,
        # settings changes); otherwise push, so nothing goes stale in the editor
        ls.pull_mode = bool(text and text.diagnostic) and can_refresh
        watched = workspace.did_change_watched_files if workspace else None
        ls.watch_config = bool(watched and watched.dynamic_registration)

    @server.feature(types.INITIALIZED)
    def initialized(ls: AutogradLintServer, params: types.InitializedParams) -> None:
        ls.engine.pool.warm()
        if ls.watch_config:
            _watch_config_files(ls)

    @server.feature(types.SHUTDOWN)
    def on_shutdown(ls: AutogradLintServer, params: None) -> None:
        ls.engine.shutdown()

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: AutogradLintServer, params: types.DidOpenTextDocumentParams) -> None:
        uri = params.text_document.uri
        ls.forgotten.pop(uri, None)
        if ls.key_for(uri) == uri:
            ls.note_text(uri, params.text_document.text)
            ls.lint_soon(uri, OPEN_DELAY_MS)
            if path_is_unsaved(ls, uri):
                ls.relint_importers(uri, None)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: AutogradLintServer, params: types.DidChangeTextDocumentParams) -> None:
        uri = params.text_document.uri
        key = ls.key_for(uri)
        ls.lint_soon(key, typed=True)
        if key == uri and unquote(uri) in ls.workspace.text_documents:
            ls.note_text(uri, ls.workspace.get_text_document(uri).source)
            ls.relint_importers(uri, None)  # they read this module's unsaved text

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: AutogradLintServer, params: types.DidSaveTextDocumentParams) -> None:
        uri = params.text_document.uri
        ls.note_text(uri, None)
        ls.lint_soon(ls.key_for(uri), OPEN_DELAY_MS)
        ls.relint_importers(uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: AutogradLintServer, params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        ls.forgotten.pop(uri, None)
        was_unsaved = path_is_unsaved(ls, uri)
        ls.note_text(uri, None)
        for cleared in ls.engine.closed(uri):
            ls.publish(cleared, None, [])
        if was_unsaved:  # its importers read the file again
            ls.relint_importers(uri)

    @server.feature(types.NOTEBOOK_DOCUMENT_DID_OPEN)
    def nb_open(ls: AutogradLintServer, params: types.DidOpenNotebookDocumentParams) -> None:
        ls.forgotten.pop(params.notebook_document.uri, None)
        for cell in params.cell_text_documents:
            ls.forgotten.pop(cell.uri, None)
        ls.lint_soon(params.notebook_document.uri, OPEN_DELAY_MS)

    @server.feature(types.NOTEBOOK_DOCUMENT_DID_CHANGE)
    def nb_change(ls: AutogradLintServer, params: types.DidChangeNotebookDocumentParams) -> None:
        ls.lint_soon(params.notebook_document.uri, typed=True)
        structure = params.change.cells.structure if params.change.cells else None
        for closed in (structure.did_close or []) if structure else []:
            ls.publish(closed.uri, None, [])

    @server.feature(types.NOTEBOOK_DOCUMENT_DID_SAVE)
    def nb_save(ls: AutogradLintServer, params: types.DidSaveNotebookDocumentParams) -> None:
        ls.lint_soon(params.notebook_document.uri, OPEN_DELAY_MS)

    @server.feature(types.NOTEBOOK_DOCUMENT_DID_CLOSE)
    def nb_close(ls: AutogradLintServer, params: types.DidCloseNotebookDocumentParams) -> None:
        ls.forgotten.pop(params.notebook_document.uri, None)
        for uri in ls.engine.closed(params.notebook_document.uri):
            ls.publish(uri, None, [])

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def did_change_configuration(
        ls: AutogradLintServer, params: types.DidChangeConfigurationParams
    ) -> None:
        raw = params.settings
        if not raw:
            raw = await _fetch_configuration(ls)
        hints_before = ls.editor.inlay_hints
        ls.apply_editor_settings(raw)
        ls.project.clear()
        ls.relint_all()
        if ls.editor.inlay_hints != hints_before:
            refresh_inlay_hints(ls)

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def did_change_watched_files(
        ls: AutogradLintServer, params: types.DidChangeWatchedFilesParams
    ) -> None:
        if any(change.uri.endswith("/" + CONFIG_FILE) for change in params.changes):
            ls.project.clear()
            ls.relint_all()
            return
        for change in params.changes:
            ls.relint_importers(change.uri)

    @server.feature(
        types.TEXT_DOCUMENT_DIAGNOSTIC,
        types.DiagnosticOptions(
            identifier="autograd-lint", inter_file_dependencies=False, workspace_diagnostics=True
        ),
    )
    async def pull_document(
        ls: AutogradLintServer, params: types.DocumentDiagnosticParams
    ) -> types.DocumentDiagnosticReport:
        uri = params.text_document.uri
        key = ls.key_for(uri)
        state = ls.engine.states.get(key)
        if state is None:
            ls.engine.states[key] = state = UnitState(generation=1)
        for _ in range(3):  # a change may supersede the lint we waited for: wait for the next
            if await ls.engine.ensure_current(key, state):
                break
        ls.engine.after_pull(key, state)
        items = [item.lsp for item in state.published.get(uri, [])]
        return pull.document_report(items, params.previous_result_id)

    @server.feature(types.WORKSPACE_DIAGNOSTIC)
    async def pull_workspace(
        ls: AutogradLintServer, params: types.WorkspaceDiagnosticParams
    ) -> types.WorkspaceDiagnosticReport:
        root = ls.workspace.root_path if ls.protocol._workspace is not None else None
        if not root:
            return types.WorkspaceDiagnosticReport(items=[])
        opened: dict[str, str] = {}
        for key, state in ls.engine.states.items():
            for uri in state.published or {key: []}:
                opened[os.path.realpath(_path_of(uri))] = uri

        def open_items(path: str) -> tuple[str, list[types.Diagnostic]] | None:
            uri = opened.get(path)
            if uri is None:
                return None
            published = ls.engine.diagnostics_for(ls.key_for(uri), uri, current=False)
            return uri, [item.lsp for item in published]

        def convert(unit: LintUnit, result: FileResult) -> list[types.Diagnostic]:
            mapped = to_lsp(
                unit,
                result.diagnostics,
                ls.codec(),
                {},
                stopped_at_line=result.stopped_at_line,
                stopped_in=result.stopped_in_lines,
            )
            return [item.lsp for item in mapped.get(unit.key, [])]

        previous = {entry.uri: entry.value for entry in params.previous_result_ids}
        return await ls.workspace_reports.report(
            root, previous, open_items, ls.settings_for, ls.engine.lint, convert
        )

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(
            code_action_kinds=[types.CodeActionKind.QuickFix, actions.FIX_ALL_KIND]
        ),
    )
    async def code_action(
        ls: AutogradLintServer, params: types.CodeActionParams
    ) -> list[types.CodeAction]:
        uri = params.text_document.uri
        _require_open(ls, uri)
        only = params.context.only
        key = ls.key_for(uri)
        state = ls.engine.states.get(key)
        if state is not None:
            await ls.engine.ensure_current(key, state)
        published = _published(ls, uri)
        found: list[types.CodeAction] = []
        if actions.kind_wanted(types.CodeActionKind.QuickFix, only):
            codec = ls.codec()
            for requested in actions.ours(params.context.diagnostics):
                diagnostic = actions.with_data(requested, published)
                found.extend(actions.quick_fixes(diagnostic))
                line_text = ls.line_text(uri, diagnostic.range.start.line)
                noqa = actions.noqa_action(diagnostic, uri, line_text, codec)
                if noqa is not None:
                    found.append(noqa)
        if actions.kind_wanted(actions.FIX_ALL_KIND, only) and actions.has_safe_fix(published):
            if can_resolve_edits(ls):
                found.append(actions.fix_all_placeholder(uri))
            else:
                fix_all = await fix_all_action(ls, uri, published)
                if fix_all is not None:
                    found.append(fix_all)
        return found

    @server.feature(types.CODE_ACTION_RESOLVE)
    async def resolve(ls: AutogradLintServer, action: types.CodeAction) -> types.CodeAction:
        data = action.data if isinstance(action.data, dict) else {}
        uri = data.get("uri")
        if not (data.get("fixAll") and isinstance(uri, str)):
            return action
        key = ls.key_for(uri)
        state = ls.engine.states.get(key)
        if state is not None:
            await ls.engine.ensure_current(key, state)
        computed = await fix_all_action(ls, uri, _published(ls, uri))
        action.edit = computed.edit if computed is not None else types.WorkspaceEdit(changes={})
        return action

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    async def on_hover(ls: AutogradLintServer, params: types.HoverParams) -> types.Hover | None:
        uri, position = params.text_document.uri, params.position
        _require_open(ls, uri)
        document = ls.workspace.get_text_document(uri)
        line_text = ls.line_text(uri, position.line)
        column = document.position_from_client_units(position).character
        found = hover.hover_for_suppression(position.line, line_text, column, ls.codec())
        if found is not None:
            return found
        rules = hover.hover_for_diagnostics(position, _published(ls, uri, current=False))
        facts = await facts_at(ls, uri, (position.line, column, 0))
        return hover.combine(facts[0] if facts else None, rules)

    @server.feature(types.TEXT_DOCUMENT_INLAY_HINT, types.InlayHintOptions(resolve_provider=False))
    async def inlay_hints(
        ls: AutogradLintServer, params: types.InlayHintParams
    ) -> list[types.InlayHint]:
        _require_open(ls, params.text_document.uri)
        if not ls.editor.inlay_hints:
            return []
        span = params.range
        return [
            hover.inlay_hint(item)
            for item in await facts_at(
                ls, params.text_document.uri, (span.start.line, span.end.line, 1)
            )
        ]

    @server.command(SHOW_WITNESS)
    async def show_witness(ls: AutogradLintServer, *args: Any) -> dict[str, Any]:
        uri, selector = witness_arguments(args)
        key = ls.key_for(uri)
        state = ls.engine.states.get(key)
        if state is None or not await ls.engine.ensure_current(key, state):
            raise JsonRpcInvalidParams.of(ValueError(f"{uri} is not open"))
        item = select_published(state.published.get(uri, []), selector)
        witness, verdict = await ls.engine.witness_and_verdict(state, item.index)
        return {
            "uri": uri,
            "code": item.finding.code,
            "message": item.finding.message,
            "script": witness.script if witness else None,
            "description": witness.description if witness else "",
            "expectation": asdict(witness.expectation) if witness else None,
            "verdict": confirmation_data(verdict),
        }


async def _fetch_configuration(ls: AutogradLintServer) -> Any:
    workspace = ls.client_capabilities.workspace
    if not (workspace and workspace.configuration):
        return None
    try:
        values = await asyncio.wait_for(
            ls.workspace_configuration_async(
                types.ConfigurationParams(items=[types.ConfigurationItem(section=SECTION)])
            ),
            timeout=5,
        )
    except Exception:
        log.exception("workspace/configuration failed")
        return None
    return {SECTION: values[0]} if values and isinstance(values[0], dict) else None
