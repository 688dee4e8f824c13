"""Shared helpers: a GeniSpace wired to an httpx.MockTransport, and a fake clock for instant waits."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from genispace_mcp.client import GeniSpace

KEY = "sk-test-0123456789abcdefSECRET"
BASE = "https://api.test/v1"

Handler = Callable[[httpx.Request], httpx.Response | Awaitable[httpx.Response]]


class FakeClock:
    """A monotonic clock that only moves when something sleeps on it: waits cost no real time."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


class Recorder:
    """A MockTransport handler that answers from a list of replies and keeps every request."""

    def __init__(self, *replies: httpx.Response | Exception | Handler) -> None:
        self.replies = list(replies)
        self.requests: list[httpx.Request] = []

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        self.requests.append(request)
        reply = self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]
        if isinstance(reply, Exception):
            raise reply
        if callable(reply):
            result = reply(request)
            return await result if not isinstance(result, httpx.Response) else result
        return reply

    def json_bodies(self) -> list[Any]:
        return [json.loads(r.content) if r.content else None for r in self.requests]


def reply(status: int = 200, body: Any = None, **headers: str) -> httpx.Response:
    """An httpx.Response with a JSON body (or an empty one when body is None)."""
    hdrs = {k.replace("_", "-"): v for k, v in headers.items()}
    if body is None:
        return httpx.Response(status, headers=hdrs)
    if isinstance(body, str | bytes):
        return httpx.Response(status, content=body, headers=hdrs)
    return httpx.Response(status, json=body, headers=hdrs)


def make_client(
    handler: Handler, clock: FakeClock | None = None, **kwargs: Any
) -> tuple[GeniSpace, FakeClock]:
    clock = clock or FakeClock()
    kwargs.setdefault("api_key", KEY)
    kwargs.setdefault("base_url", BASE)
    gs = GeniSpace(
        http_client=httpx.AsyncClient(transport=httpx.MockTransport(handler)),
        sleep=clock.sleep,
        clock=clock,
        **kwargs,
    )
    return gs, clock


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(autouse=True)
def _no_env(monkeypatch: pytest.MonkeyPatch) -> None:
    # The developer's own key or base URL must never leak into a test.
    monkeypatch.delenv("GENISPACE_API_KEY", raising=False)
    monkeypatch.delenv("GENISPACE_BASE_URL", raising=False)
