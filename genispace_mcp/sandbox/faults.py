"""Fault injection: a chosen share of requests made slow, refused, failed, reset or truncated.

Off unless configured. The spec is the one of `--faults` and `GENISPACE_SANDBOX_FAULTS`:

    rate=0.3,seed=7,kinds=slow,429,500,503,reset,truncate,delay=1.5

`rate` is the share of `/v1` requests that get a fault, `kinds` the faults drawn from (uniformly),
`seed` makes the sequence of decisions reproducible (the n-th request of a fresh sandbox gets the
same fault every time), `delay` is how long a `slow` request waits before being served normally.
`/v1/openapi.json` and `/healthz` are never faulted.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass

KINDS = ("slow", "429", "500", "503", "reset", "truncate")


@dataclass(frozen=True, slots=True)
class FaultConfig:
    """What to inject and how often."""

    rate: float = 0.0
    seed: int = 0
    kinds: tuple[str, ...] = KINDS
    delay: float = 1.0  # seconds, for `slow`

    @classmethod
    def parse(cls, spec: str) -> FaultConfig:
        """Parse a spec such as `rate=0.3,seed=7,kinds=slow,429`; ValueError says what is wrong."""
        values: dict[str, list[str]] = {}
        current: str | None = None
        for raw in spec.split(","):
            token = raw.strip()
            if not token:
                continue
            if "=" in token:
                current, _, value = token.partition("=")
                current = current.strip().lower()
                values[current] = [value.strip()] if value.strip() else []
            elif current == "kinds":
                values["kinds"].append(token)
            else:
                raise ValueError(f"unexpected '{token}' in fault spec (expected key=value)")
        unknown = set(values) - {"rate", "seed", "kinds", "delay"}
        if unknown:
            raise ValueError(f"unknown fault setting(s): {', '.join(sorted(unknown))}")
        try:
            rate = float(values.get("rate", ["0.1"])[0])
            seed = int(values.get("seed", ["0"])[0])
            delay = float(values.get("delay", ["1.0"])[0])
        except (ValueError, IndexError) as exc:
            raise ValueError(f"bad number in fault spec: {exc}") from None
        if not 0.0 <= rate <= 1.0:
            raise ValueError("fault rate must be between 0 and 1")
        if delay < 0:
            raise ValueError("fault delay must not be negative")
        kinds = tuple(values.get("kinds", list(KINDS))) or KINDS
        bad = [k for k in kinds if k not in KINDS]
        if bad:
            raise ValueError(f"unknown fault kind(s) {', '.join(bad)}; known: {', '.join(KINDS)}")
        return cls(rate=rate, seed=seed, kinds=kinds, delay=delay)


class FaultInjector:
    """Draws the fault (or None) for each request, in order, from the seeded generator."""

    def __init__(self, config: FaultConfig) -> None:
        self.config = config
        self._random = random.Random(config.seed)
        self._lock = threading.Lock()

    def draw(self) -> str | None:
        """The fault for the next request, or None to serve it normally."""
        with self._lock:
            # Always draw both numbers so one request's outcome never shifts the next one's.
            hit = self._random.random()
            pick = self._random.randrange(len(self.config.kinds))
        return self.config.kinds[pick] if hit < self.config.rate else None
