"""GeniSpace itself: the public surface, lifetime of the pool, with_options copies, a light import."""

from __future__ import annotations

import subprocess
import sys

import httpx
import pytest

import genispace_mcp.client as client_module
from genispace_mcp.client import ConfigurationError, GeniSpace
from tests.client.conftest import BASE, KEY, Recorder, make_client, reply

AGENT = {"id": "agt_1"}

EXPORTED = {
    "DEFAULT_BASE_URL",
    "APIConnectionError",
    "APIKey",
    "APIKeyUsage",
    "APIResponseError",
    "APIStatusError",
    "APITimeoutError",
    "Agent",
    "AgentExecution",
    "AgentLog",
    "AuthenticationError",
    "BadRequestError",
    "ChatCompletion",
    "ConfigurationError",
    "ConflictError",
    "CreatedAPIKey",
    "Dataset",
    "DatasetStatistics",
    "GeniSpace",
    "GeniSpaceError",
    "ImportResult",
    "InsufficientTokensError",
    "InternalServerError",
    "NotFoundError",
    "Page",
    "PermissionDeniedError",
    "QueryMatch",
    "QueryResult",
    "RateLimit",
    "RateLimitError",
    "RunLog",
    "RunStatus",
    "RunWaitTimeout",
    "Task",
    "TaskRun",
    "Usage",
    "UserProfile",
}


def test_public_surface_is_pinned() -> None:
    assert set(client_module.__all__) == EXPORTED
    assert len(client_module.__all__) == len(EXPORTED)
    for name in EXPORTED:
        assert getattr(client_module, name) is not None


def test_importing_the_client_pulls_in_no_server_code() -> None:
    code = (
        "import sys, genispace_mcp.client\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('mcp', 'starlette', 'uvicorn', 'sse_starlette') or m.startswith('genispace_mcp.server'))\n"
        "print(heavy)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.strip() == "[]"


async def test_with_options_shares_the_pool_and_changes_the_key() -> None:
    recorder = Recorder(reply(200, AGENT))
    gs, _ = make_client(recorder)
    other = gs.with_options(api_key="sk-tenant-two-000000", max_retries=0)
    assert other._transport.http is gs._transport.http
    assert (other.base_url, other.max_retries, gs.max_retries) == (BASE, 0, 3)
    await other.agents.get("agt_1")
    await gs.agents.get("agt_1")
    assert [r.headers["authorization"] for r in recorder.requests] == [
        "Bearer sk-tenant-two-000000",
        f"Bearer {KEY}",
    ]
    await other.aclose()  # a copy never closes the shared pool
    assert not gs._transport.http.is_closed
    await gs.agents.get("agt_1")
    assert gs.with_options()._transport._api_key == KEY  # left out: kept
    assert gs.with_options(base_url="https://other.example/api").base_url == (
        "https://other.example/api"
    )


async def test_rate_limit_is_per_copy() -> None:
    recorder = Recorder(reply(200, AGENT, X_RateLimit_Remaining="5"))
    gs, _ = make_client(recorder)
    other = gs.with_options(api_key="sk-tenant-two-000000")
    await other.agents.get("agt_1")
    assert other.rate_limit is not None
    assert gs.rate_limit is None


def test_with_options_checks_its_values() -> None:
    gs = GeniSpace(api_key=KEY)
    with pytest.raises(ConfigurationError):
        gs.with_options(max_retries=-1)
    with pytest.raises(ConfigurationError):
        gs.with_options(base_url="nope")


async def test_an_owned_pool_is_closed_on_exit() -> None:
    async with GeniSpace(api_key=KEY) as gs:
        http = gs._transport.http
        assert not http.is_closed
    assert http.is_closed


async def test_a_pool_passed_in_is_left_open() -> None:
    http = httpx.AsyncClient(transport=httpx.MockTransport(Recorder(reply(200, AGENT))))
    async with GeniSpace(api_key=KEY, http_client=http) as gs:
        await gs.agents.get("agt_1")
    assert not http.is_closed
    await http.aclose()


def test_repr_never_shows_the_key() -> None:
    assert repr(GeniSpace(api_key=KEY)) == (
        "GeniSpace(base_url='https://api.genispace.ai/v1', api_key=set)"
    )
    assert "missing" in repr(GeniSpace())


def test_negative_max_retries_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="max_retries"):
        GeniSpace(api_key=KEY, max_retries=-1)
