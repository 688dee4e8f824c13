"""Failure paths end to end: 401, 403, 404, 429 and 5xx from a real sandbox become useful errors."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from mcp.client import Client

from genispace_mcp.client import GeniSpace
from genispace_mcp.sandbox import SandboxServer, SandboxSettings
from genispace_mcp.sandbox.faults import FaultConfig
from genispace_mcp.server import create_server
from genispace_mcp.server.settings import Settings
from tests.server.conftest import Connect, failed, ok


@pytest.fixture(scope="module")
def limited() -> Iterator[SandboxServer]:
    """A sandbox that allows each key 3 requests per hour."""
    with SandboxServer(SandboxSettings(port=0, seed_demo=False, rate_limit=3)) as server:
        yield server


@pytest.fixture(scope="module")
def failing() -> Iterator[SandboxServer]:
    """A sandbox whose every request fails with a 500."""
    faults = FaultConfig(rate=1.0, kinds=("500",))  # 500 is never retried: the test stays fast
    with SandboxServer(SandboxSettings(port=0, seed_demo=False, faults=faults)) as server:
        yield server


@asynccontextmanager
async def client_for(server: SandboxServer) -> AsyncIterator[Client]:
    """The MCP client on a server against `server`, retrying nothing."""
    settings = Settings(api_key=server.admin_key, base_url=server.base_url, max_retries=0)
    async with Client(create_server(settings)) as client:
        yield client


async def test_unknown_key_names_the_variable_to_set(connect: Connect) -> None:
    async with connect(api_key="sk-not-a-real-key") as client:
        text = failed(await client.call_tool("list_agents", {}))
    assert "401" in text
    assert "GENISPACE_API_KEY" in text
    assert "sk-not-a-real-key" not in text


async def test_missing_permission_is_named(connect: Connect, sandbox: Any) -> None:
    async with GeniSpace(api_key=sandbox.admin_key, base_url=sandbox.base_url) as admin:
        created = await admin.api_keys.create(name="reader", permissions=["read:agents"])
    reader = created.key.get_secret_value()  # type: ignore[union-attr]
    async with connect(api_key=reader) as client:
        ok(await client.call_tool("list_agents", {}))
        text = failed(await client.call_tool("create_agent", {"name": "Nope"}))
        assert "write:agents" in text
        assert "403" in text
        text = failed(await client.call_tool("list_datasets", {}))
        assert "read:datasets" in text
        who = ok(await client.call_tool("whoami", {}))
        assert who["permissions"] == ["read:agents"]


async def test_rate_limited_says_when_to_retry(limited: SandboxServer) -> None:
    async with client_for(limited) as client:
        results = [await client.call_tool("list_agents", {}) for _ in range(5)]
    texts = [failed(result) for result in results if result.is_error]
    refused = [text for text in texts if "429" in text]
    assert refused, texts
    assert "Retry in" in refused[0]


async def test_server_errors_say_what_to_do(failing: SandboxServer) -> None:
    async with client_for(failing) as client:
        text = failed(await client.call_tool("list_agents", {}))
    assert "500" in text
    assert "Try again" in text
    assert "request id req_" in text
