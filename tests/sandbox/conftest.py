"""Fixtures for the sandbox's own tests: an in-process app over an in-memory store, a fake clock."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from genispace_mcp.sandbox import SandboxSettings, Store, create_app
from genispace_mcp.sandbox.app import build_context
from genispace_mcp.sandbox.context import Context
from genispace_mcp.sandbox.seed import ensure_admin_key, ensure_owner, seed_demo

ADMIN_KEY = "sk-test-admin-0123456789abcdefghijklmnopqrstuvwxyz"
START = 1_796_299_200.0  # 2026-12-03T12:00:00Z, a window boundary for hourly rate limits


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, now: float = START) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class Harness:
    """A sandbox app served in-process through httpx.ASGITransport."""

    client: httpx.AsyncClient  # base URL http://sandbox/v1, authenticated as the admin
    ctx: Context
    clock: FakeClock
    admin_key: str = ADMIN_KEY

    def as_key(self, key: str | None) -> httpx.AsyncClient:
        """A client for the same app with another key (None: no Authorization header)."""
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        return httpx.AsyncClient(
            transport=self.client._transport, base_url=str(self.client.base_url), headers=headers
        )

    async def new_key(self, *permissions: str, **fields: Any) -> str:
        """Create a key with `permissions` (as the admin); its secret."""
        response = await self.client.post(
            "/api-keys", json={"name": "test key", "permissions": list(permissions), **fields}
        )
        assert response.status_code == 201, response.text
        return str(response.json()["key"])


HarnessFactory = Callable[..., Awaitable[Harness]]


@pytest.fixture
async def make_harness() -> AsyncIterator[HarnessFactory]:
    """Build harnesses with settings overrides (`seed_demo`, `rate_limit`, `faults`, ...)."""
    opened: list[tuple[Harness, Store]] = []

    async def make(**overrides: Any) -> Harness:
        clock = FakeClock()
        settings = SandboxSettings(
            port=0, seed_demo=False, rate_limit=10_000, clock=clock, admin_key=ADMIN_KEY
        )
        settings = dataclasses.replace(settings, **overrides)
        store = Store.open(settings.data_dir)
        ctx = build_context(store, settings)
        ensure_owner(ctx)
        ensure_admin_key(ctx, settings.admin_key)
        if settings.seed_demo:
            seed_demo(ctx)
        app = create_app(store, settings, ctx=ctx)
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="http://sandbox/v1",
            headers={"Authorization": f"Bearer {settings.admin_key}"},
        )
        harness = Harness(client, ctx, clock, settings.admin_key or ADMIN_KEY)
        opened.append((harness, store))
        return harness

    yield make
    for harness, store in opened:
        await harness.client.aclose()
        harness.ctx.runner.close()
        harness.ctx.index.close()
        store.close()


@pytest.fixture
async def harness(make_harness: HarnessFactory) -> Harness:
    """A fresh, empty sandbox (no demo data) with the admin client."""
    return await make_harness()
