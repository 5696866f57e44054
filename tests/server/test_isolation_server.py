"""A rule that fails inside the server's lint worker: the document still gets its other
findings, plus one E001 that names the rule, and the server goes on serving."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import pytest
import pytest_lsp
from pytest_lsp import ClientServerConfig
from server_helpers import (
    SERVER_COMMAND,
    RecordingClient,
    codes,
    init_params,
    make_client,
    open_doc,
    wait_for,
)
from server_snippets import AG001

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from fault_injection import BREAK_MARKER, install

pytestmark = pytest.mark.asyncio

REPO = Path(__file__).resolve().parents[2]
INJECT = install(Path(tempfile.mkdtemp(prefix="autograd-lint-inject-")))
CONFIG = ClientServerConfig(
    server_command=SERVER_COMMAND,
    client_factory=make_client,
    server_env=dict(os.environ, PYTHONPATH=os.pathsep.join([str(INJECT), str(REPO)])),
)
SNAPSHOT = (
    "import torch\n"
    "w = torch.randn(3, requires_grad=True)\n"
    "history = []\n"
    "for step in range(3):\n"
    "    loss = (w * w).sum()\n"
    "    loss.backward()\n"
    "    history.append(w.clone())\n"
)


@pytest_lsp.fixture(config=CONFIG)
async def client(lsp_client: RecordingClient):  # type: ignore[no-untyped-def]
    await lsp_client.initialize_session(init_params())
    yield
    await lsp_client.shutdown_session()


async def test_failing_rule_is_published_as_e001_next_to_the_other_findings(
    client: RecordingClient,
) -> None:
    uri = "file:///tmp/autograd_lint_server_test/broken.py"
    open_doc(client, uri, SNAPSHOT + BREAK_MARKER + "\n")
    params = await wait_for(client, uri, lambda p: p.version == 1)
    assert sorted(codes(params)) == ["AG005", "E001"]
    (e001,) = [d for d in params.diagnostics if d.code == "E001"]
    assert "rule AG001" in e001.message
    other = "file:///tmp/autograd_lint_server_test/fine.py"
    open_doc(client, other, AG001)
    assert codes(await wait_for(client, other, lambda p: p.version == 1)) == ["AG001"]
