"""Load: hundreds of concurrent tool calls over Streamable HTTP are all answered, in order per
client, without an error, and leave no connection or task behind."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import httpx
import httpx2
import uvicorn
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from bench.loadgen import check_tool_answer, mcp_tool_call, new_client
from genispace_mcp.sandbox import SandboxServer
from genispace_mcp.server import create_server
from genispace_mcp.server.transports import bind_socket, http_app
from tests.reliability.conftest import server_settings, text_of

CLIENTS_PER_ERA = 10
CALLS_PER_CLIENT = 6
BURST = 150
SETTLE = 10.0  # seconds allowed for closed connections and finished tasks to be let go


def established(port: int, *, local: bool) -> int:
    """ESTABLISHED TCP connections on 127.0.0.1 whose local (or remote) port is `port`."""
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local_port = int(fields[1].rsplit(":", 1)[1], 16)
            remote_port = int(fields[2].rsplit(":", 1)[1], 16)
            if fields[3] == "01" and (local_port if local else remote_port) == port:
                count += 1
    return count


async def settled(condition: Any, what: str) -> None:
    """Wait (bounded) until `condition()` holds: connections and tasks wind down asynchronously."""
    with anyio.fail_after(SETTLE):
        # Polling /proc and the task list: nothing signals a socket or a task going away.
        while not condition():  # noqa: ASYNC110
            await anyio.sleep(0.05)
    assert condition(), what


@asynccontextmanager
async def serving(
    sandbox: SandboxServer, tmp_path: Path, **overrides: Any
) -> AsyncIterator[tuple[str, int]]:
    """genispace-mcp's HTTP app (as `--transport http` builds it) on a free loopback port."""
    settings = server_settings(sandbox, tmp_path, transport="http", **overrides)
    app = http_app(create_server(settings), settings)
    sock = bind_socket("127.0.0.1", 0)
    port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(app, log_config=None, lifespan="on", timeout_graceful_shutdown=2)
    )
    try:
        async with anyio.create_task_group() as group:
            group.start_soon(lambda: server.serve(sockets=[sock]))
            try:
                # No readiness wait: the socket already listens; uvicorn takes connections from
                # its backlog once the app's lifespan has started.
                yield f"http://127.0.0.1:{port}", port
            finally:
                server.should_exit = True
    finally:
        sock.close()


def expectations(sandbox: SandboxServer) -> list[tuple[str, dict[str, Any], str]]:
    """(tool, arguments, the id its answer must carry) over the demo's agents and datasets."""
    headers = {"authorization": f"Bearer {sandbox.admin_key}"}
    with httpx.Client(base_url=sandbox.base_url, headers=headers) as http:
        agents = http.get("/agents").json()["data"]
        datasets = http.get("/datasets").json()["data"]
    return [("get_agent", {"agent_id": a["id"]}, a["id"]) for a in agents] + [
        ("get_dataset", {"dataset_id": d["id"]}, d["id"]) for d in datasets
    ]


async def warm_up(
    base_url: str, call: tuple[str, dict[str, Any], str], key: str | None = None
) -> None:
    """Calls in both protocol eras before tasks are counted: the first SSE response starts
    sse_starlette's shutdown watcher (one per event loop, living on by design)."""
    if key is None:
        for mode in ("legacy", "auto"):
            async with Client(f"{base_url}/mcp", mode=mode) as mcp:
                assert not (await mcp.call_tool(call[0], call[1])).is_error
    request = mcp_tool_call(call[0], call[1], bearer=key)
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as http:
        response = await http.post(
            request.path, headers=dict(request.headers), content=request.body
        )
    assert check_tool_answer(response) is None


