"""One request(): URL join, auth, retries, envelope decoding, error mapping, rate limits, logging."""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import anyio
import httpx

from genispace_mcp.client import _retry
from genispace_mcp.client._errors import (
    APIConnectionError,
    APIResponseError,
    APITimeoutError,
    ConfigurationError,
    error_for,
    redact,
)
from genispace_mcp.client.types.shared import RateLimit

__all__ = ["DEFAULT_TIMEOUT", "LONG_TIMEOUT", "Reply", "Transport", "segment", "to_timeout"]

logger = logging.getLogger("genispace_mcp.client")

DEFAULT_CONNECT_TIMEOUT = 5.0
DEFAULT_TIMEOUT = httpx.Timeout(60.0, connect=DEFAULT_CONNECT_TIMEOUT)
# Chat and execute run a model; the platform's own callers give them five minutes.
LONG_TIMEOUT = httpx.Timeout(300.0, connect=DEFAULT_CONNECT_TIMEOUT)

API_KEY_ENV = "GENISPACE_API_KEY"
_SENSITIVE_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "x-api-key"})

Sleep = Callable[[float], Awaitable[None]]
Clock = Callable[[], float]


def to_timeout(value: float | httpx.Timeout | None, default: httpx.Timeout) -> httpx.Timeout:
    """A number is the read/write/pool timeout in seconds; connecting keeps its own short limit."""
    if value is None:
        return default
    if isinstance(value, httpx.Timeout):
        return value
    seconds = float(value)
    return httpx.Timeout(seconds, connect=min(seconds, DEFAULT_CONNECT_TIMEOUT))


def segment(value: Any, name: str = "id") -> str:
    """Check an id and percent-encode it as one path segment, before any I/O."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{name} must be a non-empty string, got {value!r}")
    if value in (".", ".."):  # would climb the path instead of naming a resource
        raise ValueError(f"{name} {value!r} is not a valid id")
    return quote(value, safe="")


def _is_header_safe(value: str) -> bool:
    return value.isascii() and value.isprintable() and " " not in value


def _redacted_headers(headers: httpx.Headers) -> dict[str, str]:
    return {k: ("[redacted]" if k.lower() in _SENSITIVE_HEADERS else v) for k, v in headers.items()}


@dataclass(slots=True)
class Reply:
    """A decoded success: the payload (envelope removed) and the envelope's other fields."""

    data: Any
    meta: dict[str, Any] = field(default_factory=dict)
    status_code: int = 200
    headers: httpx.Headers = field(default_factory=httpx.Headers)


def _request_id(response: httpx.Response) -> str | None:
    value: str | None = response.headers.get("x-request-id")
    return value


def decode(response: httpx.Response, secrets: tuple[str, ...] = ()) -> Reply:
    """Unwrap every success shape the platform sends; raise on `success: false`.

    Shapes: the bare object (the seed), `{success, data, ...}`, `{data: [...], pagination}`,
    `{items, total, page, limit}`, and an empty body (DELETE, 204).
    """
    if not response.content.strip():
        return Reply(None, {}, response.status_code, response.headers)
    try:
        body = json.loads(response.content)
    except ValueError:
        raise APIResponseError(
            f"GeniSpace answered {response.request.method} {response.request.url.path} "
            f"with HTTP {response.status_code} and a body that is not JSON "
            f"({response.headers.get('content-type', 'no content type')})",
            status_code=response.status_code,
            request_id=_request_id(response),
        ) from None
    if isinstance(body, dict) and body.get("success") is False:
        raise error_for(response, body=body, secrets=secrets)
    data, meta = _unwrap(body)
    return Reply(data, meta, response.status_code, response.headers)


# Keys of an envelope around `data`. A body holding only these (`{"code": 0, "data": {...},
# "message": "ok"}`) is an envelope even without `success`; a resource has keys of its own.
_ENVELOPE_KEYS = frozenset(
    {"success", "data", "message", "msg", "code", "status", "timestamp", "requestId", "request_id"}
)


