"""The sandbox embedded in the MCP server's process (`genispace-mcp --sandbox`), started on first use."""

from __future__ import annotations

import logging
import secrets
import select
import socket
import threading
from typing import Any

logger = logging.getLogger(__name__)


class LazySandbox:
    """The in-process sandbox behind `--sandbox`: its port listens at once, it starts on first use.

    The socket is bound and listening before the server answers anything, so the base URL and
    the admin key are known up front; the sandbox itself (its imports, its SQLite store, the demo
    workspace) is only built when the first connection arrives, which waits in the listen backlog
    meanwhile. So the MCP handshake and tools/list pay nothing for it. If it cannot be built, the
    error is logged and the socket closes, so every call is refused at once rather than hanging.
    """

    def __init__(self, *, rate_limit: int = 10_000) -> None:
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            self._socket.bind(("127.0.0.1", 0))
            self._socket.listen(1024)
        except OSError:
            self._socket.close()
            raise
        self.port: int = self._socket.getsockname()[1]
        self.admin_key = "sk-" + secrets.token_urlsafe(32)
        self._rate_limit = rate_limit
        self._wake_r, self._wake_w = socket.socketpair()
        self._lock = threading.Lock()
        self._stopping = False
        self._sandbox: Any = None
        self._server: Any = None
        self._thread = threading.Thread(target=self._run, name="genispace-sandbox", daemon=True)

    @property
    def base_url(self) -> str:
        """The sandbox API's base URL, with its /v1 prefix."""
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self) -> LazySandbox:
        """Start watching the socket; returns at once."""
        self._thread.start()
        return self

    def _run(self) -> None:
        readable, _, _ = select.select([self._socket, self._wake_r], [], [])
        if self._wake_r in readable:
            return
        try:
            import uvicorn

            from genispace_mcp.sandbox import SandboxServer, SandboxSettings

            with self._lock:
                if self._stopping:
                    return
                self._sandbox = SandboxServer(
                    SandboxSettings(
                        port=self.port,
                        admin_key=self.admin_key,
                        seed_demo=True,
                        rate_limit=self._rate_limit,
                    )
                )
                app = self._sandbox.prepare()
                config = uvicorn.Config(app, lifespan="off", log_config=None, access_log=False)
                self._server = uvicorn.Server(config)
            self._server.run(sockets=[self._socket])
        except BaseException as exc:
            # Close the listening socket: connections waiting in its backlog (and every later one)
            # are refused at once, so tool calls fail fast instead of hanging until their timeout.
            self._socket.close()
            logger.error(
                "the sandbox could not start (%s: %s); every GeniSpace call will be refused",
                type(exc).__name__,
                exc,
            )

    def stop(self) -> None:
        """Stop serving and close the store (idempotent, bounded)."""
        with self._lock:
            self._stopping = True
            if self._server is not None:
                self._server.should_exit = True
        self._wake_w.send(b"x")
        if self._thread.is_alive():
            self._thread.join(timeout=10)
        if self._sandbox is not None:
            self._sandbox.stop()
        for sock in (self._socket, self._wake_r, self._wake_w):
            sock.close()
