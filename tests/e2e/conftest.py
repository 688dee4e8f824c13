"""Shared helpers for the real-transport tests: an ASGI app on a free loopback port, the command as a subprocess."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass

import anyio
import pytest
import uvicorn
from anyio.abc import Process
from starlette.types import ASGIApp

from genispace_mcp.server.transports import bind_socket

ServeApp = Callable[[ASGIApp], AbstractAsyncContextManager[str]]


@asynccontextmanager
async def _serve_app(app: ASGIApp) -> AsyncIterator[str]:
    """Serve `app` with uvicorn on 127.0.0.1:<free port> in this event loop; yields the base URL."""
    sock = bind_socket("127.0.0.1", 0)  # bound and listening before the URL is handed out
    port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(app, log_config=None, lifespan="on", timeout_graceful_shutdown=1)
    )
    try:
        async with anyio.create_task_group() as tg:
            # No readiness wait: the socket already listens, and uvicorn accepts from its backlog
            # only once the app's lifespan has started.
            tg.start_soon(lambda: server.serve(sockets=[sock]))
            try:
                yield f"http://127.0.0.1:{port}"
            finally:
                server.should_exit = True
    finally:
        sock.close()


@pytest.fixture
def serve_app() -> ServeApp:
    """`async with serve_app(app) as base_url:` serves an ASGI app on a free loopback port."""
    return _serve_app


# --- The command as a subprocess ---------------------------------------------------------------------

CLI = [sys.executable, "-m", "genispace_mcp.cli"]
_BANNER = re.compile(r"serving .* at (http://\S+)")


def _cli_env(**variables: str) -> dict[str, str]:
    """This process's environment without any GENISPACE_* variable, plus `variables`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GENISPACE_")}
    env.update(variables)
    return env


@dataclass
class CliServer:
    """A running `genispace-mcp --transport http|sse`: its URL and everything it wrote."""

    url: str
    stdout: bytearray
    stderr: list[str]

    @property
    def base(self) -> str:
        return self.url.rsplit("/", 1)[0]


@asynccontextmanager
async def _http_cli(
    args: list[str], env: dict[str, str], *, startup: float = 20
) -> AsyncIterator[CliServer]:
    """Run the command with `--port 0`, wait (bounded) for its banner, stop it on exit."""
    process = await anyio.open_process([*CLI, *args, "--port", "0"], env=env)
    stdout = bytearray()
    stderr: list[str] = []
    urls: list[str] = []
    ready = anyio.Event()

    async def read_stderr() -> None:
        assert process.stderr is not None
        buffer = b""
        async for chunk in process.stderr:
            buffer += chunk
            while b"\n" in buffer:
                line, buffer = buffer.split(b"\n", 1)
                text = line.decode(errors="replace")
                stderr.append(text)
                if not urls and (match := _BANNER.search(text)):
                    urls.append(match.group(1))
                    ready.set()
        ready.set()  # the process ended before its banner

    async def read_stdout() -> None:
        assert process.stdout is not None
        async for chunk in process.stdout:
            stdout.extend(chunk)

    try:
        async with anyio.create_task_group() as tg:
            tg.start_soon(read_stderr)
            tg.start_soon(read_stdout)
            try:
                with anyio.fail_after(startup):
                    await ready.wait()
                if not urls:
                    raise AssertionError("the server did not start:\n" + "\n".join(stderr))
                yield CliServer(urls[0], stdout, stderr)
            finally:
                await stop(process)
    finally:
        await stop(process)
        await process.aclose()


async def stop(process: Process) -> None:
    """Terminate, wait a bounded time, then kill."""
    if process.returncode is not None:
        return
    process.terminate()
    with anyio.move_on_after(10):
        await process.wait()
    if process.returncode is None:
        process.kill()
        with anyio.CancelScope(shield=True):
            await process.wait()


@pytest.fixture(name="cli_env")
def cli_env_fixture() -> Callable[..., dict[str, str]]:
    """`cli_env(GENISPACE_X="...")`: a clean environment for running the command."""
    return _cli_env


@pytest.fixture(name="http_cli")
def http_cli_fixture() -> Callable[..., AbstractAsyncContextManager[CliServer]]:
    """`async with http_cli(args, env) as server:` runs the command over HTTP on a free port."""
    return _http_cli
