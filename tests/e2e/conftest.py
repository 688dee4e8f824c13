"""Shared helpers for the real-transport tests: serve an ASGI app on a free loopback port."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import anyio
import pytest
import uvicorn
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
