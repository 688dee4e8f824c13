"""Retry policy: constants and pure functions deciding whether and how long to wait before a retry."""

from __future__ import annotations

import email.utils
import random
from collections.abc import Callable, Mapping

__all__ = [
    "IDEMPOTENT_METHODS",
    "INITIAL_BACKOFF",
    "MAX_BACKOFF",
    "MAX_SERVER_WAIT",
    "RETRY_STATUSES",
    "retry_delay",
    "server_wait",
    "should_retry",
]

# 408 request timeout, 429 rate limited, 502/503/504 gateway or overload: worth another try.
# A plain 500 is a bug on the platform's side; repeating the request rarely helps.
RETRY_STATUSES = frozenset({408, 429, 502, 503, 504})
# Methods whose repetition cannot do anything twice. POST joins them only with an Idempotency-Key.
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})

INITIAL_BACKOFF = 0.5  # seconds; the first retry waits up to this, each next one twice as long
MAX_BACKOFF = 8.0  # cap of our own exponential backoff
# Cap of a wait the server asks for (Retry-After, X-RateLimit-Reset). Asked to wait longer, the
# client gives up at once with the wait in RateLimitError.retry_after, rather than holding a tool
# call for minutes or retrying early only to be refused again.
MAX_SERVER_WAIT = 60.0

# Unix timestamps are large; a smaller X-RateLimit-Reset is read as seconds from now.
_UNIX_TIME_THRESHOLD = 1_000_000_000


def should_retry(
    *,
    method: str,
    attempt: int,
    max_retries: int,
    status_code: int | None = None,
    sent: bool = True,
    idempotency_key: bool = False,
    server_wait: float | None = None,
) -> bool:
    """Whether to retry after `attempt` retries (0 for the first try) already made.

    `status_code` is None for a connection error; `sent` False means the request never left
    (connect refused or timed out), which makes any method safe to repeat.
    """
    if attempt >= max_retries:
        return False
    replayable = method.upper() in IDEMPOTENT_METHODS or idempotency_key
    if status_code is None:
        return replayable or not sent
    if status_code not in RETRY_STATUSES:
        return False
    if server_wait is not None and server_wait > MAX_SERVER_WAIT:
        return False
    return replayable


def _parse_retry_after(value: str, now: float) -> float | None:
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:  # pragma: no cover - older Pythons returned None on garbage
        return None
    return max(0.0, when.timestamp() - now)


def server_wait(headers: Mapping[str, str], status_code: int | None, now: float) -> float | None:
    """Seconds the server asks us to wait, or None when it does not say.

    `Retry-After` (seconds or an HTTP date) on any reply; on a 429 without it, the time until
    `X-RateLimit-Reset` (a Unix time, or seconds when small). `now` is the wall clock (time.time()).
    """
    lowered = {k.lower(): v for k, v in headers.items()}
    if "retry-after-ms" in lowered:
        try:
            return max(0.0, float(lowered["retry-after-ms"]) / 1000)
        except ValueError:
            pass
    if "retry-after" in lowered:
        parsed = _parse_retry_after(lowered["retry-after"], now)
        if parsed is not None:
            return parsed
    if status_code == 429 and "x-ratelimit-reset" in lowered:
        try:
            reset = float(lowered["x-ratelimit-reset"])
        except ValueError:
            return None
        return max(0.0, reset - now if reset >= _UNIX_TIME_THRESHOLD else reset)
    return None


def retry_delay(
    attempt: int,
    *,
    server_wait: float | None = None,
    rand: Callable[[], float] = random.random,
) -> float:
    """Seconds to wait before retry number `attempt + 1`.

    The server's wait when it gave one (capped), else exponential backoff with full jitter:
    uniform in [0, min(MAX_BACKOFF, INITIAL_BACKOFF * 2**attempt)).
    """
    if server_wait is not None:
        return min(max(server_wait, 0.0), MAX_SERVER_WAIT)
    ceiling = min(MAX_BACKOFF, INITIAL_BACKOFF * 2.0**attempt)
    return float(rand()) * ceiling
