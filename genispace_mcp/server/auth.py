"""HTTP auth: the bearer gate in front of the MCP routes, and the multi-tenant key validator.

With `--auth-token` the gate compares the bearer token in constant time. In multi-tenant mode the
bearer token is the caller's own GeniSpace key: `KeyValidator` checks it against `GET /users/me`
(cached briefly under a salted hash of the key, never the key itself), and `bind_request_key`
serves that MCP request with that key only.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import anyio
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from genispace_mcp.server.settings import Settings

if TYPE_CHECKING:
    from mcp.server.context import CallNext, HandlerResult, ServerRequestContext

logger = logging.getLogger(__name__)

# The liveness route, which the gate lets through unauthenticated (load balancers, probes).
HEALTH_PATH = "/healthz"

# How long a key validation is trusted. Every upstream call is made with the caller's own key, so
# GeniSpace still refuses a key revoked inside this window; the cache only spares the key's rate
# limit (100 requests an hour by default) a /users/me call per MCP request.
KEY_VALID_TTL = 300.0
KEY_INVALID_TTL = 30.0
KEY_CACHE_SIZE = 4096

# Where the bearer gate leaves a multi-tenant caller's key for the MCP layer (ASGI scope state).
_SCOPE_KEY = "genispace_api_key"

Verdict = Literal["valid", "invalid", "unavailable"]


@dataclass(frozen=True, slots=True)
class _Cached:
    verdict: Verdict
    expires: float


class KeyValidator:
    """Checks that a bearer token is a working GeniSpace API key, with a small TTL cache.

    `probe(key)` does the real check (by default `GET /users/me` through the GeniSpace client) and
    answers "valid", "invalid" or "unavailable" (GeniSpace could not be reached: not cached).
    The cache is keyed by a keyed BLAKE2b digest with a per-process salt, so no key is stored.
    """

    def __init__(
        self,
        probe: Callable[[str], Awaitable[Verdict]],
        *,
        valid_ttl: float = KEY_VALID_TTL,
        invalid_ttl: float = KEY_INVALID_TTL,
        max_entries: int = KEY_CACHE_SIZE,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._probe = probe
        self._ttl: dict[Verdict, float] = {"valid": valid_ttl, "invalid": invalid_ttl}
        self._max_entries = max_entries
        self._clock = clock
        self._salt = os.urandom(16)
        self._cache: OrderedDict[bytes, _Cached] = OrderedDict()
        self._locks: dict[bytes, anyio.Lock] = {}

    def _digest(self, key: str) -> bytes:
        return hashlib.blake2b(key.encode(), key=self._salt, digest_size=32).digest()

    async def check(self, key: str) -> Verdict:
        """The verdict for `key`, from the cache while fresh, else from GeniSpace (once at a time)."""
        digest = self._digest(key)
        verdict = self._fresh(digest)
        if verdict is not None:
            return verdict
        # Concurrent first requests with one key wait for a single probe (each costs the key a
        # request of its rate limit).
        lock = self._locks.setdefault(digest, anyio.Lock())
        try:
            async with lock:
                verdict = self._fresh(digest)
                if verdict is not None:
                    return verdict
                verdict = await self._probe(key)
                if verdict != "unavailable":
                    self._cache[digest] = _Cached(verdict, self._clock() + self._ttl[verdict])
                    self._cache.move_to_end(digest)
                    while len(self._cache) > self._max_entries:
                        self._cache.popitem(last=False)
                return verdict
        finally:
            if not lock.locked() and lock.statistics().tasks_waiting == 0:
                self._locks.pop(digest, None)

    def _fresh(self, digest: bytes) -> Verdict | None:
        cached = self._cache.get(digest)
        if cached is not None and cached.expires > self._clock():
            return cached.verdict
        return None


def genispace_probe(settings: Settings) -> Callable[[str], Awaitable[Verdict]]:
    """A probe asking GeniSpace (`GET /users/me`) whether a key works. One pooled HTTP client."""
    state: dict[str, Any] = {}

    async def probe(key: str) -> Verdict:
        from genispace_mcp.client import (
            APIConnectionError,
            AuthenticationError,
            GeniSpace,
            GeniSpaceError,
            InternalServerError,
            RateLimitError,
        )

        if "client" not in state:
            # Built lazily: no network (nor client import) before the first request. Keyless
            # ("" also skips the GENISPACE_API_KEY fallback): each probe brings the key it checks.
            state["client"] = GeniSpace(
                api_key="", base_url=settings.base_url, timeout=min(settings.timeout, 15.0)
            )
        client = state["client"].with_options(api_key=key, max_retries=1)
        try:
            await client.users.get_profile()
        except AuthenticationError:
            return "invalid"
        except (APIConnectionError, InternalServerError, RateLimitError):
            return "unavailable"
        except GeniSpaceError as exc:
            # A 403 on /users/me (which needs only a valid key) still proves the key exists.
            status = getattr(exc, "status_code", None)
            return "valid" if status == 403 else "unavailable"
        return "valid"

    return probe


def _auth_error(status: int, error: str, description: str) -> Response:
    headers = {"WWW-Authenticate": f'Bearer realm="genispace-mcp", error="{error}"'}
    if status == 503:
        headers = {"Retry-After": "5"}
    return JSONResponse(
        {"error": error, "error_description": description}, status_code=status, headers=headers
    )


def _bearer(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            if scheme.lower() == "bearer" and token.strip():
                return token.strip()
            return None
    return None


class BearerGate:
    """ASGI middleware: every path but /healthz needs `Authorization: Bearer <token>`."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        token: str | None = None,
        validator: KeyValidator | None = None,
    ) -> None:
        if (token is None) == (validator is None):
            raise ValueError("BearerGate needs exactly one of token or validator")
        self.app = app
        self._token = token.encode() if token is not None else None
        self._validator = validator

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") == HEALTH_PATH:
            await self.app(scope, receive, send)
            return
        bearer = _bearer(scope)
        if bearer is None:
            hint = (
                "send your GeniSpace API key as 'Authorization: Bearer <key>'"
                if self._validator
                else "send 'Authorization: Bearer <token>' with the server's GENISPACE_MCP_AUTH_TOKEN"
            )
            await _auth_error(401, "invalid_token", f"authentication required: {hint}")(
                scope, receive, send
            )
            return
        if self._token is not None:
            if not hmac.compare_digest(bearer.encode(), self._token):
                await _auth_error(401, "invalid_token", "the bearer token is not accepted")(
                    scope, receive, send
                )
                return
        else:
            assert self._validator is not None
            verdict = await self._validator.check(bearer)
            if verdict == "invalid":
                await _auth_error(
                    401, "invalid_token", "the bearer token is not a valid GeniSpace API key"
                )(scope, receive, send)
                return
            if verdict == "unavailable":
                await _auth_error(
                    503,
                    "temporarily_unavailable",
                    "GeniSpace could not be reached to check the key",
                )(scope, receive, send)
                return
            scope.setdefault("state", {})[_SCOPE_KEY] = bearer
        await self.app(scope, receive, send)


