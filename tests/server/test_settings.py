"""Settings: initializationOptions, didChangeConfiguration, and the project's pyproject.toml."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from lsprotocol import types
from server_helpers import (
    RecordingClient,
    codes,
    init_params,
    open_doc,
    replace_all,
    wait_for,
)
from server_snippets import AG001, AG004

pytestmark = pytest.mark.asyncio

URI = "file:///tmp/autograd_lint_server_test/settings.py"


def _project(tmp_path: Path, table: str) -> str:
    (tmp_path / "pyproject.toml").write_text(f"[tool.autograd-lint]\n{table}\n")
    package = tmp_path / "pkg"
    package.mkdir()
    return (package / "train.py").as_uri()


async def test_initialization_options_select_and_ignore(raw_client: RecordingClient) -> None:
    await raw_client.initialize_session(init_params({"ignore": ["AG001"]}))
    open_doc(raw_client, URI, AG001 + AG004.replace("import torch\n", ""))
    params = await wait_for(raw_client, URI, lambda p: p.version == 1)
    assert "AG001" not in codes(params)
    assert "AG004" in codes(params)


async def test_did_change_configuration_relints_open_documents(client: RecordingClient) -> None:
    open_doc(client, URI, AG001)
    await wait_for(client, URI, lambda p: "AG001" in codes(p))
    count = len(client.recorder.history)
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"autograd-lint": {"select": ["AG004"]}})
    )
    params = await wait_for(client, URI, lambda p: True, after=count)
    assert params.diagnostics == []
    count = len(client.recorder.history)
    # Settings may also come at the top level, and a comma-separated string is accepted.
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"select": "AG001,AG004", "debounceMs": 5})
    )
    params = await wait_for(client, URI, lambda p: True, after=count)
    assert "AG001" in codes(params)


async def test_settings_fetched_when_change_notification_has_none(
    client: RecordingClient,
) -> None:
    open_doc(client, URI, AG001)
    await wait_for(client, URI, lambda p: "AG001" in codes(p))
    client.set_configuration({"ignore": ["AG001"]}, section="autograd-lint")
    count = len(client.recorder.history)
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    params = await wait_for(client, URI, lambda p: True, after=count)
    assert "AG001" not in codes(params)


async def test_invalid_setting_is_reported_and_the_rest_still_applies(
    raw_client: RecordingClient,
) -> None:
    await raw_client.initialize_session(
        init_params({"runtimeCheck": "sometimes", "ignore": ["AG001"]})
    )
    open_doc(raw_client, URI, AG001)
    params = await wait_for(raw_client, URI, lambda p: p.version == 1)
    assert "AG001" not in codes(params)
    assert any("runtime-check" in m.message for m in raw_client.messages)


async def test_pyproject_table_applies_and_editor_settings_win(
    raw_client: RecordingClient, tmp_path: Path
) -> None:
    uri = _project(tmp_path, 'ignore = ["AG004"]\nseverity = { AG001 = "warning" }')
    await raw_client.initialize_session(init_params(root=str(tmp_path)))
    text = AG001 + AG004.replace("import torch\n", "")
    open_doc(raw_client, uri, text)
    params = await wait_for(raw_client, uri, lambda p: p.version == 1)
    assert codes(params) == ["AG001"]
    assert params.diagnostics[0].severity == types.DiagnosticSeverity.Warning
    count = len(raw_client.recorder.history)
    raw_client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"autograd-lint": {"ignore": []}})
    )
    params = await wait_for(raw_client, uri, lambda p: True, after=count)
    assert codes(params) == ["AG001", "AG004"]
    ag001 = next(d for d in params.diagnostics if d.code == "AG001")
    assert ag001.severity == types.DiagnosticSeverity.Warning  # still from pyproject


async def test_pyproject_edit_is_picked_up_on_the_next_lint(
    raw_client: RecordingClient, tmp_path: Path
) -> None:
    uri = _project(tmp_path, 'ignore = ["AG001"]')
    await raw_client.initialize_session(init_params())
    open_doc(raw_client, uri, AG001)
    params = await wait_for(raw_client, uri, lambda p: p.version == 1)
    assert "AG001" not in codes(params)
    (tmp_path / "pyproject.toml").write_text('[tool.autograd-lint]\nignore = ["AG004"]\n')
    stat = (tmp_path / "pyproject.toml").stat()
    os.utime(tmp_path / "pyproject.toml", (stat.st_atime, stat.st_mtime + 5))
    replace_all(raw_client, uri, AG001 + "\n", version=2)
    params = await wait_for(raw_client, uri, lambda p: p.version == 2)
    assert "AG001" in codes(params)


async def test_broken_pyproject_is_reported_and_defaults_apply(
    raw_client: RecordingClient, tmp_path: Path
) -> None:
    uri = _project(tmp_path, 'runtime-check = "sometimes"')
    await raw_client.initialize_session(init_params())
    open_doc(raw_client, uri, AG001)
    params = await wait_for(raw_client, uri, lambda p: p.version == 1)
    assert "AG001" in codes(params)
    errors = [m for m in raw_client.messages if m.type == types.MessageType.Error]
    assert len(errors) == 1
    assert "pyproject.toml" in errors[0].message and "runtime-check" in errors[0].message


async def test_documents_the_project_excludes_get_no_diagnostics(
    raw_client: RecordingClient, tmp_path: Path
) -> None:
    included = _project(tmp_path, 'extend-exclude = ["vendored/"]')
    (tmp_path / "vendored").mkdir()
    excluded = (tmp_path / "vendored" / "upstream.py").as_uri()
    await raw_client.initialize_session(init_params(root=str(tmp_path)))
    open_doc(raw_client, excluded, AG001)
    open_doc(raw_client, included, AG001)
    assert "AG001" in codes(await wait_for(raw_client, included, lambda p: p.version == 1))
    params = await wait_for(raw_client, excluded, lambda p: p.version == 1)
    assert params.diagnostics == []


async def test_a_pyproject_change_relints_open_documents_when_the_client_watches(
    raw_client: RecordingClient, tmp_path: Path
) -> None:
    uri = _project(tmp_path, 'ignore = ["AG001"]')
    await raw_client.initialize_session(init_params(root=str(tmp_path), watch=True))
    open_doc(raw_client, uri, AG001)
    params = await wait_for(raw_client, uri, lambda p: p.version == 1)
    assert "AG001" not in codes(params)
    (watcher,) = [
        r
        for r in raw_client.recorder.registrations
        if r.method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES
    ]
    assert "pyproject.toml" in str(watcher.register_options)
    config = tmp_path / "pyproject.toml"
    config.write_text('[tool.autograd-lint]\nignore = ["AG004"]\n')
    stat = config.stat()
    os.utime(config, (stat.st_atime, stat.st_mtime + 5))
    count = len(raw_client.recorder.history)
    raw_client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=config.as_uri(), type=types.FileChangeType.Changed)]
        )
    )
    params = await wait_for(raw_client, uri, lambda p: True, after=count)
    assert "AG001" in codes(params)  # no edit to the document was needed


async def test_no_file_watch_is_registered_without_the_client_capability(
    raw_client: RecordingClient, tmp_path: Path
) -> None:
    uri = _project(tmp_path, "")
    await raw_client.initialize_session(init_params(root=str(tmp_path)))
    open_doc(raw_client, uri, AG001)
    await wait_for(raw_client, uri, lambda p: p.version == 1)
    assert raw_client.recorder.registrations == []
