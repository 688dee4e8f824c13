"""Contract fixtures: the real client talking to a real sandbox over loopback HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from genispace_mcp.client import GeniSpace
from genispace_mcp.sandbox import SandboxServer


async def _no_wait(_: float) -> None:
    """Retry and poll waits made instant: the sandbox is local, the tests never race a clock."""


@pytest.fixture
async def gs(sandbox: SandboxServer) -> AsyncIterator[GeniSpace]:
    """A client with the sandbox's admin key (every permission)."""
    async with GeniSpace(sandbox.admin_key, sandbox.base_url) as client:
        yield client
