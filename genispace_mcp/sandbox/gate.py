"""The gate every request passes: request id, faults, body limit, auth, rate limit, usage, errors.

A pure ASGI middleware (not BaseHTTPMiddleware) so streamed exports pass through untouched. It sits
inside Starlette's ServerErrorMiddleware and outside the exception handlers, so any exception a
handler lets escape still ends as a seed-form 500 here, never a traceback on the wire.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
import socket
import struct
from typing import Any

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from genispace_mcp.sandbox.auth import hash_secret
from genispace_mcp.sandbox.context import Context
from genispace_mcp.sandbox.errors import ApiError
from genispace_mcp.sandbox.ids import day, iso, parse_iso
from genispace_mcp.sandbox.ratelimit import Window

logger = logging.getLogger("genispace_mcp.sandbox")

API_PREFIX = "/v1"
# Served without a key, never rate limited or faulted.
OPEN_PATHS = frozenset({"/healthz", "/v1/openapi.json"})
# Where SandboxServer's protocol puts the connection's transport (for reset/truncate faults).
TRANSPORT_KEY = "genispace.sandbox.transport"
TRUNCATE_KEY = "genispace.sandbox.truncate"


class Gate:
    """See the module docstring."""

    def __init__(self, app: ASGIApp, context: Context) -> None:
        self.app = app
        self.ctx = context

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state: dict[str, Any] = {"started": False, "status": 0}
        extra = {"X-Request-Id": "req_" + secrets.token_hex(8)}

        async def send_with_headers(message: Message) -> None:
            if state.get("dropped"):
                return
            if message["type"] == "http.response.body" and scope.get(TRUNCATE_KEY):
                body = message.get("body", b"")
                await send(
                    {
                        "type": "http.response.body",
                        "body": body[: len(body) // 2],
                        "more_body": True,
                    }
                )
                state["dropped"] = True
                await _drop(scope.get("extensions", {}).get(TRANSPORT_KEY), reset=False)
                return
            if message["type"] == "http.response.start":
                state["started"] = True
                state["status"] = message["status"]
                headers = MutableHeaders(raw=list(message.get("headers", [])))
                for name, value in extra.items():
                    headers[name] = value
                message = {**message, "headers": headers.raw}
            await send(message)

        key: dict[str, Any] | None = None
        try:
            admitted = await self._admit(scope, extra, send_with_headers)
            if admitted is False:
                return
            key = admitted if isinstance(admitted, dict) else None
            scope["genispace.sandbox.key"] = key
            await self.app(scope, self._limited(scope, receive), send_with_headers)
        except ApiError as exc:
            if not state["started"]:
                self._fill_rate_headers(scope, extra)
                await self._send_error(exc, send_with_headers)
        except (ConnectionResetError, asyncio.CancelledError):
            raise
        except Exception:
            logger.exception("unhandled error serving %s %s", scope["method"], scope["path"])
            if not state["started"]:
                self._fill_rate_headers(scope, extra)
                await self._send_error(ApiError(500), send_with_headers)
        finally:
            if isinstance(key, dict):
                self._record(scope, key, state["status"] or 500)

    async def _admit(
        self, scope: Scope, extra: dict[str, str], send: Send
    ) -> dict[str, Any] | bool | None:
        """Faults, body limit, auth and rate limit. Returns the key document, None for an open
        path, or False when the request has been answered (or dropped) already."""
        path: str = scope["path"]
        headers = Headers(scope=scope)
        client = scope.get("client")
        caller_ip = client[0] if client else "unknown"
        open_path = path in OPEN_PATHS or not path.startswith(API_PREFIX + "/")

        if not open_path and self.ctx.faults is not None:
            fault = self.ctx.faults.draw()
            if fault is not None and await self._inject(fault, scope, extra, send):
                return False

        length = headers.get("content-length")
        if length is not None:
            try:
                too_big = int(length) > self.ctx.settings.max_body_bytes
            except ValueError:
                raise ApiError(
                    400, "Bad Content-Length header", {"field": "Content-Length"}
                ) from None
            if too_big:
                raise self._too_large()

        if open_path:
            extra.update(self.ctx.limiter.hit("ip:" + caller_ip, consume=False).headers())
            return None

        key, problem = self._authenticate(headers.get("authorization"))
        if key is None:
            window = self.ctx.limiter.hit("ip:" + caller_ip)
            extra.update(window.headers())
            if not window.allowed:
                raise self._too_many(window)
            raise ApiError(401, problem, {"reason": problem})
        window = self.ctx.limiter.hit(key["id"])
        extra.update(window.headers())
        scope["genispace.sandbox.window"] = window
        if not window.allowed:
            self._record(scope, key, 429)
            raise self._too_many(window)
        return key

    def _fill_rate_headers(self, scope: Scope, extra: dict[str, str]) -> None:
        """Rate-limit headers for an answer refused before the rate-limit step (every response
        carries them): the caller's address window, not consumed."""
        if "X-RateLimit-Limit" not in extra:
            client = scope.get("client")
            caller = "ip:" + (client[0] if client else "unknown")
            extra.update(self.ctx.limiter.hit(caller, consume=False).headers())

    def _authenticate(self, header: str | None) -> tuple[dict[str, Any] | None, str]:
        if not header:
            return None, "Missing API key: send 'Authorization: Bearer sk-...'"
        scheme, _, secret = header.partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            return None, "Malformed Authorization header: expected 'Bearer sk-...'"
        row = self.ctx.store.key_by_hash(hash_secret(secret.strip()))
        if row is None:
            return None, "Invalid API key"
        if row.revoked:
            return None, "API key has been revoked"
        expires = row.doc.get("expiresAt")
        if expires:
            try:
                expired = parse_iso(expires) <= self.ctx.now()
            except ValueError:
                expired = True
            if expired:
                return None, "API key has expired"
        return row.doc, ""

    def _limited(self, scope: Scope, receive: Receive) -> Receive:
        """`receive` that refuses bodies over the limit even when no Content-Length was sent."""
        limit = self.ctx.settings.max_body_bytes
        seen = 0

        async def receive_limited() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise self._too_large()
            return message

        return receive_limited

    def _too_large(self) -> ApiError:
        limit = self.ctx.settings.max_body_bytes
        return ApiError(413, f"Request body exceeds {limit} bytes", {"limitBytes": limit})

    @staticmethod
    def _too_many(window: Window) -> ApiError:
        return ApiError(
            429,
            f"Rate limit of {window.limit} requests exceeded; retry in {window.retry_after} s",
            {"limit": window.limit, "reset": window.reset, "retryAfter": window.retry_after},
            headers=window.headers(),
        )

    def _record(self, scope: Scope, key: dict[str, Any], status: int) -> None:
        if scope.get("genispace.sandbox.recorded"):
            return
        scope["genispace.sandbox.recorded"] = True
        now = self.ctx.now()
        client = scope.get("client")
        try:
            self.ctx.store.record_request(
                key["id"],
                day(now),
                scope.get("genispace.sandbox.endpoint", "unmatched"),
                status >= 400,
                client[0] if client else None,
                iso(now),
            )
        except Exception:  # statistics must never break a request
            logger.exception("could not record usage")

    @staticmethod
    async def _send_error(error: ApiError, send: Send) -> None:
        body = json.dumps(error.body()).encode("utf-8")
        headers = MutableHeaders(
            {"content-type": "application/json", "content-length": str(len(body))}
        )
        for name, value in error.headers.items():
            headers[name] = value
        await send({"type": "http.response.start", "status": error.status, "headers": headers.raw})
        await send({"type": "http.response.body", "body": body})

    async def _inject(self, fault: str, scope: Scope, extra: dict[str, str], send: Send) -> bool:
        """Apply a drawn fault; True when the request is finished (answered or dropped)."""
        extra["X-Sandbox-Fault"] = fault
        if fault == "slow":
            await asyncio.sleep(self.ctx.faults.config.delay if self.ctx.faults else 0)
            return False
        if fault == "429":
            raise ApiError(
                429,
                "Injected fault: rate limit exceeded",
                {"fault": fault},
                headers={"Retry-After": "1"},
            )
        if fault in ("500", "503"):
            raise ApiError(int(fault), f"Injected fault: HTTP {fault}", {"fault": fault})
        transport = scope.get("extensions", {}).get(TRANSPORT_KEY)
        if fault == "reset":
            await _drop(transport)
            return True
        # truncate: the request is served, but the connection drops halfway through the body.
        scope[TRUNCATE_KEY] = True
        return False


async def _drop(transport: Any, reset: bool = True) -> None:
    """End the connection when the server gave us its transport: a reset (RST) or, for a
    truncated body, a close (FIN) after what was already sent."""
    if transport is None:
        # No transport (e.g. httpx.ASGITransport in tests): the nearest equivalent is an error
        # raised into the caller.
        raise ConnectionResetError("injected fault: connection dropped")
    if reset:
        sock = transport.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        transport.abort()
    else:
        transport.close()
    # Let the server notice the disconnect before we return, so it does not log a missing response.
    for _ in range(3):
        await asyncio.sleep(0)
