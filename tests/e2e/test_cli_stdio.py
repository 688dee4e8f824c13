"""`genispace-mcp` over stdio as a subprocess, against the sandbox: the wire, both eras, secrecy."""

from __future__ import annotations

import json
import socket
import sys
import tempfile
from collections.abc import Callable
from typing import Any

import anyio
import pytest
from anyio.abc import ByteReceiveStream
from mcp import Client
from mcp.client.stdio import StdioServerParameters, stdio_client

CLI = [sys.executable, "-m", "genispace_mcp.cli"]
HANDSHAKE = "2025-11-25"
STEP_TIMEOUT = 20  # seconds any one read may take


class Lines:
    """Newline-framed reads from a process stream, each bounded by a deadline."""

    def __init__(self, stream: ByteReceiveStream) -> None:
        self._stream = stream
        self._buffer = b""
        self.seen: list[bytes] = []

    async def next(self) -> bytes:
        with anyio.fail_after(STEP_TIMEOUT):
            while b"\n" not in self._buffer:
                self._buffer += await self._stream.receive()
        line, self._buffer = self._buffer.split(b"\n", 1)
        self.seen.append(line)
        return line

    async def rest(self) -> bytes:
        with anyio.fail_after(STEP_TIMEOUT):
            try:
                while True:
                    self._buffer += await self._stream.receive()
            except anyio.EndOfStream:
                pass
        return self._buffer


def request(id_: int, method: str, params: dict[str, Any] | None = None) -> bytes:
    message: dict[str, Any] = {"jsonrpc": "2.0", "id": id_, "method": method}
    if params is not None:
        message["params"] = params
    return json.dumps(message).encode() + b"\n"


INITIALIZE = request(
    1,
    "initialize",
    {
        "protocolVersion": HANDSHAKE,
        "capabilities": {},
        "clientInfo": {"name": "raw", "version": "0"},
    },
)
INITIALIZED = b'{"jsonrpc":"2.0","method":"notifications/initialized"}\n'


async def answer(lines: Lines, id_: int) -> dict[str, Any]:
    """The response to request `id_`; every line before it must be a JSON-RPC notification."""
    while True:
        message = json.loads(await lines.next())
        assert message["jsonrpc"] == "2.0"
        if message.get("id") == id_:
            return message
        assert "id" not in message, message  # a stray request or response is a bug
        assert "method" in message, message


async def test_stdout_carries_only_json_rpc_and_the_key_never_shows(
    sandbox: Any, cli_env: Callable[..., dict[str, str]]
) -> None:
    env = cli_env(
        GENISPACE_API_KEY=sandbox.admin_key,
        GENISPACE_BASE_URL=sandbox.base_url,
        GENISPACE_LOG_LEVEL="DEBUG",
    )
    async with await anyio.open_process(CLI, env=env) as process:
        assert process.stdin
        assert process.stdout
        assert process.stderr
        lines = Lines(process.stdout)
        await process.stdin.send(INITIALIZE)
        init = await answer(lines, 1)
        assert init["result"]["protocolVersion"] == HANDSHAKE
        assert init["result"]["serverInfo"]["name"] == "genispace-mcp"
        await process.stdin.send(INITIALIZED + request(2, "tools/list"))
        tools = (await answer(lines, 2))["result"]["tools"]
        await process.stdin.send(request(3, "tools/call", {"name": "whoami", "arguments": {}}))
        whoami = (await answer(lines, 3))["result"]
        assert not whoami.get("isError"), whoami
        await process.stdin.aclose()  # end of input: the server exits
        tail = await lines.rest()
        with anyio.fail_after(10):
            assert await process.wait() == 0
        stderr = (await Lines(process.stderr).rest()).decode()

    for line in [*lines.seen, *tail.splitlines()]:
        assert json.loads(line)["jsonrpc"] == "2.0"
    everything = b"\n".join(lines.seen).decode() + tail.decode() + stderr
    assert sandbox.admin_key not in everything
    assert "DEBUG" in stderr  # logs went to stderr, at the level asked

    # `genispace-mcp tools --json` prints exactly this array, without serving.
    printed = await anyio.run_process(
        [*CLI, "tools", "--json", "--protocol-version", HANDSHAKE], env=cli_env(), check=True
    )
    assert json.loads(printed.stdout) == tools


async def test_sdk_client_modern_era(sandbox: Any, cli_env: Callable[..., dict[str, str]]) -> None:
    # The handshake era is the raw test above (and the --sandbox test below).
    env = cli_env(GENISPACE_API_KEY=sandbox.admin_key, GENISPACE_BASE_URL=sandbox.base_url)
    params = StdioServerParameters(command=CLI[0], args=CLI[1:], env=env)
    with tempfile.TemporaryFile("w+") as errlog:
        async with Client(stdio_client(params, errlog=errlog), mode="auto") as client:
            assert client.session.protocol_version == "2026-07-28"
            names = [t.name for t in (await client.list_tools()).tools]
            assert "list_agents" in names
            result = await client.call_tool("list_agents", {})
            assert not result.is_error, result
            assert result.structured_content
        errlog.seek(0)
        assert sandbox.admin_key not in errlog.read()


async def test_no_network_call_before_the_first_tool_call(
    cli_env: Callable[..., dict[str, str]],
) -> None:
    # A "GeniSpace" that listens but is never served: any connection to it waits in the backlog,
    # where a non-blocking accept() finds it.
    with socket.create_server(("127.0.0.1", 0)) as upstream:
        upstream.setblocking(False)
        port = upstream.getsockname()[1]
        env = cli_env(
            GENISPACE_API_KEY="sk-never-used-0123",
            GENISPACE_BASE_URL=f"http://127.0.0.1:{port}/v1",
            GENISPACE_TIMEOUT="1",
            GENISPACE_MAX_RETRIES="0",
        )
        async with await anyio.open_process(CLI, env=env) as process:
            assert process.stdin
            assert process.stdout
            lines = Lines(process.stdout)
            with anyio.fail_after(20):
                await process.stdin.send(INITIALIZE)
                await answer(lines, 1)
                await process.stdin.send(INITIALIZED + request(2, "tools/list"))
                await answer(lines, 2)
            with pytest.raises(BlockingIOError):
                upstream.accept()  # nobody has connected yet
            await process.stdin.send(request(3, "tools/call", {"name": "whoami", "arguments": {}}))
            with anyio.fail_after(20):
                while True:  # the first tool call is what reaches out
                    try:
                        connection, _ = upstream.accept()
                    except BlockingIOError:
                        await anyio.sleep(0.01)
                        continue
                    connection.close()
                    break
            await process.stdin.aclose()
            with anyio.fail_after(15):
                await process.wait()


async def test_sandbox_flag_serves_demo_data_and_says_so(
    cli_env: Callable[..., dict[str, str]],
) -> None:
    params = StdioServerParameters(command=CLI[0], args=[*CLI[1:], "--sandbox"], env=cli_env())
    with tempfile.TemporaryFile("w+") as errlog:
        async with Client(stdio_client(params, errlog=errlog), mode="legacy") as client:
            result = await client.call_tool("list_agents", {})
            assert not result.is_error, result
            assert result.structured_content
            assert result.structured_content["total"] >= 1
        errlog.seek(0)
        banner = [line for line in errlog.read().splitlines() if "sandbox" in line.lower()]
    assert len(banner) == 1
    assert "SANDBOX" in banner[0]
    assert "http://127.0.0.1:" in banner[0]
