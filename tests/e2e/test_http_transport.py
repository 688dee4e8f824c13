"""Streamable HTTP and legacy SSE over a real loopback socket, with a tiny server of our own.

These pin the transport layer (routes, both protocol eras, the bearer gate, DNS-rebinding checks,
per-request keys) independently of the GeniSpace tools; test_cli_*.py run the real command.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager

import anyio
import httpx2
import pytest
from mcp import Client
from mcp.client.sse import sse_client
from mcp.client.streamable_http import streamable_http_client
from mcp.server import MCPServer

from genispace_mcp.server.context import bind_state, current_client, lifespan
from genispace_mcp.server.settings import Settings
from genispace_mcp.server.transports import KeyValidator, Verdict, http_app

ServeApp = Callable[[object], AbstractAsyncContextManager[str]]

TOKEN = "t0ken-for-tests-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
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


def tiny_server() -> MCPServer:
    # Our lifespan and state middleware, as create_server installs them, around tools of our own.
    server = MCPServer("tiny", lifespan=lifespan(Settings()), middleware=[bind_state])

    @server.tool()
    def echo(text: str) -> str:
        """Echo the text back."""
        return text

    @server.tool()
    def add(a: int, b: int) -> int:
        """Add two numbers."""
        return a + b

    @server.tool()
    def whose_key() -> str:
        """The GeniSpace key this request is served with."""
        return current_client()._transport._api_key or "<none>"

    return server


def http_settings(**changes: object) -> Settings:
    return dataclasses.replace(Settings(transport="http", port=0), **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize("mode", ["legacy", "auto", "2026-07-28"])
async def test_streamable_http_both_eras(serve_app: ServeApp, mode: str) -> None:
    app = http_app(tiny_server(), http_settings(auth_token=TOKEN))
    async with serve_app(app) as base, httpx2.AsyncClient(headers=AUTH) as http:
        transport = streamable_http_client(f"{base}/mcp", http_client=http)
        async with Client(transport, mode=mode) as client:
            assert client.session.protocol_version == (
                "2025-11-25" if mode == "legacy" else "2026-07-28"
            )
            assert [t.name for t in (await client.list_tools()).tools] == [
                "echo",
                "add",
                "whose_key",
            ]
            result = await client.call_tool("echo", {"text": "hello"})
            assert result.structured_content == {"result": "hello"}


@pytest.mark.parametrize("mode", ["legacy", "auto"])
async def test_sse_lists_and_calls(serve_app: ServeApp, mode: str) -> None:
    app = http_app(tiny_server(), http_settings(transport="sse", auth_token=TOKEN))
    async with (
        serve_app(app) as base,
        Client(sse_client(f"{base}/sse", headers=AUTH), mode=mode) as client,
    ):
        assert [t.name for t in (await client.list_tools()).tools] == ["echo", "add", "whose_key"]
        result = await client.call_tool("echo", {"text": "over sse"})
        assert result.structured_content == {"result": "over sse"}


@pytest.mark.parametrize("transport", ["http", "sse"])
@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({}, 401),
        ({"Authorization": "Bearer wrong-token-0123456789"}, 401),
        ({"Authorization": f"Basic {TOKEN}"}, 401),
        ({"Authorization": f"Bearer {TOKEN}", "Host": "evil.example:80"}, 421),
        ({"Authorization": f"Bearer {TOKEN}", "Origin": "http://evil.example"}, 403),
    ],
)
async def test_refusals(
    serve_app: ServeApp, transport: str, headers: dict[str, str], status: int
) -> None:
    app = http_app(tiny_server(), http_settings(transport=transport, auth_token=TOKEN))
    async with serve_app(app) as base, httpx2.AsyncClient(timeout=5) as http:
        if transport == "http":
            response = await http.post(f"{base}/mcp", json=INIT, headers={**MCP_HEADERS, **headers})
        else:
            # Streamed: an accepted SSE GET would stay open; every case here is refused at once.
            async with http.stream("GET", f"{base}/sse", headers=headers) as response:
                await response.aread()
        assert response.status_code == status
        if status == 401:
            assert response.headers["www-authenticate"].startswith("Bearer ")
            assert TOKEN not in response.text


async def test_healthz_needs_no_token_and_loopback_needs_none(serve_app: ServeApp) -> None:
    async with serve_app(http_app(tiny_server(), http_settings())) as base:
        async with httpx2.AsyncClient(timeout=5) as http:
            health = await http.get(f"{base}/healthz")
            assert health.status_code == 200
            assert health.json()["status"] == "ok"
        async with Client(f"{base}/mcp", mode="legacy") as client:
            assert len((await client.list_tools()).tools) == 3


async def test_allowed_hosts_extends_the_host_check(serve_app: ServeApp) -> None:
    settings = http_settings(auth_token=TOKEN, allowed_hosts=("mcp.example.com",))
    async with (
        serve_app(http_app(tiny_server(), settings)) as base,
        httpx2.AsyncClient(timeout=5) as http,
    ):
        for host, status in (
            ("mcp.example.com", 200),
            ("mcp.example.com:443", 200),
            ("other.example", 421),
        ):
            response = await http.post(
                f"{base}/mcp", json=INIT, headers={**MCP_HEADERS, **AUTH, "Host": host}
            )
            assert response.status_code == status, host


async def test_multi_tenant_serves_each_caller_with_its_own_key(
    serve_app: ServeApp,
) -> None:
    # The probe stands in for GeniSpace's GET /users/me: this pins the gate, its cache and the
    # per-request client; test_cli_http.py runs the real probe against the sandbox.
    good = {"sk-alice-0123456789", "sk-bob-0123456789"}
    probes: list[str] = []

    async def probe(key: str) -> Verdict:
        probes.append(key)
        return "valid" if key in good else "invalid"

    app = http_app(tiny_server(), http_settings(multi_tenant=True), validator=KeyValidator(probe))
    async with serve_app(app) as base:

        async def add(key: str, mode: str) -> None:
            async with (
                httpx2.AsyncClient(headers={"Authorization": f"Bearer {key}"}) as http,
                Client(
                    streamable_http_client(f"{base}/mcp", http_client=http), mode=mode
                ) as client,
            ):
                for n in range(3):
                    result = await client.call_tool("add", {"a": n, "b": 1})
                    assert result.structured_content == {"result": n + 1}
                    mine = await client.call_tool("whose_key", {})
                    assert mine.structured_content == {"result": key}

        async with anyio.create_task_group() as tg:
            for key in sorted(good):
                for mode in ("legacy", "2026-07-28"):  # both eras, interleaved tenants
                    tg.start_soon(add, key, mode)
        # Several MCP requests per key, one probe per key: the verdict is cached.
        assert sorted(probes) == sorted(good)

        async with httpx2.AsyncClient(timeout=5) as http:
            refused = await http.post(
                f"{base}/mcp",
                json=INIT,
                headers={**MCP_HEADERS, "Authorization": "Bearer sk-mallory-0123456789"},
            )
        assert refused.status_code == 401
        assert "not a valid GeniSpace API key" in refused.json()["error_description"]
