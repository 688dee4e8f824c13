"""A light HTTP load generator: concurrent clients in a closed loop for a fixed time.

The same generator drives the MCP server (raw 2026-07-28 JSON-RPC POSTs to `/mcp`, exactly what
the SDK client sends) and the sandbox (plain REST), so the two rates compare like for like: the
generator's own cost is the same on both sides.
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import anyio
import httpx

MODERN_VERSION = "2026-07-28"


@dataclass(frozen=True, slots=True)
class HttpCall:
    """One request to repeat, and how to tell that its answer is right."""

    method: str
    path: str
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes | None = None
    check: Callable[[httpx.Response], str | None] = lambda response: None  # None: correct


def mcp_tool_call(
    tool: str, arguments: Mapping[str, Any], *, bearer: str | None = None, path: str = "/mcp"
) -> HttpCall:
    """A `tools/call` as the SDK's Streamable HTTP client sends it at protocol 2026-07-28."""
    body = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "tools/call",
        "params": {
            "name": tool,
            "arguments": dict(arguments),
            "_meta": {
                "io.modelcontextprotocol/protocolVersion": MODERN_VERSION,
                "io.modelcontextprotocol/clientInfo": {"name": "genispace-bench", "version": "1"},
                "io.modelcontextprotocol/clientCapabilities": {},
            },
        },
    }
    headers = {
        "accept": "application/json, text/event-stream",
        "content-type": "application/json",
        "mcp-protocol-version": MODERN_VERSION,
        "mcp-method": "tools/call",
        "mcp-name": tool,
    }
    if bearer:
        headers["authorization"] = f"Bearer {bearer}"
    return HttpCall("POST", path, headers, json.dumps(body).encode(), check_tool_answer)


def check_tool_answer(response: httpx.Response) -> str | None:
    """None if the response is a successful tool result, else what was wrong."""
    if response.status_code != 200:
        return f"HTTP {response.status_code}"
    text = response.text
    if response.headers.get("content-type", "").startswith("text/event-stream"):
        # One SSE event carries the JSON-RPC answer; take the last data line.
        data = [line[5:].strip() for line in text.splitlines() if line.startswith("data:")]
        text = data[-1] if data else ""
    try:
        message = json.loads(text)
    except ValueError:
        return "not JSON"
    if "error" in message:
        return f"JSON-RPC error {message['error'].get('code')}"
    if message.get("result", {}).get("isError"):
        return "isError result"
    return None


def check_ok(response: httpx.Response) -> str | None:
    """None for a 2xx answer."""
    return None if response.is_success else f"HTTP {response.status_code}"


@dataclass
class LoadResult:
    """What a load run measured."""

    seconds: float
    latencies_ms: list[float]
    errors: dict[str, int]

    @property
    def calls(self) -> int:
        """Completed calls, correct or not."""
        return len(self.latencies_ms)

    @property
    def rate(self) -> float:
        """Completed calls per second."""
        return self.calls / self.seconds

    @property
    def error_count(self) -> int:
        """Calls whose answer was not right."""
        return sum(self.errors.values())


async def closed_loop(
    base_urls: Sequence[str], call: HttpCall, *, clients: int, seconds: float, warmup: float = 0.5
) -> LoadResult:
    """`clients` concurrent clients, each with its own connection, spread round-robin over
    `base_urls`, each sending `call` again as soon as its answer arrives, for `seconds`."""
    latencies: list[float] = []
    errors: dict[str, int] = {}
    targets = itertools.cycle(base_urls)
    stop_at = 0.0
    measuring = False

    async def client(http: httpx.AsyncClient) -> None:
        while True:
            start = time.perf_counter()
            if stop_at and start >= stop_at:
                return
            try:
                response = await http.request(
                    call.method, call.path, headers=dict(call.headers), content=call.body
                )
                problem = call.check(response)
            except httpx.HTTPError as exc:
                problem = type(exc).__name__
            if measuring:
                latencies.append((time.perf_counter() - start) * 1000)
                if problem is not None:
                    errors[problem] = errors.get(problem, 0) + 1

    # Clients are built before any starts: building one is costly (on a busy machine, tens of
    # ms), and would otherwise eat into the measured window.
    https = [new_client(next(targets)) for _ in range(clients)]
    async with anyio.create_task_group() as group:
        for http in https:
            group.start_soon(client, http)
        await anyio.sleep(warmup)  # connections open and caches warm before the clock starts
        measuring = True
        began = time.perf_counter()
        stop_at = began + seconds
        await anyio.sleep(seconds)
    elapsed = time.perf_counter() - began
    for http in https:
        await http.aclose()
    return LoadResult(seconds=elapsed, latencies_ms=latencies, errors=errors)


def new_client(base_url: str, connections: int = 1) -> httpx.AsyncClient:
    """An HTTP client for loopback plain HTTP, with its own connection(s)."""
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    # Plain HTTP on loopback: no TLS, so no need to load the CA bundle (the costly part).
    return httpx.AsyncClient(base_url=base_url, limits=limits, timeout=60, verify=False)
