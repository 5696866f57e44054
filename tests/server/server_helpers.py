"""A real server process over stdio, and a client that records every publish.

pytest-lsp's stock client keeps only the latest diagnostics per URI; these tests also need
the version each publish was tagged with and the order they came in, so the client here
records every ``textDocument/publishDiagnostics`` it receives.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.protocol import default_converter
from pytest_lsp import ClientServerConfig, LanguageClient
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features

SERVER_COMMAND = [sys.executable, "-m", "autograd_lint.server"]
TEST_DEBOUNCE_MS = 10


@dataclass
class Recorder:
    """Every publishDiagnostics received, in arrival order (and capability registrations)."""

    history: list[types.PublishDiagnosticsParams] = field(default_factory=list)
    registrations: list[types.Registration] = field(default_factory=list)

    def latest(self, uri: str) -> types.PublishDiagnosticsParams | None:
        for params in reversed(self.history):
            if params.uri == uri:
                return params
        return None


class RecordingClient(LanguageClient):
    recorder: Recorder


def make_client() -> RecordingClient:
    client = RecordingClient(converter_factory=default_converter)
    client.recorder = Recorder()

    def on_publish(ls: RecordingClient, params: types.PublishDiagnosticsParams) -> None:
        ls.diagnostics[params.uri] = params.diagnostics
        ls.recorder.history.append(params)

    def on_register(ls: RecordingClient, params: types.RegistrationParams) -> None:
        ls.recorder.registrations.extend(params.registrations)

    features = dict(DEFAULT_CLIENT_FEATURES)
    features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = on_publish
    features[types.CLIENT_REGISTER_CAPABILITY] = on_register
    register_lsp_features(client, features)
    return client


CONFIG = ClientServerConfig(server_command=SERVER_COMMAND, client_factory=make_client)


def capabilities(
    pull: bool = False, notebooks: bool = True, resolve: bool = True, watch: bool = False
) -> types.ClientCapabilities:
    return types.ClientCapabilities(
        text_document=types.TextDocumentClientCapabilities(
            synchronization=types.TextDocumentSyncClientCapabilities(did_save=True),
            publish_diagnostics=types.PublishDiagnosticsClientCapabilities(
                related_information=True,
                version_support=True,
                code_description_support=True,
                data_support=True,
            ),
            diagnostic=types.DiagnosticClientCapabilities() if pull else None,
            code_action=types.CodeActionClientCapabilities(
                code_action_literal_support=types.ClientCodeActionLiteralOptions(
                    code_action_kind=types.ClientCodeActionKindOptions(
                        value_set=[types.CodeActionKind.QuickFix, types.CodeActionKind.SourceFixAll]
                    )
                ),
                data_support=True,
                resolve_support=(
                    types.ClientCodeActionResolveOptions(properties=["edit"]) if resolve else None
                ),
            ),
            hover=types.HoverClientCapabilities(
                content_format=[types.MarkupKind.Markdown, types.MarkupKind.PlainText]
            ),
        ),
        workspace=types.WorkspaceClientCapabilities(
            configuration=True,
            did_change_configuration=types.DidChangeConfigurationClientCapabilities(),
            diagnostics=(
                types.DiagnosticWorkspaceClientCapabilities(refresh_support=True) if pull else None
            ),
            did_change_watched_files=(
                types.DidChangeWatchedFilesClientCapabilities(dynamic_registration=True)
                if watch
                else None
            ),
        ),
        notebook_document=(
            types.NotebookDocumentClientCapabilities(
                synchronization=types.NotebookDocumentSyncClientCapabilities()
            )
            if notebooks
            else None
        ),
    )


def init_params(
    options: dict[str, Any] | None = None, root: str | None = None, **caps: bool
) -> types.InitializeParams:
    settings: dict[str, Any] = {"debounceMs": TEST_DEBOUNCE_MS, "runtimeCheck": "off"}
    settings.update(options or {})
    return types.InitializeParams(
        capabilities=capabilities(**caps),
        initialization_options={"autograd-lint": settings},
        root_uri=f"file://{root}" if root else None,
    )


async def wait_for(
    client: RecordingClient,
    uri: str,
    predicate: Callable[[types.PublishDiagnosticsParams], bool],
    timeout: float = 60.0,
    after: int = 0,
) -> types.PublishDiagnosticsParams:
    """The first publish for ``uri`` from the ``after``-th on that satisfies ``predicate``."""
    deadline = time.monotonic() + timeout
    seen = after
    while time.monotonic() < deadline:
        history = client.recorder.history
        for params in history[seen:]:
            if params.uri == uri and predicate(params):
                return params
        seen = len(history)
        await asyncio.sleep(0.01)
    latest = client.recorder.latest(uri)
    raise AssertionError(f"no matching publish for {uri} within {timeout}s; latest: {latest}")


def open_doc(client: LanguageClient, uri: str, text: str, version: int = 1) -> None:
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            types.TextDocumentItem(uri=uri, language_id="python", version=version, text=text)
        )
    )


def replace_all(client: LanguageClient, uri: str, text: str, version: int) -> None:
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


def codes(params: types.PublishDiagnosticsParams) -> list[str]:
    return sorted(str(d.code) for d in params.diagnostics)


def apply_text_edits(text: str, edits: list[types.TextEdit]) -> str:
    """Apply LSP edits (ASCII text, so UTF-16 columns are code points) back to front."""
    lines = text.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))

    def offset(position: types.Position) -> int:
        if position.line >= len(lines):
            return len(text)
        return starts[position.line] + position.character

    for edit in sorted(edits, key=lambda e: offset(e.range.start), reverse=True):
        text = text[: offset(edit.range.start)] + edit.new_text + text[offset(edit.range.end) :]
    return text


def lint_workers(pid: int) -> set[int]:
    """Worker processes of the server (multiprocessing children, not its resource tracker)."""
    children: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            listed = (task / "children").read_text()
        except OSError:  # the thread ended between the listing and the read
            continue
        children |= {int(c) for c in listed.split()}
    workers = set()
    for child in children:
        try:
            cmdline = Path(f"/proc/{child}/cmdline").read_bytes()
        except OSError:
            continue
        if b"spawn_main" in cmdline and b"resource_tracker" not in cmdline:
            workers.add(child)
    return workers


async def poll(condition: Callable[[], bool], timeout: float) -> bool:
    """Whether ``condition`` comes true within ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        await asyncio.sleep(0.05)
    return False
