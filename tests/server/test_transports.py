"""Transport settings checks, DNS-rebinding settings and the key-validation cache."""

from __future__ import annotations

import dataclasses

import pytest

from genispace_mcp.server.settings import Settings
from genispace_mcp.server.transports import (
    KeyValidator,
    TransportConfigError,
    Verdict,
    check_settings,
    endpoint_url,
    is_loopback,
    transport_security,
)

TOKEN = "a-long-enough-token-123"


@pytest.mark.parametrize(
    ("host", "loopback"),
    [("127.0.0.1", True), ("127.0.0.2", True), ("localhost", True), ("::1", True), ("[::1]", True),
     ("0.0.0.0", False), ("::", False), ("192.168.1.10", False), ("mcp.example.com", False)],
)  # fmt: skip
def test_is_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def http(**changes: object) -> Settings:
    return dataclasses.replace(Settings(transport="http"), **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (http(host="0.0.0.0"), "refusing to serve on 0.0.0.0"),
        (http(host="192.168.1.10", transport="sse"), "GENISPACE_MCP_AUTH_TOKEN"),
        (http(auth_token="short"), "at least 16 characters"),
        (http(multi_tenant=True, auth_token=TOKEN), "cannot be combined"),
        (http(multi_tenant=True, transport="sse"), "--multi-tenant needs --transport http"),
    ],
)
def test_check_settings_refuses(settings: Settings, message: str) -> None:
    with pytest.raises(TransportConfigError, match=message):
        check_settings(settings)


@pytest.mark.parametrize(
    "settings",
    [
        Settings(),  # stdio ignores every HTTP setting
        Settings(host="0.0.0.0"),
        http(),
        http(host="0.0.0.0", auth_token=TOKEN),
        http(host="::", multi_tenant=True),
    ],
)
def test_check_settings_accepts(settings: Settings) -> None:
    check_settings(settings)


def test_transport_security_is_on_and_names_the_bound_host() -> None:
    security = transport_security(
        http(host="10.0.0.5", auth_token=TOKEN, allowed_hosts=("mcp.example.com",))
    )
    assert security.enable_dns_rebinding_protection
    for host in (
        "127.0.0.1:*",
        "localhost:*",
        "[::1]:*",
        "10.0.0.5",
        "10.0.0.5:*",
        "mcp.example.com:*",
    ):
        assert host in security.allowed_hosts
    assert "http://localhost:*" in security.allowed_origins


def test_transport_security_star_turns_it_off_explicitly() -> None:
    assert not transport_security(http(allowed_hosts=("*",))).enable_dns_rebinding_protection


def test_endpoint_url() -> None:
    assert endpoint_url(http(), 8123) == "http://127.0.0.1:8123/mcp"
    assert endpoint_url(http(transport="sse", host="0.0.0.0"), 9) == "http://127.0.0.1:9/sse"
    assert endpoint_url(http(host="::1"), 9) == "http://[::1]:9/mcp"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_key_validator_caches_by_verdict_and_never_stores_the_key() -> None:
    answers: dict[str, Verdict] = {
        "sk-good-1": "valid",
        "sk-bad-1": "invalid",
        "sk-down-1": "unavailable",
    }
    calls: list[str] = []

    async def probe(key: str) -> Verdict:
        calls.append(key)
        return answers[key]

    clock = Clock()
    validator = KeyValidator(probe, valid_ttl=300, invalid_ttl=30, clock=clock)
    for _ in range(3):
        assert await validator.check("sk-good-1") == "valid"
        assert await validator.check("sk-bad-1") == "invalid"
        assert await validator.check("sk-down-1") == "unavailable"
    assert calls.count("sk-good-1") == 1
    assert calls.count("sk-bad-1") == 1
    assert calls.count("sk-down-1") == 3  # an outage is never cached
    assert all("sk-" not in repr(k) for k in validator._cache)

    clock.now += 31  # the refusal expires first
    await validator.check("sk-bad-1")
    await validator.check("sk-good-1")
    assert calls.count("sk-bad-1") == 2
    assert calls.count("sk-good-1") == 1
    clock.now += 300
    await validator.check("sk-good-1")
    assert calls.count("sk-good-1") == 2


async def test_key_validator_is_bounded() -> None:
    async def probe(key: str) -> Verdict:
        return "valid"

    validator = KeyValidator(probe, max_entries=3)
    for i in range(10):
        await validator.check(f"sk-{i}")
    assert len(validator._cache) == 3


async def test_key_validator_probes_once_for_concurrent_first_requests() -> None:
    import anyio

    release = anyio.Event()
    calls: list[str] = []

    async def probe(key: str) -> Verdict:
        calls.append(key)
        await release.wait()
        return "valid"

    validator = KeyValidator(probe)
    verdicts: list[Verdict] = []

    async def check() -> None:
        verdicts.append(await validator.check("sk-same-key"))

    async with anyio.create_task_group() as tg:
        for _ in range(5):
            tg.start_soon(check)
        await anyio.wait_all_tasks_blocked()
        release.set()
    assert verdicts == ["valid"] * 5
    assert calls == ["sk-same-key"]
    assert validator._locks == {}  # nothing left behind per key


@pytest.mark.parametrize(
    ("given", "accepted"),
    [
        ("mcp.example.com", ["mcp.example.com", "mcp.example.com:*"]),
        ("mcp.example.com:443", ["mcp.example.com:443"]),
        ("mcp.example.com:*", ["mcp.example.com:*"]),
        ("::1", ["[::1]", "[::1]:*"]),
        ("[2001:db8::1]:8000", ["[2001:db8::1]:8000"]),
        ("10.0.0.5", ["10.0.0.5", "10.0.0.5:*"]),
    ],
)
def test_allowed_host_spellings(given: str, accepted: list[str]) -> None:
    hosts = transport_security(http(allowed_hosts=(given,))).allowed_hosts
    assert hosts[-len(accepted) :] == accepted
