"""SandboxServer: the sandbox on a real loopback port, in a background thread or in the foreground.

    with SandboxServer(SandboxSettings(port=0)) as sandbox:
        httpx.get(sandbox.base_url + "/agents", headers={"Authorization": f"Bearer {sandbox.admin_key}"})

Used by `genispace-mcp sandbox`, by the MCP server's `--sandbox` mode and by tests.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import threading
import time
from typing import Any

import uvicorn
from starlette.applications import Starlette
from uvicorn.protocols.http.h11_impl import H11Protocol

from genispace_mcp.sandbox.app import build_context, close_app, create_app
from genispace_mcp.sandbox.auth import generate_secret
from genispace_mcp.sandbox.context import Context
from genispace_mcp.sandbox.embed import Embedder
from genispace_mcp.sandbox.gate import TRANSPORT_KEY
from genispace_mcp.sandbox.seed import ensure_admin_key, ensure_owner, seed_demo
from genispace_mcp.sandbox.settings import SandboxSettings
from genispace_mcp.sandbox.store import Store

logger = logging.getLogger("genispace_mcp.sandbox")

START_TIMEOUT = 30.0


class _Protocol(H11Protocol):
    """uvicorn's h11 protocol, handing each request its transport so the fault injector can
    reset a connection or cut a body short (an ASGI app cannot otherwise do either)."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        app = self.app

        async def with_transport(scope: Any, receive: Any, send: Any) -> None:
            scope.setdefault("extensions", {})[TRANSPORT_KEY] = transport
            await app(scope, receive, send)

        self.app = with_transport


class SandboxServer:
    """A running sandbox: `start()` returns once it listens; `stop()` shuts it down and closes
    the store. Attributes after start: `base_url` (`http://127.0.0.1:<port>/v1`), `url`, `port`,
    `admin_key` (always known: generated for this server when the settings give none),
    `admin_key_created` (False when a data dir already held that admin key)."""

    def __init__(
        self, settings: SandboxSettings | None = None, *, embedder: Embedder | None = None
    ) -> None:
        settings = settings or SandboxSettings(port=0)
        self.settings = settings
        self._embedder = embedder
        self._store: Store | None = None
        self._app: Starlette | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.admin_key: str = ""
        self.admin_key_created = False
        self.admin_key_prefix = ""
        self.demo_seeded = False
        self.port = 0
        self.startup_seconds = 0.0  # start(): from the call to listening
        self.prepare_seconds = 0.0  # prepare(): opening the store, seeding

    @property
    def url(self) -> str:
        """The root URL (`/healthz` lives here)."""
        return f"http://{self._url_host()}:{self.port}"

    @property
    def base_url(self) -> str:
        """The API base URL, with the `/v1` prefix."""
        return self.url + "/v1"

    @property
    def context(self) -> Context:
        """The running sandbox's shared state (for tests and embedders)."""
        if self._app is None:
            raise RuntimeError("the sandbox is not started")
        ctx: Context = self._app.state.sandbox
        return ctx

    def _url_host(self) -> str:
        host = self.settings.host
        if host in ("0.0.0.0", ""):
            return "127.0.0.1"
        return f"[{host}]" if ":" in host else host

    def prepare(self, *, generate_admin_key: bool = True) -> Starlette:
        """Open the store, create the owner, the admin key and (when asked) the demo; the app.

        With `generate_admin_key` and no fixed key in the settings, a fresh admin key is made for
        this server so that `admin_key` is always usable; the CLI passes False to keep one admin
        key per data dir (printed only when created).
        """
        started = time.perf_counter()
        store = Store.open(self.settings.data_dir)
        self._store = store
        ctx = build_context(store, self.settings, self._embedder)
        ensure_owner(ctx)
        fixed = self.settings.admin_key or (generate_secret() if generate_admin_key else None)
        key, self.admin_key_created, self.admin_key_prefix = ensure_admin_key(ctx, fixed)
        self.admin_key = key or ""
        if self.settings.seed_demo:
            self.demo_seeded = seed_demo(ctx)
        self._app = create_app(store, self.settings, ctx=ctx)
        self.prepare_seconds = time.perf_counter() - started
        return self._app

    def _config(self) -> uvicorn.Config:
        assert self._app is not None
        return uvicorn.Config(
            self._app,
            host=self.settings.host,
            port=self.settings.port,
            http=_Protocol,
            lifespan="off",
            log_level="warning",
            log_config=None,  # leave logging to the embedder: never reconfigure it globally
            access_log=False,
            timeout_graceful_shutdown=2,
        )

    def start(self) -> SandboxServer:
        """Start serving in a background thread; returns once the port is open."""
        started = time.perf_counter()
        if self._app is None:
            self.prepare()
            started += self.prepare_seconds  # reported apart
        self._server = uvicorn.Server(self._config())
        self._thread = threading.Thread(
            target=self._server.run, name="genispace-sandbox", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + START_TIMEOUT
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self._close_store()
                raise RuntimeError(
                    f"the sandbox could not listen on {self.settings.host}:{self.settings.port}"
                )
            time.sleep(0.005)
        self.port = self._server.servers[0].sockets[0].getsockname()[1]
        self.startup_seconds = time.perf_counter() - started
        logger.info("sandbox listening on %s", self.base_url)
        return self

    def wait(self) -> None:
        """Block until the server stops (KeyboardInterrupt still gets through)."""
        while self._thread is not None and self._thread.is_alive():
            self._thread.join(timeout=0.5)

    def stop(self) -> None:
        """Stop serving, cancel unfinished runs, close the store (idempotent)."""
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
        self._server = None
        self._close_store()

    def _close_store(self) -> None:
        if self._app is not None:
            close_app(self._app)
            self._app = None
        if self._store is not None:
            self._store.close()
            self._store = None

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def with_settings(self, **changes: Any) -> SandboxServer:
        """A new, unstarted server with some settings changed (e.g. to restart on a data dir)."""
        return SandboxServer(dataclasses.replace(self.settings, **changes), embedder=self._embedder)
