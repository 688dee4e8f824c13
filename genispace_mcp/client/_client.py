"""GeniSpace: the async client, one pooled httpx.AsyncClient and a namespace per API area."""

from __future__ import annotations

import os
from collections.abc import Mapping
from types import TracebackType
from typing import Any

import httpx

from genispace_mcp import __version__
from genispace_mcp.client._errors import ConfigurationError
from genispace_mcp.client._transport import (
    DEFAULT_TIMEOUT,
    Clock,
    Sleep,
    Transport,
    to_timeout,
)
from genispace_mcp.client.agents import Agents
from genispace_mcp.client.api_keys import APIKeys
from genispace_mcp.client.datasets import Datasets
from genispace_mcp.client.tasks import Tasks
from genispace_mcp.client.types.shared import RateLimit
from genispace_mcp.client.users import Users

__all__ = ["DEFAULT_BASE_URL", "GeniSpace"]

DEFAULT_BASE_URL = "https://api.genispace.ai/v1"
USER_AGENT = f"genispace-mcp/{__version__}"


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


_UNSET: Any = _Unset()


def _check_base_url(value: str) -> str:
    # A URL with user info may hold a password: never echo it.
    shown = "(a URL with credentials)" if "@" in value else repr(value)
    try:
        url = httpx.URL(value.strip())
    except (httpx.InvalidURL, TypeError) as exc:
        detail = "" if "@" in value else f": {exc}"
        raise ConfigurationError(f"GeniSpace base URL {shown} is not a URL{detail}") from None
    if url.userinfo:
        raise ConfigurationError(
            "GeniSpace base URL must not carry credentials; pass the key as api_key= "
            "or GENISPACE_API_KEY"
        )
    if url.scheme not in ("http", "https") or not url.host:
        raise ConfigurationError(
            f"GeniSpace base URL {shown} must be an http(s) URL with a host, "
            "e.g. https://api.genispace.ai/v1 (set GENISPACE_BASE_URL or pass base_url=)"
        )
    if url.query or url.fragment:
        raise ConfigurationError(f"GeniSpace base URL {shown} must not have a query or fragment")
    # Resource paths are joined under it, so the version prefix (/v1, /api) stays part of it.
    return str(url).rstrip("/")


class GeniSpace:
    """Async GeniSpace client: `async with GeniSpace() as gs: await gs.agents.list()`.

    `api_key` falls back to GENISPACE_API_KEY (a missing key is reported at the first call),
    `base_url` to GENISPACE_BASE_URL, then https://api.genispace.ai/v1. `timeout` is seconds (read;
    connecting keeps 5 s) or an httpx.Timeout. `sleep` replaces anyio.sleep for retry and polling
    waits (tests make them instant with it).
    """

    agents: Agents
    tasks: Tasks
    datasets: Datasets
    api_keys: APIKeys
    users: Users

    def __init__(
        self,
        api_key: str | None = None,
        base_url: str | None = None,
        *,
        timeout: float | httpx.Timeout | None = None,
        max_retries: int = 3,
        http_client: httpx.AsyncClient | None = None,
        default_headers: Mapping[str, str] | None = None,
        sleep: Sleep | None = None,
        clock: Clock | None = None,
    ) -> None:
        if api_key is None:
            api_key = os.environ.get("GENISPACE_API_KEY")
        if base_url is None:
            base_url = os.environ.get("GENISPACE_BASE_URL") or DEFAULT_BASE_URL
        if max_retries < 0:
            raise ConfigurationError("max_retries must be 0 or more")
        self._owns_http = http_client is None
        http = http_client or httpx.AsyncClient(timeout=DEFAULT_TIMEOUT)
        headers = {"User-Agent": USER_AGENT, **(default_headers or {})}
        self._setup(
            Transport(
                http=http,
                base_url=_check_base_url(base_url),
                api_key=(api_key or "").strip() or None,
                timeout=to_timeout(timeout, DEFAULT_TIMEOUT),
                max_retries=max_retries,
                headers=headers,
                sleep=sleep,
                clock=clock,
            )
        )

    def _setup(self, transport: Transport) -> None:
        self._transport = transport
        self.agents = Agents(transport)
        self.tasks = Tasks(transport)
        self.datasets = Datasets(transport)
        self.api_keys = APIKeys(transport)
        self.users = Users(transport)

    @property
    def base_url(self) -> str:
        """The base URL every resource path is joined to (with its version prefix, if any)."""
        return self._transport.base_url

    @property
    def rate_limit(self) -> RateLimit | None:
        """The last X-RateLimit-* headers seen by this client (None before any)."""
        return self._transport.rate_limit

    @property
    def max_retries(self) -> int:
        """How many times a failed request may be retried."""
        return self._transport.max_retries

    def with_options(
        self,
        *,
        api_key: str | None = _UNSET,
        base_url: str | None = _UNSET,
        timeout: float | httpx.Timeout | None = _UNSET,
        max_retries: int | None = _UNSET,
    ) -> GeniSpace:
        """A copy with other options sharing this client's connection pool.

        Cheap (used per request in multi-tenant mode); closing the copy leaves the pool open.
        An option left out (or None) keeps this client's value.
        """
        t = self._transport
        if max_retries not in (_UNSET, None) and max_retries < 0:
            raise ConfigurationError("max_retries must be 0 or more")
        copy = object.__new__(GeniSpace)
        copy._owns_http = False
        copy._setup(
            Transport(
                http=t.http,
                base_url=t.base_url if base_url in (_UNSET, None) else _check_base_url(base_url),
                api_key=t._api_key if api_key in (_UNSET, None) else (api_key.strip() or None),
                timeout=t.timeout if timeout in (_UNSET, None) else to_timeout(timeout, t.timeout),
                max_retries=t.max_retries if max_retries in (_UNSET, None) else max_retries,
                headers=t.headers,
                sleep=t.sleep,
                clock=t.clock,
                rand=t.rand,
            )
        )
        return copy

    async def aclose(self) -> None:
        """Close the connection pool (unless it was passed in, or this is a with_options copy)."""
        if self._owns_http:
            await self._transport.http.aclose()

    async def __aenter__(self) -> GeniSpace:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        key = "set" if self._transport._api_key else "missing"
        return f"GeniSpace(base_url={self.base_url!r}, api_key={key})"
