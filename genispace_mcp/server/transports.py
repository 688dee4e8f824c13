"""Transports: serve the MCP server over stdio, Streamable HTTP (`/mcp`) or legacy SSE, safely.

HTTP safety, in the order a request meets it:

1. `/healthz` answers at once (no auth, no network): for load balancers and readiness probes.
2. The bearer gate: with `--auth-token`, the token is compared in constant time; in multi-tenant
   mode the bearer token is the caller's own GeniSpace key, validated against `GET /users/me`
   (cached briefly under a salted hash of the key, never the key itself).
3. The SDK's DNS-rebinding protection (Host and Origin checks), always on unless the operator
   explicitly allows any Host with `--allowed-hosts '*'`.

Binding anything but loopback without a token or multi-tenant mode is refused at start.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
import os
import socket
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import anyio
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from genispace_mcp import __version__
from genispace_mcp.server.settings import Settings

if TYPE_CHECKING:
    from mcp.server import MCPServer
    from mcp.server.context import CallNext, HandlerResult, ServerRequestContext
    from mcp.server.transport_security import TransportSecuritySettings

logger = logging.getLogger(__name__)

MCP_PATH = "/mcp"
SSE_PATH = "/sse"
SSE_MESSAGE_PATH = "/messages/"
HEALTH_PATH = "/healthz"

# How long a key validation is trusted. Every upstream call is made with the caller's own key, so
# GeniSpace still refuses a key revoked inside this window; the cache only spares the key's rate
# limit (100 requests an hour by default) a /users/me call per MCP request.
KEY_VALID_TTL = 300.0
KEY_INVALID_TTL = 30.0
KEY_CACHE_SIZE = 4096

# Where the bearer gate leaves a multi-tenant caller's key for the MCP layer (ASGI scope state).
_SCOPE_KEY = "genispace_api_key"

_LOOPBACK_NAMES = ("localhost",)
_WILDCARD_HOSTS = ("0.0.0.0", "::", "")


class TransportConfigError(ValueError):
    """A transport setting that cannot work; the message says what to change."""


def is_loopback(host: str) -> bool:
    """True when `host` only accepts connections from this machine."""
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_settings(settings: Settings) -> None:
    """Refuse transport settings that would be unsafe or cannot work; raises TransportConfigError."""
    if settings.transport == "stdio":
        return
    if not 0 <= settings.port <= 65535:
        raise TransportConfigError(f"--port must be between 0 and 65535, not {settings.port}")
    if settings.auth_token is not None and len(settings.auth_token) < 16:
        raise TransportConfigError(
            "GENISPACE_MCP_AUTH_TOKEN / --auth-token must be at least 16 characters; "
            "generate one with: python -c 'import secrets; print(secrets.token_urlsafe(32))'"
        )
    if settings.multi_tenant and settings.auth_token:
        raise TransportConfigError(
            "--multi-tenant and --auth-token cannot be combined: in multi-tenant mode each client's "
            "bearer token is its own GeniSpace API key"
        )
    if settings.multi_tenant and settings.transport != "http":
        raise TransportConfigError(
            "--multi-tenant needs --transport http: legacy SSE keeps a session per connection, "
            "so it cannot serve each request with the key that came with it"
        )
    if not is_loopback(settings.host) and not (settings.auth_token or settings.multi_tenant):
        raise TransportConfigError(
            f"refusing to serve on {settings.host}: a non-loopback address is reachable from other "
            "machines. Set GENISPACE_MCP_AUTH_TOKEN (or --auth-token) so clients must send "
            "'Authorization: Bearer <token>', or use --multi-tenant so each client sends its own "
            "GeniSpace API key; or bind 127.0.0.1."
        )


def _host_patterns(host: str) -> list[str]:
    """The Host header values that mean `host`: as given when it names a port, else bare and with any."""
    try:
        if ipaddress.ip_address(host.strip("[]")).version == 6:
            host = f"[{host.strip('[]')}]"  # an IPv6 literal, as a Host header spells it
    except ValueError:
        pass
    if ":" in host.rsplit("]", 1)[-1]:  # a port (or ":*") already
        return [host]
    return [host, f"{host}:*"]


def transport_security(settings: Settings) -> TransportSecuritySettings:
    """DNS-rebinding protection: loopback names, the bound host and --allowed-hosts are accepted."""
    from mcp.server.transport_security import TransportSecuritySettings

    if "*" in settings.allowed_hosts:
        logger.warning(
            "--allowed-hosts '*': Host and Origin checks are off (DNS-rebinding protection)"
        )
        return TransportSecuritySettings(enable_dns_rebinding_protection=False)
    hosts: list[str] = []
    for host in ("127.0.0.1", "localhost", "::1", *settings.allowed_hosts):
        hosts += _host_patterns(host)
    if settings.host not in _WILDCARD_HOSTS and not is_loopback(settings.host):
        hosts += _host_patterns(settings.host)
    elif settings.host in _WILDCARD_HOSTS and not settings.allowed_hosts:
        logger.warning(
            "serving on %s, but only requests whose Host is 127.0.0.1, localhost or [::1] are "
            "accepted (DNS-rebinding protection): add the name clients use with --allowed-hosts",
            settings.host or "all addresses",
        )
    origins = [
        "http://127.0.0.1:*",
        "http://localhost:*",
        "http://[::1]:*",
        *settings.allowed_origins,
    ]
    return TransportSecuritySettings(
        enable_dns_rebinding_protection=True, allowed_hosts=hosts, allowed_origins=origins
    )


# --- The bearer gate -------------------------------------------------------------------------------

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
    with use_client(base.with_options(api_key=key)):
        return await call_next(ctx)


# --- Apps and serving ------------------------------------------------------------------------------


async def _healthz(request: Request) -> Response:
    # Liveness only: no GeniSpace call, so a slow platform never fails the probe.
    return JSONResponse({"status": "ok", "name": "genispace-mcp", "version": __version__})


def http_app(
    server: MCPServer[Any],
    settings: Settings,
    *,
    validator: KeyValidator | None = None,
) -> ASGIApp:
    """The ASGI app for `settings.transport` ("http" or "sse"): MCP routes, /healthz, the bearer gate.

    In multi-tenant mode (`validator` defaults to one asking GeniSpace) Streamable HTTP runs
    stateless, so any instance behind a load balancer can serve any request.
    """
    security = transport_security(settings)
    routes = getattr(server, "_custom_starlette_routes", [])
    if not any(getattr(route, "path", None) == HEALTH_PATH for route in routes):
        server.custom_route(HEALTH_PATH, methods=["GET"], include_in_schema=False)(_healthz)
    app: ASGIApp
    if settings.transport == "sse":
        app = server.sse_app(
            sse_path=SSE_PATH,
            message_path=SSE_MESSAGE_PATH,
            transport_security=security,
            host=settings.host,
        )
    else:
        app = server.streamable_http_app(
            streamable_http_path=MCP_PATH,
            stateless_http=settings.multi_tenant,
            transport_security=security,
            host=settings.host,
        )
    if settings.multi_tenant:
        if bind_request_key not in server.middleware:
            server.middleware.append(bind_request_key)
        return BearerGate(app, validator=validator or KeyValidator(genispace_probe(settings)))
    if settings.auth_token:
        return BearerGate(app, token=settings.auth_token)
    return app


def bind_socket(host: str, port: int) -> socket.socket:
    """A listening TCP socket on host:port (port 0: a free one), IPv4 or IPv6 as the host says."""
    family = socket.AF_INET6 if ":" in host.strip("[]") else socket.AF_INET
    if host.strip("[]") not in _WILDCARD_HOSTS and family == socket.AF_INET:
        # A name (localhost, a DNS name): let the resolver pick the family.
        info = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        family = info[0]
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host.strip("[]") or "0.0.0.0", port))
        sock.listen(1024)
        sock.set_inheritable(True)
    except OSError:
        sock.close()
        raise
    return sock


def endpoint_url(settings: Settings, port: int) -> str:
    """The URL a local client uses to reach the MCP endpoint."""
    host = settings.host
    if host in _WILDCARD_HOSTS:
        host = "127.0.0.1"
    elif ":" in host and not host.startswith("["):
        host = f"[{host}]"
    path = SSE_PATH if settings.transport == "sse" else MCP_PATH
    return f"http://{host}:{port}{path}"


async def serve(
    server: MCPServer[Any],
    settings: Settings,
    *,
    on_ready: Callable[[str], None] | None = None,
) -> None:
    """Serve `server` over `settings.transport` until the client goes away or a signal stops it.

    For HTTP and SSE the socket is bound before `on_ready(url)` is called, so a client may connect
    as soon as it hears of the URL.
    """
    check_settings(settings)
    if settings.transport == "stdio":
        await server.run_stdio_async()
        return

    import uvicorn

    app = http_app(server, settings)
    sock = bind_socket(settings.host, settings.port)
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app,
        log_config=None,  # uvicorn's default config writes access logs to stdout
        access_log=logger.isEnabledFor(logging.DEBUG),
        server_header=False,
        timeout_graceful_shutdown=3,
        lifespan="on",
    )
    if on_ready is not None:
        on_ready(endpoint_url(settings, port))
    try:
        await uvicorn.Server(config).serve(sockets=[sock])
    finally:
        sock.close()
