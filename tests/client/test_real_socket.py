"""The client over real sockets: a tiny scripted HTTP server on 127.0.0.1 sends platform-shaped
bodies, 429s with Retry-After, 500s and 503s, connection resets, slow and streamed replies."""

from __future__ import annotations

import json
import socket
import struct
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from genispace_mcp.client import (
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    GeniSpace,
    InternalServerError,
    RateLimitError,
    RunStatus,
)
from tests.client.conftest import KEY, FakeClock

# An action: ("json", status, body, headers) | ("reset",) | ("slow", seconds, status, body)
# | ("stream", [lines]).
Action = tuple[Any, ...]


@dataclass
class Hit:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Script:
    """What the server answers, per (method, path): actions in order, the last one repeating."""

    actions: dict[tuple[str, str], list[Action]] = field(default_factory=dict)
    hits: list[Hit] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)

    def on(self, method: str, path: str, *actions: Action) -> None:
        self.actions[(method, path)] = list(actions)

    def next(self, method: str, path: str) -> Action:
        queue = self.actions.get((method, path))
        if not queue:
            return (
                "json",
                404,
                {"error": {"code": "not_found", "message": f"no route {path}"}},
                {},
            )
        return queue.pop(0) if len(queue) > 1 else queue[0]

    def count(self, method: str, path: str) -> int:
        return sum(1 for h in self.hits if (h.method, h.path) == (method, path))


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, so the client's pool is exercised
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # silence stderr
        pass

    def _handle(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else b""
        path = self.path.split("?", 1)[0]
        script = self.server.script
        script.hits.append(Hit(self.command, path, dict(self.headers.items()), body))
        action = script.next(self.command, path)
        kind = action[0]
        if kind == "reset":
            # SO_LINGER 0 makes close() send a RST: the client sees a reset, not a clean close.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            return
        if kind == "slow":
            _, seconds, status, payload = action
            script.release.wait(seconds)
            self._json(status, payload, {})
            return
        if kind == "stream":
            self._stream(action[1])
            return
        _, status, payload, headers = action
        self._json(status, payload, headers)

    def _json(self, status: int, payload: Any, headers: dict[str, str]) -> None:
        data = b"" if payload is None else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("X-Request-Id", f"req_{len(self.server.script.hits)}")
        self.send_header("X-RateLimit-Limit", "100")
        self.send_header("X-RateLimit-Remaining", str(100 - len(self.server.script.hits)))
        self.send_header("X-RateLimit-Reset", str(int(time.time()) + 3600))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _stream(self, lines: list[str]) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/x-ndjson")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for line in lines:
            chunk = (line + "\n").encode()
            self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
            self.wfile.flush()
        self.wfile.write(b"0\r\n\r\n")

    do_GET = do_POST = do_PUT = do_DELETE = _handle


class _Server(ThreadingHTTPServer):
    # Handler threads are joined by server_close(), so no test leaves one behind.
    daemon_threads = False
    block_on_close = True
    script: Script

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that gave up on a slow reply makes the late write fail: expected


@pytest.fixture
def server() -> Iterator[tuple[str, Script]]:
    httpd = _Server(("127.0.0.1", 0), Handler)
    httpd.script = Script()
    thread = threading.Thread(
        target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-genispace"
    )
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/v1", httpd.script
    finally:
        httpd.script.release.set()  # let any slow reply finish at once
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)
        assert not thread.is_alive()


def _client(base_url: str, clock: FakeClock, **kwargs: Any) -> GeniSpace:
    return GeniSpace(api_key=KEY, base_url=base_url, sleep=clock.sleep, **kwargs)


PROFILE = {"id": "usr_1", "email": "a@b.c", "createdAt": "2024-03-01T10:00:00Z"}


