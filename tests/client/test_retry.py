"""The retry policy as tables: which failures are retried, how long each wait is, what the server asks."""

from __future__ import annotations

import email.utils

import pytest

from genispace_mcp.client._retry import (
    INITIAL_BACKOFF,
    MAX_BACKOFF,
    MAX_SERVER_WAIT,
    retry_delay,
    server_wait,
    should_retry,
)

NOW = 1_800_000_000.0


@pytest.mark.parametrize(
    ("method", "status", "key", "expected"),
    [
        # The retryable statuses, for a method that can be repeated.
        ("GET", 408, False, True),
        ("GET", 429, False, True),
        ("GET", 502, False, True),
        ("GET", 503, False, True),
        ("GET", 504, False, True),
        ("PUT", 503, False, True),
        ("DELETE", 503, False, True),
        # Never retried, whatever the method.
        ("GET", 400, False, False),
        ("GET", 401, False, False),
        ("GET", 403, False, False),
        ("GET", 404, False, False),
        ("GET", 409, False, False),
        ("GET", 500, False, False),
        ("GET", 501, False, False),
        # POST only with an Idempotency-Key.
        ("POST", 503, False, False),
        ("POST", 429, False, False),
        ("POST", 503, True, True),
        ("POST", 429, True, True),
        ("post", 502, True, True),
        ("POST", 500, True, False),
        ("PATCH", 503, False, False),
    ],
)
def test_status_table(method: str, status: int, key: bool, expected: bool) -> None:
    assert (
        should_retry(
            method=method, attempt=0, max_retries=3, status_code=status, idempotency_key=key
        )
        is expected
    )


@pytest.mark.parametrize(
    ("method", "sent", "key", "expected"),
    [
        ("GET", True, False, True),  # reset or read timeout on a read: repeat it
        ("DELETE", True, False, True),
        ("POST", True, False, False),  # may have been processed: do not do it twice
        ("POST", True, True, True),  # the key makes the platform replay the first answer
        ("POST", False, False, True),  # never left (connect refused): safe for any method
    ],
)
def test_connection_error_table(method: str, sent: bool, key: bool, expected: bool) -> None:
    assert (
        should_retry(method=method, attempt=0, max_retries=3, sent=sent, idempotency_key=key)
        is expected
    )


@pytest.mark.parametrize(
    ("attempt", "max_retries", "expected"),
    [(0, 3, True), (2, 3, True), (3, 3, False), (0, 0, False)],
)
def test_attempts_are_bounded(attempt: int, max_retries: int, expected: bool) -> None:
    assert (
        should_retry(method="GET", attempt=attempt, max_retries=max_retries, status_code=503)
        is expected
    )


def test_a_server_wait_beyond_the_cap_is_not_waited_for() -> None:
    common = {"method": "GET", "attempt": 0, "max_retries": 3, "status_code": 429}
    assert should_retry(**common, server_wait=MAX_SERVER_WAIT)
    assert not should_retry(**common, server_wait=MAX_SERVER_WAIT + 1)


@pytest.mark.parametrize("attempt", [0, 1, 2, 3, 4, 10])
def test_backoff_is_exponential_with_full_jitter_and_capped(attempt: int) -> None:
    ceiling = min(MAX_BACKOFF, INITIAL_BACKOFF * 2**attempt)
    assert retry_delay(attempt, rand=lambda: 0.0) == 0.0
    assert retry_delay(attempt, rand=lambda: 0.5) == pytest.approx(ceiling / 2)
    assert retry_delay(attempt, rand=lambda: 0.999999) == pytest.approx(ceiling, rel=1e-5)
    assert retry_delay(attempt) <= ceiling


@pytest.mark.parametrize(
    ("wait", "expected"), [(0.0, 0.0), (2.5, 2.5), (MAX_SERVER_WAIT + 100, MAX_SERVER_WAIT)]
)
def test_server_wait_is_used_as_given_and_capped(wait: float, expected: float) -> None:
    assert retry_delay(0, server_wait=wait, rand=lambda: 0.9) == expected


def _http_date(timestamp: float) -> str:
    return email.utils.formatdate(timestamp, usegmt=True)


@pytest.mark.parametrize(
    ("headers", "status", "expected"),
    [
        ({"Retry-After": "7"}, 429, 7.0),
        ({"retry-after": "1.5"}, 503, 1.5),
        ({"Retry-After": "-3"}, 429, 0.0),
        ({"Retry-After": _http_date(NOW + 30)}, 429, 30.0),
        ({"Retry-After": _http_date(NOW - 30)}, 503, 0.0),  # a date in the past: go now
        ({"Retry-After": "soon"}, 429, None),  # unreadable: fall back to backoff
        ({"retry-after-ms": "250"}, 429, 0.25),
        ({"X-RateLimit-Reset": str(int(NOW + 12))}, 429, 12.0),  # a Unix time
        ({"X-RateLimit-Reset": "9"}, 429, 9.0),  # small: seconds from now
        ({"X-RateLimit-Reset": str(int(NOW + 12))}, 503, None),  # the window says nothing on 503
        ({"Retry-After": "4", "X-RateLimit-Reset": str(int(NOW + 40))}, 429, 4.0),
        ({"X-RateLimit-Reset": "garbage"}, 429, None),
        ({}, 429, None),
    ],
)
def test_server_wait_table(headers: dict[str, str], status: int, expected: float | None) -> None:
    result = server_wait(headers, status, NOW)
    if expected is None:
        assert result is None
    else:
        assert result == pytest.approx(expected, abs=1.0)
