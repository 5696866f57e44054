"""Fixtures: a real server process over stdio, with a client that records every publish."""

from __future__ import annotations

import pytest_lsp
from server_helpers import CONFIG, RecordingClient, init_params


@pytest_lsp.fixture(config=CONFIG)
async def client(lsp_client: RecordingClient):  # type: ignore[no-untyped-def]
    """A push-mode client, runtime check off, short debounce."""
    await lsp_client.initialize_session(init_params())
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=CONFIG)
async def raw_client(lsp_client: RecordingClient):  # type: ignore[no-untyped-def]
    """A started server the test initializes itself (for other capabilities or settings)."""
    yield
    await lsp_client.shutdown_session()