async def test_platform_envelopes_and_rate_limit_headers(server: tuple[str, Script]) -> None:
    base, script = server
    script.on(
        "GET", "/v1/users/me", ("json", 200, {"success": True, "data": PROFILE, "code": 200}, {})
    )
    agents = [{"id": f"agt_{i}", "agentType": "CHAT"} for i in range(5)]
    script.on(
        "GET",
        "/v1/agents",
        (
            "json",
            200,
            {
                "data": agents[:3],
                "pagination": {"page": 1, "pageSize": 3, "total": 5, "totalPages": 2},
            },
            {},
        ),
        (
            "json",
            200,
            {
                "data": agents[3:],
                "pagination": {"page": 2, "pageSize": 3, "total": 5, "totalPages": 2},
            },
            {},
        ),
    )
    script.on("DELETE", "/v1/agents/agt_1", ("json", 200, None, {}))
    clock = FakeClock()
    async with _client(base, clock) as gs:
        me = await gs.users.get_profile()
        assert me.email == "a@b.c"
        assert [a.id async for a in gs.agents.iterate(page_size=3)] == [a["id"] for a in agents]
        assert await gs.agents.delete("agt_1") is None
        assert gs.rate_limit is not None
        assert gs.rate_limit.remaining == 96
    assert script.hits[0].headers["Authorization"] == f"Bearer {KEY}"
    assert script.hits[0].headers["User-Agent"].startswith("genispace-mcp/")


async def test_429_with_retry_after_then_success(server: tuple[str, Script]) -> None:
    base, script = server
    limited = {"error": {"code": "RATE_LIMIT_EXCEEDED", "message": "Too many requests"}}
    script.on(
        "GET",
        "/v1/users/me",
        ("json", 429, limited, {"Retry-After": "3"}),
        ("json", 200, PROFILE, {}),
    )
    clock = FakeClock()
    async with _client(base, clock) as gs:
        assert (await gs.users.get_profile()).id == "usr_1"
    assert clock.sleeps == [3.0]
    assert script.count("GET", "/v1/users/me") == 2


async def test_429_beyond_the_cap_fails_fast(server: tuple[str, Script]) -> None:
    base, script = server
    limited = {"error": {"code": "rate_limit_exceeded", "message": "Too many requests"}}
    script.on("GET", "/v1/users/me", ("json", 429, limited, {"Retry-After": "3600"}))
    async with _client(base, FakeClock()) as gs:
        with pytest.raises(RateLimitError) as info:
            await gs.users.get_profile()
    assert info.value.retry_after == 3600
    assert script.count("GET", "/v1/users/me") == 1


async def test_500_fails_fast_and_503_is_retried(server: tuple[str, Script]) -> None:
    base, script = server
    script.on(
        "GET",
        "/v1/agents/agt_1",
        ("json", 500, {"error": {"code": "INTERNAL_ERROR", "message": "bug"}}, {}),
    )
    script.on(
        "GET",
        "/v1/agents/agt_2",
        ("json", 503, {"error": {"code": "service_unavailable", "message": "busy"}}, {}),
        ("json", 503, {"error": {"code": "service_unavailable", "message": "busy"}}, {}),
        ("json", 200, {"id": "agt_2"}, {}),
    )
    async with _client(base, FakeClock()) as gs:
        with pytest.raises(InternalServerError, match="bug") as info:
            await gs.agents.get("agt_1")
        assert info.value.request_id == "req_1"
        assert (await gs.agents.get("agt_2")).id == "agt_2"
    assert script.count("GET", "/v1/agents/agt_1") == 1
    assert script.count("GET", "/v1/agents/agt_2") == 3


async def test_503_on_a_post_without_key_is_not_retried(server: tuple[str, Script]) -> None:
    base, script = server
    script.on(
        "POST",
        "/v1/agents/agt_1/chat",
        ("json", 503, {"error": {"code": "x", "message": "busy"}}, {}),
    )
    async with _client(base, FakeClock()) as gs:
        with pytest.raises(InternalServerError):
            await gs.agents.chat("agt_1", "hi")
    assert script.count("POST", "/v1/agents/agt_1/chat") == 1