async def test_hundreds_of_concurrent_calls_all_answered_in_order(
    canary_sandbox: SandboxServer, tmp_path: Path
) -> None:
    menu = expectations(canary_sandbox)
    async with serving(canary_sandbox, tmp_path) as (base_url, port):
        await warm_up(base_url, menu[0])
        before = len(asyncio.all_tasks())
        pool_before = established(canary_sandbox.port, local=False)
        answered: dict[str, list[str]] = {}
        wanted: dict[str, list[str]] = {}

        async def client(name: str, mode: str, offset: int) -> None:
            calls = [menu[(offset + i) % len(menu)] for i in range(CALLS_PER_CLIENT)]
            wanted[name] = [expected for _, _, expected in calls]
            got = answered.setdefault(name, [])
            transport = streamable_http_client(f"{base_url}/mcp", http_client=sdk_http)
            async with Client(transport, mode=mode) as mcp:
                for tool, arguments, _ in calls:
                    result = await mcp.call_tool(tool, arguments)
                    assert not result.is_error, f"{name} {tool}: {text_of(result)}"
                    assert result.structured_content is not None
                    got.append(result.structured_content["id"])

        # One HTTP client under every MCP session: building one per session costs more CPU than
        # the calls themselves; each session still has its own id and streams.
        sdk_http = httpx2.AsyncClient(
            limits=httpx2.Limits(max_connections=None),
            timeout=httpx2.Timeout(30, read=300),  # the SDK's own defaults for MCP streams
            verify=False,
        )
        with anyio.fail_after(60):
            async with anyio.create_task_group() as group:
                for index in range(CLIENTS_PER_ERA):
                    group.start_soon(client, f"legacy-{index}", "legacy", index)
                    group.start_soon(client, f"modern-{index}", "auto", index)
        await sdk_http.aclose()
        assert answered == wanted  # every call answered, each with its own request's id, in order
        assert sum(map(len, answered.values())) == 2 * CLIENTS_PER_ERA * CALLS_PER_CLIENT

        # A burst of calls all in flight at once, each on its own connection.
        async def one(index: int, results: list[str | None]) -> None:
            tool, arguments, expected = menu[index % len(menu)]
            call = mcp_tool_call(tool, arguments)
            response = await burst.post(call.path, headers=dict(call.headers), content=call.body)
            problem = check_tool_answer(response)
            if problem is None:
                structured = json.loads(response.text)["result"]["structuredContent"]
                problem = None if structured["id"] == expected else f"wrong id {structured['id']}"
            results[index] = problem

        results: list[str | None] = ["not answered"] * BURST
        burst = new_client(base_url, connections=BURST)
        with anyio.fail_after(60):
            async with anyio.create_task_group() as group:
                for index in range(BURST):
                    group.start_soon(one, index, results)
        await burst.aclose()
        assert [r for r in results if r is not None] == []

        # Nothing left behind: client connections closed, tasks finished, the pool to GeniSpace
        # bounded (it keeps a few idle connections, not one per call).
        await settled(
            lambda: established(port, local=True) == 0, "connections to the server left open"
        )
        await settled(lambda: len(asyncio.all_tasks()) <= before, "tasks left running")
        assert established(canary_sandbox.port, local=False) - pool_before <= 20


async def test_multi_tenant_stateless_load_uses_each_callers_key(
    canary_sandbox: SandboxServer, tmp_path: Path
) -> None:
    menu = expectations(canary_sandbox)
    async with serving(canary_sandbox, tmp_path, multi_tenant=True, api_key=None) as (
        base_url,
        port,
    ):
        await warm_up(base_url, menu[0], key=canary_sandbox.admin_key)
        before = len(asyncio.all_tasks())

        async def one(index: int, key: str | None, results: list[str | None]) -> None:
            tool, arguments, expected = menu[index % len(menu)]
            call = mcp_tool_call(tool, arguments, bearer=key)
            response = await shared.post(call.path, headers=dict(call.headers), content=call.body)
            if key is None:
                results[index] = (
                    None if response.status_code == 401 else f"HTTP {response.status_code}"
                )
                return
            problem = check_tool_answer(response)
            if (
                problem is None
                and json.loads(response.text)["result"]["structuredContent"]["id"] != expected
            ):
                problem = "wrong answer"
            results[index] = problem

        results: list[str | None] = ["not answered"] * 90
        shared = new_client(base_url, connections=90)
        with anyio.fail_after(60):
            async with anyio.create_task_group() as group:
                for index in range(90):
                    # One request in six comes without a key: refused, and no harm to the others.
                    key = None if index % 6 == 5 else canary_sandbox.admin_key
                    group.start_soon(one, index, key, results)
        await shared.aclose()
        assert [r for r in results if r is not None] == []
        await settled(
            lambda: established(port, local=True) == 0, "connections to the server left open"
        )
        await settled(lambda: len(asyncio.all_tasks()) <= before, "tasks left running")
