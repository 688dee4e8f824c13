"""What every benchmark shares: the run's options and the one sandbox they all measure against."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from dataclasses import dataclass, field
from typing import Any

from bench.procs import REPO_ROOT, ServerExited, child_env


@dataclass(frozen=True, slots=True)
class SandboxInfo:
    """Where the benchmark sandbox listens and the admin key to call it with."""

    base_url: str
    api_key: str
    pid: int

    def server_env(self) -> dict[str, str]:
        """Environment pointing genispace-mcp at this sandbox."""
        return child_env({"GENISPACE_API_KEY": self.api_key, "GENISPACE_BASE_URL": self.base_url})


@dataclass
class Bench:
    """Options of one bench run, and the sandbox process started on first use."""

    quick: bool = False
    _sandbox_process: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    _sandbox: SandboxInfo | None = field(default=None, repr=False)
    demo: dict[str, Any] = field(default_factory=dict)

    def rounds(self, full: int, quick: int) -> int:
        """How many repetitions: `quick` in --quick mode, `full` otherwise."""
        return quick if self.quick else full

    def sandbox(self) -> SandboxInfo:
        """The shared benchmark sandbox (its own process, demo data, rate limits off)."""
        if self._sandbox is None:
            self._sandbox_process = subprocess.Popen(
                (sys.executable, "-m", "bench.sandbox_proc"),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                env=child_env(),
                cwd=REPO_ROOT,
            )
            assert self._sandbox_process.stdout is not None
            line = self._sandbox_process.stdout.readline()
            if not line:
                raise ServerExited("the benchmark sandbox did not start")
            info = json.loads(line)
            self._sandbox = SandboxInfo(
                info["base_url"], info["api_key"], self._sandbox_process.pid
            )
            self.demo = info.get("demo", {})
        return self._sandbox

    def close(self) -> None:
        """Stop the sandbox, if one was started."""
        process = self._sandbox_process
        if process is None:
            return
        assert process.stdin is not None
        process.stdin.close()  # the sandbox process exits when its stdin closes
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.terminate()
            process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()
        self._sandbox_process = None
        self._sandbox = None


def elapsed_since(start: float) -> float:
    """Seconds since a perf_counter() reading."""
    return time.perf_counter() - start
