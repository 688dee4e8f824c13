"""Per-key rate limits: a fixed window (default 100 requests per hour, as in the seed's example)."""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Window:
    """The state of one caller's window after a request: what the rate-limit headers say."""

    limit: int
    remaining: int
    reset: int  # Unix seconds when the window ends
    allowed: bool
    retry_after: int  # seconds until reset, at least 1

    def headers(self) -> dict[str, str]:
        """`X-RateLimit-*` (and `Retry-After` when refused)."""
        headers = {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": str(self.reset),
        }
        if not self.allowed:
            headers["Retry-After"] = str(self.retry_after)
        return headers


class RateLimiter:
    """Counts requests per caller in fixed windows aligned to multiples of `window` seconds."""

    def __init__(self, limit: int, window: float, clock: Callable[[], float]) -> None:
        self.limit = limit
        self.window = window
        self._clock = clock
        self._counts: dict[str, tuple[int, int]] = {}  # caller -> (window index, requests)
        self._lock = threading.Lock()

    def hit(self, caller: str, consume: bool = True) -> Window:
        """Count a request of `caller` (unless `consume` is False) and say whether it is allowed."""
        now = self._clock()
        index = int(now // self.window)
        with self._lock:
            current, count = self._counts.get(caller, (index, 0))
            if current != index:
                count = 0
            allowed = count < self.limit
            if consume and allowed:
                count += 1
            self._counts[caller] = (index, count)
        reset = (index + 1) * self.window
        return Window(
            limit=self.limit,
            remaining=max(0, self.limit - count),
            reset=math.ceil(reset),
            allowed=allowed or not consume,
            retry_after=max(1, math.ceil(reset - now)),
        )
