"""Transports: serve the MCP server over stdio, Streamable HTTP (`/mcp`) or legacy SSE, safely.

HTTP safety, in the order a request meets it:

1. `/healthz` answers at once (no auth, no network): for load balancers and readiness probes.
2. The bearer gate (`auth.py`): with `--auth-token`, the token is compared in constant time; in multi-tenant
   mode the bearer token is the caller's own GeniSpace key, validated against `GET /users/me`
   (cached briefly under a salted hash of the key, never the key itself).
3. The SDK's DNS-rebinding protection (Host and Origin checks), always on unless the operator
   explicitly allows any Host with `--allowed-hosts '*'`.

Binding anything but loopback without a token or multi-tenant mode is refused at start.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp

from genispace_mcp import __version__
from genispace_mcp.server.auth import (
    HEALTH_PATH,
    BearerGate,
    KeyValidator,
    bind_request_key,
    genispace_probe,
)
from genispace_mcp.server.settings import Settings

if TYPE_CHECKING:
    from mcp.server import MCPServer
    from mcp.server.transport_security import TransportSecuritySettings

logger = logging.getLogger(__name__)

MCP_PATH = "/mcp"
SSE_PATH = "/sse"
SSE_MESSAGE_PATH = "/messages/"

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
