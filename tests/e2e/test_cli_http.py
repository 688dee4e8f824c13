"""`genispace-mcp --transport http|sse` as a subprocess, against the sandbox: eras, auth, tenants."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

import httpx2
from mcp import Client
from mcp.client.sse import sse_client
from mcp.client.streamable_http import streamable_http_client

from genispace_mcp.client import GeniSpace

TOKEN = "e2e-token-0123456789abcdef"
HttpCli = Callable[..., AbstractAsyncContextManager[Any]]
Env = Callable[..., dict[str, str]]
INIT = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-11-25",
        "capabilities": {},
        "clientInfo": {"name": "raw", "version": "0"},
    },
}
MCP_HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_streamable_http_end_to_end(sandbox: Any, http_cli: HttpCli, cli_env: Env) -> None:
    env = cli_env(
        GENISPACE_API_KEY=sandbox.admin_key,
        GENISPACE_BASE_URL=sandbox.base_url,
        GENISPACE_MCP_AUTH_TOKEN=TOKEN,
    )
    async with http_cli(["--transport", "http"], env) as server:
        assert server.url.endswith("/mcp")
        for mode in ("legacy", "2026-07-28"):
            async with (
                httpx2.AsyncClient(headers=bearer(TOKEN)) as http,
                Client(streamable_http_client(server.url, http_client=http), mode=mode) as client,
            ):
                names = [t.name for t in (await client.list_tools()).tools]
                assert "list_agents" in names
                result = await client.call_tool("list_agents", {})
                assert not result.is_error, result
        async with httpx2.AsyncClient(timeout=10) as http:
            assert (await http.get(f"{server.base}/healthz")).status_code == 200
            missing = await http.post(server.url, json=INIT, headers=MCP_HEADERS)
            wrong = await http.post(
                server.url, json=INIT, headers={**MCP_HEADERS, **bearer("x" * 24)}
            )
            foreign = await http.post(
                server.url,
                json=INIT,
                headers={**MCP_HEADERS, **bearer(TOKEN), "Host": "evil.example"},
            )
        assert (missing.status_code, wrong.status_code, foreign.status_code) == (401, 401, 421)
    assert bytes(server.stdout) == b""
    assert sandbox.admin_key not in "\n".join(server.stderr)
    assert TOKEN not in "\n".join(server.stderr)


async def test_legacy_sse_end_to_end(sandbox: Any, http_cli: HttpCli, cli_env: Env) -> None:
    env = cli_env(
        GENISPACE_API_KEY=sandbox.admin_key,
        GENISPACE_BASE_URL=sandbox.base_url,
        GENISPACE_MCP_AUTH_TOKEN=TOKEN,
    )
    async with http_cli(["--transport", "sse"], env) as server:
        assert server.url.endswith("/sse")
        async with Client(sse_client(server.url, headers=bearer(TOKEN)), mode="legacy") as client:
            names = [t.name for t in (await client.list_tools()).tools]
            assert "list_agents" in names
            result = await client.call_tool("list_agents", {})
            assert not result.is_error, result
        async with (
            httpx2.AsyncClient(timeout=10) as http,
            http.stream("GET", server.url) as refused,
        ):
            assert refused.status_code == 401


async def test_multi_tenant_uses_each_callers_key(
    sandbox: Any, http_cli: HttpCli, cli_env: Env
) -> None:
    async with GeniSpace(api_key=sandbox.admin_key, base_url=sandbox.base_url) as admin:
        reader = await admin.api_keys.create(name="e2e reader", permissions=["read:agents"])
    assert reader.key is not None
    reader_key = reader.key.get_secret_value()
    # No GENISPACE_API_KEY at all: every request brings its own.
    env = cli_env(GENISPACE_BASE_URL=sandbox.base_url)
    async with http_cli(["--transport", "http", "--multi-tenant"], env) as server:

        async def permissions_of(key: str) -> list[str]:
            async with (
                httpx2.AsyncClient(headers=bearer(key)) as http,
                Client(
                    streamable_http_client(server.url, http_client=http), mode="legacy"
                ) as client,
            ):
                result = await client.call_tool("whoami", {})
                assert not result.is_error, result
                text = str(result.structured_content)
                return [p for p in ("read:agents", "write:agents", "*") if f"'{p}'" in text]

        assert await permissions_of(reader_key) == ["read:agents"]
        assert "read:agents" not in await permissions_of(sandbox.admin_key)
        async with httpx2.AsyncClient(timeout=10) as http:
            refused = await http.post(
                server.url, json=INIT, headers={**MCP_HEADERS, **bearer("sk-not-a-real-key-000")}
            )
        assert refused.status_code == 401
    logs = "\n".join(server.stderr)
    assert reader_key not in logs
    assert sandbox.admin_key not in logs
