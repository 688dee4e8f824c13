"""Context: the lifespan that opens and closes the GeniSpace client, and how a handler reaches it.

A handler (tool, resource, prompt or completion) calls `current_client()` and `current_settings()`.
They read two context variables:

- the server state, set for every inbound request by the `bind_state` middleware from the lifespan
  (one client per connection lifespan, opened lazily: no network call before the first request);
- an optional per-request client, set with `use_client(...)`. Multi-tenant HTTP sets it from the
  caller's bearer token, for the duration of one request::

      async def per_tenant(ctx, call_next):  # a ServerMiddleware appended to mcp.middleware
          base = server_state(ctx).client  # shares the connection pool
          with use_client(base.with_options(api_key=token_from(ctx))):
              return await call_next(ctx)

  which needs no other change anywhere: every handler goes through `current_client()`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from mcp.server.context import HandlerResult, ServerRequestContext

from genispace_mcp.server.settings import Settings

if TYPE_CHECKING:
    from genispace_mcp.client import GeniSpace, GeniSpaceError


class ServerState:
    """What the lifespan yields: the settings and this connection's GeniSpace client.

    The client (and httpx with it) is created on first use, so connecting and listing tools cost
    no import, no socket and no configuration check: a slow or misconfigured GeniSpace can never
    delay the handshake. A bad configuration surfaces as the first tool's error instead.
    """

    def __init__(self, settings: Settings, client: GeniSpace | None = None) -> None:
        self.settings = settings
        self._client = client
        self._owned = client is None  # a client passed in stays the caller's to close
        self.client_error: GeniSpaceError | None = None  # why the settings made no client

    @property
    def client(self) -> GeniSpace | None:
        """The connection's client, created from the settings on first use.

        None when the settings cannot make one (a malformed base URL); `client_error` says why.
        A missing key is reported by the client itself, at its first request.
        """
        if self._client is None and self.client_error is None:
            from genispace_mcp.client import ConfigurationError, GeniSpace

            try:
                self._client = GeniSpace(
                    api_key=self.settings.api_key,
                    base_url=self.settings.base_url,
                    timeout=self.settings.timeout,
                    max_retries=self.settings.max_retries,
                )
            except ConfigurationError as exc:
                self.client_error = exc
        return self._client

    async def aclose(self) -> None:
        """Close the client if this state opened it."""
        if self._owned and self._client is not None:
            client, self._client = self._client, None
            await client.aclose()


_state: ContextVar[ServerState | None] = ContextVar("genispace_mcp_state", default=None)
_request_client: ContextVar[GeniSpace | None] = ContextVar(
    "genispace_mcp_request_client", default=None
)


def lifespan(
    settings: Settings, client: GeniSpace | None = None
) -> Callable[[Any], AbstractAsyncContextManager[ServerState]]:
    """The MCPServer lifespan: one state per connection, its client closed when it ends.

    `client`, when given, serves every request and stays the caller's to close.
    """

    @asynccontextmanager
    async def open_state(_server: Any) -> AsyncIterator[ServerState]:
        state = ServerState(settings, client)
        try:
            yield state
        finally:
            await state.aclose()

    return open_state


async def bind_state(
    ctx: ServerRequestContext[Any, Any], call_next: Callable[..., Any]
) -> HandlerResult:
    """Server middleware: make this connection's state visible to the handler of each request."""
    state = ctx.lifespan_context
    if not isinstance(state, ServerState):
        return await call_next(ctx)
    token = _state.set(state)
    try:
        return await call_next(ctx)
    finally:
        _state.reset(token)


def server_state(ctx: ServerRequestContext[Any, Any] | None = None) -> ServerState:
    """The state of the connection serving this request (from `ctx` when given)."""
    state = ctx.lifespan_context if ctx is not None else _state.get()
    if not isinstance(state, ServerState):
        raise RuntimeError("genispace-mcp state is only available while serving a request")
    return state


@contextmanager
def use_client(client: GeniSpace) -> Iterator[None]:
    """Serve the requests made inside this block with `client` (e.g. a caller's own key)."""
    token = _request_client.set(client)
    try:
        yield
    finally:
        _request_client.reset(token)


def current_client() -> GeniSpace:
    """The GeniSpace client for this request: the per-request one if set, else the connection's.

    A configuration problem raises the client's `ConfigurationError`, which the tool wrapper turns
    into a message naming what to fix.
    """
    override = _request_client.get()
    if override is not None:
        return override
    state = server_state()
    client = state.client
    if client is None:
        from genispace_mcp.client import ConfigurationError

        raise state.client_error or ConfigurationError("no GeniSpace client is configured")
    return client


def current_settings() -> Settings:
    """The settings of the server handling this request."""
    return server_state().settings