def _unwrap(body: Any) -> tuple[Any, dict[str, Any]]:
    if not isinstance(body, dict):
        return body, {}
    if "data" in body and ("success" in body or body.keys() <= _ENVELOPE_KEYS):
        meta = {k: v for k, v in body.items() if k != "data"}
        inner, inner_meta = _unwrap_list(body["data"])
        return inner, {**meta, **inner_meta}
    return _unwrap_list(body)


def _unwrap_list(body: Any) -> tuple[Any, dict[str, Any]]:
    # Only a list under `data`/`items`/... (or a `pagination` beside `data`) marks a list
    # envelope, and never in a body with an `id`: a resource may have a field of those names.
    if isinstance(body, dict) and "id" not in body:
        for key in ("data", "items", "records", "results"):
            value = body.get(key)
            if isinstance(value, list) or (key == "data" and "pagination" in body):
                return value, {k: v for k, v in body.items() if k != key}
    return body, {}


class Transport:
    """Sends requests for one GeniSpace client; shares its httpx pool with with_options() copies."""

    def __init__(
        self,
        *,
        http: httpx.AsyncClient,
        base_url: str,
        api_key: str | None,
        timeout: httpx.Timeout,
        max_retries: int,
        headers: Mapping[str, str],
        sleep: Sleep | None = None,
        clock: Clock | None = None,
        rand: Callable[[], float] = random.random,
    ) -> None:
        self.http = http
        self.base_url = base_url
        self.timeout = timeout
        self.max_retries = max_retries
        self.headers = dict(headers)
        self.sleep: Sleep = sleep or anyio.sleep
        self.clock: Clock = clock or time.monotonic
        self.rand = rand
        self.rate_limit: RateLimit | None = None
        self._api_key = api_key

    @property
    def secrets(self) -> tuple[str, ...]:
        return (self._api_key,) if self._api_key else ()

    def url(self, path: str) -> str:
        """Join a resource path to the base URL (which carries any version prefix)."""
        return f"{self.base_url}/{path.lstrip('/')}"

    def _build(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None,
        json_body: Any,
        content: bytes | None,
        headers: Mapping[str, str] | None,
        timeout: float | httpx.Timeout | None,
        idempotency_key: str | None,
    ) -> httpx.Request:
        if not self._api_key:
            raise ConfigurationError(
                f"No GeniSpace API key: set the {API_KEY_ENV} environment variable "
                "or pass api_key= to GeniSpace()"
            )
        if not _is_header_safe(self._api_key):
            raise ConfigurationError(
                f"The GeniSpace API key ({API_KEY_ENV}) contains spaces, line breaks or "
                "non-ASCII characters; copy the key again"
            )
        merged = {
            **self.headers,
            "Authorization": f"Bearer {self._api_key}",
            "Accept": "application/json",
            **(headers or {}),
        }
        if idempotency_key:
            merged["Idempotency-Key"] = idempotency_key
        query = {k: v for k, v in (params or {}).items() if v is not None}
        return self.http.build_request(
            method,
            self.url(path),
            params=query or None,
            json=json_body if content is None else None,
            content=content,
            headers=merged,
            timeout=to_timeout(timeout, self.timeout),
        )

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | httpx.Timeout | None = None,  # noqa: ASYNC109 - the documented per-call HTTP timeout
        idempotency_key: str | None = None,
        replayable: bool = False,
    ) -> Reply:
        """Send one API call with retries and return the decoded success, or raise its error.

        `replayable` marks a POST that only reads (a query), safe to retry like a GET.
        """
        request = self._build(
            method,
            path,
            params=params,
            json_body=json,
            content=content,
            headers=headers,
            timeout=timeout,
            idempotency_key=idempotency_key,
        )
        response = await self._send(request, stream=False, replayable=replayable)
        return decode(response, self.secrets)

    @asynccontextmanager
    async def stream(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        timeout: float | httpx.Timeout | None = None,  # noqa: ASYNC109 - the documented per-call HTTP timeout
    ) -> AsyncIterator[httpx.Response]:
        """Open a streamed reply (retried until its headers arrive); the body is read by the caller."""
        request = self._build(
            method,
            path,
            params=params,
            json_body=None,
            content=None,
            headers=None,
            timeout=timeout,
            idempotency_key=None,
        )
        response = await self._send(request, stream=True, replayable=False)
        try:
            yield response
        except httpx.TimeoutException as exc:
            raise APITimeoutError(f"GeniSpace stopped sending {request.url.path}: {exc}") from None
        except httpx.TransportError as exc:
            raise APIConnectionError(
                f"The connection broke while reading {request.url.path}: {type(exc).__name__}"
            ) from None
        finally:
            await response.aclose()

    async def _send(
        self, request: httpx.Request, *, stream: bool, replayable: bool
    ) -> httpx.Response:
        method = request.method
        has_key = "idempotency-key" in request.headers
        attempt = 0
        while True:
            started = self.clock()
            logger.debug(
                "%s %s headers=%s", method, request.url, _redacted_headers(request.headers)
            )
            try:
                response = await self.http.send(request, stream=stream)
            except httpx.TransportError as exc:
                sent = not isinstance(
                    exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout
                )
                if not _retry.should_retry(
                    method="GET" if replayable else method,
                    attempt=attempt,
                    max_retries=self.max_retries,
                    sent=sent,
                    idempotency_key=has_key,
                ):
                    raise self._connection_error(request, exc, attempt) from None
                delay = _retry.retry_delay(attempt, rand=self.rand)
                logger.info(
                    "%s %s failed (%s); retry %d/%d in %.2fs",
                    method,
                    request.url.path,
                    type(exc).__name__,
                    attempt + 1,
                    self.max_retries,
                    delay,
                )
                await self.sleep(delay)
                attempt += 1
                continue

            elapsed_ms = (self.clock() - started) * 1000
            self._remember_rate_limit(response)
            logger.debug(
                "%s %s -> %d in %.0f ms (request id %s)",
                method,
                request.url.path,
                response.status_code,
                elapsed_ms,
                _request_id(response),
            )
            if response.is_success:
                return response

            if stream:
                try:
                    await response.aread()  # the error body, for error_for()
                except httpx.TransportError:
                    pass  # the status alone still makes a useful error
                finally:
                    await response.aclose()
            wait = _retry.server_wait(response.headers, response.status_code, time.time())
            if _retry.should_retry(
                method="GET" if replayable else method,
                attempt=attempt,
                max_retries=self.max_retries,
                status_code=response.status_code,
                idempotency_key=has_key,
                server_wait=wait,
            ):
                delay = _retry.retry_delay(attempt, server_wait=wait, rand=self.rand)
                logger.info(
                    "%s %s -> %d; retry %d/%d in %.2fs",
                    method,
                    request.url.path,
                    response.status_code,
                    attempt + 1,
                    self.max_retries,
                    delay,
                )
                await self.sleep(delay)
                attempt += 1
                continue
            error = error_for(response, secrets=self.secrets, retry_after=wait)
            logger.info("%s %s failed: %r", method, request.url.path, error)
            raise error

    def _connection_error(
        self, request: httpx.Request, exc: httpx.TransportError, attempt: int
    ) -> APIConnectionError:
        tries = f" after {attempt + 1} attempts" if attempt else ""
        detail = redact(str(exc) or type(exc).__name__, self.secrets)
        if isinstance(exc, httpx.TimeoutException):
            message = f"GeniSpace did not answer {request.method} {request.url.path} in time{tries} ({type(exc).__name__})"
            logger.info("%s", message)
            return APITimeoutError(message)
        message = (
            f"Could not reach GeniSpace at {self.base_url}{tries}: {type(exc).__name__}: {detail}"
        )
        logger.info("%s", message)
        return APIConnectionError(message)

    def _remember_rate_limit(self, response: httpx.Response) -> None:
        seen = RateLimit.from_headers(response.headers)
        if seen is not None:
            self.rate_limit = seen
