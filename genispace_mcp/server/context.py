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
from dataclasses import dataclass
from typing import Any

from mcp.server.context import HandlerResult, ServerRequestContext

from genispace_mcp.client import ConfigurationError, GeniSpace, GeniSpaceError
from genispace_mcp.server.settings import Settings


@dataclass
class ServerState:
    """What the lifespan yields: the settings, and the client (or why there is none)."""

    settings: Settings
    client: GeniSpace | None
    client_error: GeniSpaceError | None = None


_state: ContextVar[ServerState | None] = ContextVar("genispace_mcp_state", default=None)
_request_client: ContextVar[GeniSpace | None] = ContextVar(
    "genispace_mcp_request_client", default=None
)


def lifespan(
    settings: Settings, client: GeniSpace | None = None
) -> Callable[[Any], AbstractAsyncContextManager[ServerState]]:
    """The MCPServer lifespan: open a client from `settings` (closed on exit), or use `client`.

    A client passed in belongs to the caller, who closes it. A configuration problem (no API key)
    does not stop the server: every tool then answers with an error that says what to set.
    """

    @asynccontextmanager
    async def open_client(_server: Any) -> AsyncIterator[ServerState]:
        if client is not None:
            yield ServerState(settings, client)
            return
        try:
            own = GeniSpace(
                api_key=settings.api_key,
                base_url=settings.base_url,
                timeout=settings.timeout,
                max_retries=settings.max_retries,
            )
        except ConfigurationError as exc:
            yield ServerState(settings, None, exc)
            return
        try:
            yield ServerState(settings, own)
        finally:
            await own.aclose()

    return open_client


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

    Raises the stored configuration error when there is no client, which the tool wrapper turns
    into a message naming the variable to set.
    """
    override = _request_client.get()
    if override is not None:
        return override
    state = server_state()
    if state.client is None:
        raise state.client_error or ConfigurationError("no GeniSpace client is configured")
    return state.client


def current_settings() -> Settings:
    """The settings of the server handling this request."""
    return server_state().settings