async def bind_request_key(
    ctx: ServerRequestContext[Any, Any], call_next: CallNext
) -> HandlerResult:
    """MCP middleware: serve each request with the GeniSpace key its HTTP request brought.

    The key travels in the ASGI scope of the HTTP request that the SDK hands every handler context,
    so it reaches the handler whatever task the SDK runs it in. The per-request client shares the
    server's connection pool (`with_options`), and `current_client()` returns it to every tool.
    """
    from genispace_mcp.server.context import server_state, use_client

    request = ctx.request
    key = request.scope.get("state", {}).get(_SCOPE_KEY) if isinstance(request, Request) else None
    if key is None:
        return await call_next(ctx)
    # Fails closed: a tenant's request is never served with the server's own key.
    base = server_state(ctx).client
    if base is None:  # a configuration error (bad base URL) that every tool reports
        return await call_next(ctx)
    with use_client(base.with_options(api_key=key), tenant=tenant_of(key)):
        return await call_next(ctx)


# Per-process salt: a tenant's name is stable while the server runs and reveals nothing of the key.
_TENANT_SALT = os.urandom(16)


def tenant_of(key: str) -> str:
    """A caller's stable, keyed digest: names its per-caller caches without holding its key."""
    return hashlib.blake2b(key.encode(), key=_TENANT_SALT, digest_size=16).hexdigest()
