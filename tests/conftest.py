"""Fixtures shared by every test package: a running, demo-seeded sandbox on a loopback port."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from genispace_mcp.sandbox import SandboxServer, SandboxSettings


@pytest.fixture(scope="session")
def sandbox() -> Iterator[SandboxServer]:
    """A sandbox on 127.0.0.1 (free port) with the demo workspace and a generous rate limit.

    Use `sandbox.base_url` (`http://127.0.0.1:<port>/v1`) and `sandbox.admin_key` (permission
    `*`). Shared by the whole session: create what you need, do not rely on counts.
    """
    server = SandboxServer(SandboxSettings(port=0, seed_demo=True, rate_limit=1_000_000))
    server.start()
    try:
        yield server
    finally:
        server.stop()