async def test_connection_reset(server: tuple[str, Script]) -> None:
    base, script = server
    script.on(
        "GET",
        "/v1/tasks/runs/run_1",
        ("reset",),
        ("json", 200, {"id": "run_1", "status": "SUCCEEDED"}, {}),
    )
    script.on("POST", "/v1/agents/agt_1/chat", ("reset",))
    script.on(
        "POST",
        "/v1/tasks/tsk_1/run",
        ("reset",),
        ("json", 202, {"id": "run_1", "status": "PENDING"}, {}),
    )
    async with _client(base, FakeClock()) as gs:
        run = await gs.tasks.get_run("run_1")  # a read: retried
        assert run.status is RunStatus.COMPLETED
        with pytest.raises(APIConnectionError) as info:  # a chat may have run: not repeated
            await gs.agents.chat("agt_1", "hi")
        assert KEY not in str(info.value)
        run = await gs.tasks.run("tsk_1", {"a": 1})  # the Idempotency-Key makes it safe
        assert run.status is RunStatus.PENDING
    assert script.count("GET", "/v1/tasks/runs/run_1") == 2
    assert script.count("POST", "/v1/agents/agt_1/chat") == 1
    runs = [h for h in script.hits if h.path == "/v1/tasks/tsk_1/run"]
    assert len(runs) == 2
    assert runs[0].headers["Idempotency-Key"] == runs[1].headers["Idempotency-Key"]


async def test_refused_connection(server: tuple[str, Script]) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    clock = FakeClock()
    async with _client(f"http://127.0.0.1:{port}/v1", clock, max_retries=2) as gs:
        with pytest.raises(APIConnectionError, match="Could not reach GeniSpace") as info:
            await gs.users.get_profile()
    assert not isinstance(info.value, APITimeoutError)
    assert len(clock.sleeps) == 2


async def test_slow_reply_times_out(server: tuple[str, Script]) -> None:
    base, script = server
    script.on("GET", "/v1/users/me", ("slow", 30, 200, PROFILE))
    started = time.monotonic()
    async with _client(base, FakeClock(), timeout=0.3, max_retries=1) as gs:
        with pytest.raises(APITimeoutError):
            await gs.users.get_profile()
    assert time.monotonic() - started < 10
    assert script.count("GET", "/v1/users/me") == 2


async def test_slow_reply_within_the_timeout_succeeds(server: tuple[str, Script]) -> None:
    base, script = server
    script.on("GET", "/v1/users/me", ("slow", 0.3, 200, PROFILE))
    async with _client(base, FakeClock(), timeout=5) as gs:
        assert (await gs.users.get_profile()).id == "usr_1"


async def test_flat_auth_error_never_shows_the_key(server: tuple[str, Script]) -> None:
    base, script = server
    body = {
        "success": False,
        "error": f"API Key {KEY} invalid or expired",
        "code": "INVALID_API_KEY",
    }
    script.on("GET", "/v1/users/me", ("json", 401, body, {}))
    async with _client(base, FakeClock()) as gs:
        with pytest.raises(AuthenticationError) as info:
            await gs.users.get_profile()
    for text in (str(info.value), repr(info.value), info.value.message):
        assert KEY not in text


async def test_streamed_export_and_batched_import(server: tuple[str, Script]) -> None:
    base, script = server
    lines = [json.dumps({"id": f"rec_{i}", "text": f"t{i}"}) for i in range(250)]
    script.on("GET", "/v1/datasets/ds_1/export", ("stream", lines))
    answer = {"datasetId": "ds_1", "imported": 100, "failed": 0, "errors": []}
    script.on("POST", "/v1/datasets/ds_1/import", ("json", 200, answer, {}))
    async with _client(base, FakeClock()) as gs:
        records = [r async for r in gs.datasets.export_records("ds_1")]
        assert len(records) == 250
        result = await gs.datasets.import_records("ds_1", records[:200], batch_size=100)
        assert result.imported == 200
    keys = [h.headers["Idempotency-Key"] for h in script.hits if h.path.endswith("/import")]
    assert len(set(keys)) == 2


async def test_a_pool_passed_in_reaches_the_server(server: tuple[str, Script]) -> None:
    base, script = server
    script.on("GET", "/v1/users/me", ("json", 200, PROFILE, {}))
    async with httpx.AsyncClient() as http:
        gs = GeniSpace(api_key=KEY, base_url=base, http_client=http)
        assert (await gs.users.get_profile()).id == "usr_1"
        await gs.aclose()
        assert not http.is_closed
