"""Rate limits and restarts: each test runs its own sandbox, configured for it."""

from __future__ import annotations

from pathlib import Path

import pytest

from genispace_mcp.client import GeniSpace, RateLimitError
from genispace_mcp.sandbox import SandboxServer, SandboxSettings


class FakeClock:
    """The sandbox's time: the rate-limit window moves only when the test says so."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


async def test_rate_limit_then_retry_succeeds() -> None:
    clock = FakeClock()
    settings = SandboxSettings(port=0, seed_demo=False, rate_limit=3, rate_window=60, clock=clock)
    with SandboxServer(settings) as sandbox:
        waits: list[float] = []

        async def sleep(seconds: float) -> None:  # the retry wait moves the sandbox's clock
            waits.append(seconds)
            clock.now += seconds

        async with GeniSpace(sandbox.admin_key, sandbox.base_url, sleep=sleep) as gs:
            for _ in range(3):
                await gs.users.get_profile()
            assert gs.rate_limit is not None
            assert gs.rate_limit.remaining == 0

            profile = await gs.users.get_profile()  # 429 -> waits Retry-After -> succeeds
            assert profile.id
            assert waits
            assert 0 < waits[0] <= 60

        async with GeniSpace(sandbox.admin_key, sandbox.base_url, max_retries=0) as strict:
            for _ in range(2):
                await strict.users.get_profile()
            with pytest.raises(RateLimitError) as caught:
                await strict.users.get_profile()
            assert caught.value.retry_after is not None


async def test_data_survives_a_restart(tmp_path: Path) -> None:
    settings = SandboxSettings(
        port=0, seed_demo=False, data_dir=tmp_path, admin_key="sk-" + "r" * 40
    )
    with SandboxServer(settings) as first:
        async with GeniSpace(first.admin_key, first.base_url) as gs:
            agent = await gs.agents.create(name="Survivor")
            dataset = await gs.datasets.create(name="Kept")
            await gs.datasets.import_records(dataset.id, [{"id": "a", "text": "still here"}])
    with SandboxServer(settings) as second:
        async with GeniSpace(second.admin_key, second.base_url) as gs:
            assert (await gs.agents.get(agent.id)).name == "Survivor"
            records = [r async for r in gs.datasets.export_records(dataset.id)]
            assert records == [{"id": "a", "text": "still here"}]
