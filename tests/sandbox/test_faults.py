"""Fault injection: spec parsing, reproducible draws, and each fault over a real connection."""

from __future__ import annotations

import logging

import httpx
import pytest

from genispace_mcp.sandbox import FaultConfig, SandboxServer, SandboxSettings
from genispace_mcp.sandbox.faults import KINDS, FaultInjector


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("rate=0.3,seed=7,kinds=slow,429,500,503,reset,truncate", FaultConfig(0.3, 7, KINDS, 1.0)),
        ("rate=1,kinds=500", FaultConfig(1.0, 0, ("500",), 1.0)),
        ("seed=3, rate=0.5, delay=0.2", FaultConfig(0.5, 3, KINDS, 0.2)),
        ("kinds=reset,truncate,rate=0.25", FaultConfig(0.25, 0, ("reset", "truncate"), 1.0)),
    ],
)
def test_parse(spec: str, expected: FaultConfig) -> None:
    assert FaultConfig.parse(spec) == expected


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("rate=2", "between 0 and 1"),
        ("rate=x", "bad number"),
        ("kinds=slow,explode", "unknown fault kind"),
        ("speed=3", "unknown fault setting"),
        ("500", "unexpected"),
    ],
)
def test_parse_errors(spec: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        FaultConfig.parse(spec)


def test_draws_are_reproducible_from_the_seed() -> None:
    config = FaultConfig(rate=0.4, seed=7)
    first = [FaultInjector(config).draw() for _ in range(1)]
    one, two = FaultInjector(config), FaultInjector(config)
    sequence = [one.draw() for _ in range(200)]
    assert sequence == [two.draw() for _ in range(200)]
    assert first == sequence[:1]
    assert set(sequence) == {None, *KINDS}
    assert 0.3 < sum(d is not None for d in sequence) / 200 < 0.5
    other = FaultInjector(FaultConfig(rate=0.4, seed=8))
    assert [other.draw() for _ in range(200)] != sequence
    assert {FaultInjector(FaultConfig(rate=0.0)).draw() for _ in range(50)} == {None}


def _outcomes(spec: str, count: int) -> list[str]:
    settings = SandboxSettings(port=0, seed_demo=False, faults=FaultConfig.parse(spec))
    outcomes = []
    with (
        SandboxServer(settings) as server,
        httpx.Client(
            base_url=server.base_url,
            headers={"Authorization": f"Bearer {server.admin_key}"},
            timeout=10,
        ) as client,
    ):
        for _ in range(count):
            try:
                response = client.get("/agents")
            except httpx.TransportError:
                outcomes.append("dropped")
                continue
            fault = response.headers.get("x-sandbox-fault", "-")
            outcomes.append(f"{response.status_code}:{fault}")
        # The open paths are never faulted.
        assert all(client.get(server.url + "/healthz").status_code == 200 for _ in range(10))
    return outcomes


def test_faults_over_http_are_reproducible(caplog: pytest.LogCaptureFixture) -> None:
    spec = "rate=0.6,seed=11,kinds=slow,429,500,503,reset,truncate,delay=0.01"
    with caplog.at_level(logging.WARNING):
        first = _outcomes(spec, 40)
    # Injected faults are deliberate: neither the sandbox nor uvicorn reports an error.
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
    assert first == _outcomes(spec, 40)
    assert {"200:-", "200:slow", "429:429", "500:500", "503:503", "dropped"} <= set(first)
    assert first.count("dropped") >= 2  # reset and truncate both drop the connection


def test_each_fault_kind() -> None:
    assert set(_outcomes("rate=1,kinds=429", 3)) == {"429:429"}
    assert set(_outcomes("rate=1,kinds=503", 3)) == {"503:503"}
    assert set(_outcomes("rate=1,kinds=reset", 3)) == {"dropped"}
    assert set(_outcomes("rate=1,kinds=truncate", 3)) == {"dropped"}
    assert set(_outcomes("rate=0", 3)) == {"200:-"}


def test_truncated_body_is_cut_short() -> None:
    settings = SandboxSettings(
        port=0, seed_demo=False, faults=FaultConfig.parse("rate=1,kinds=truncate")
    )
    with SandboxServer(settings) as server, httpx.Client(timeout=10) as client:
        headers = {"Authorization": f"Bearer {server.admin_key}"}
        with pytest.raises(httpx.RemoteProtocolError, match="complete message body"):
            client.get(server.base_url + "/users/me", headers=headers)


def test_injected_429_carries_retry_after() -> None:
    settings = SandboxSettings(
        port=0, seed_demo=False, faults=FaultConfig.parse("rate=1,kinds=429")
    )
    with SandboxServer(settings) as server:
        response = httpx.get(
            server.base_url + "/agents", headers={"Authorization": f"Bearer {server.admin_key}"}
        )
    assert response.status_code == 429
    assert response.headers["retry-after"] == "1"
    assert response.json()["error"]["code"] == "rate_limit_exceeded"
