"""SandboxSettings: everything the sandbox is configured by, built by the CLI or a test."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from genispace_mcp.sandbox.faults import FaultConfig

DEFAULT_PORT = 8900


@dataclass(frozen=True, slots=True)
class SandboxSettings:
    """The sandbox's configuration; the defaults are what `genispace-mcp sandbox` runs with."""

    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT  # 0: any free port (SandboxServer reports the one it got)
    data_dir: Path | None = None  # None: an in-memory database, gone when the process ends
    seed_demo: bool = True  # create the demo workspace on first start
    # A fixed admin key (sk-...) instead of a generated one; useful for scripts and tests.
    admin_key: str | None = field(default=None, repr=False)
    rate_limit: int = 100  # requests per key per window (the seed's example: 100 per hour)
    rate_window: float = 3600.0  # seconds
    max_body_bytes: int = 10 * 1024 * 1024
    faults: FaultConfig | None = None  # None: no fault injection
    run_workers: int = 4  # task runs executing at once; more wait as PENDING
    # The time source for timestamps, expiry and rate-limit windows (tests pass a fake clock).
    clock: Callable[[], float] = time.time
