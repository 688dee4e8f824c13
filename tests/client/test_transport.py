"""request(): URL join, headers, envelopes, retries, idempotency, rate limits, logging, cancellation."""

from __future__ import annotations

import email.utils
import logging
import time
from typing import Any

import anyio
import httpx
import pytest

from genispace_mcp import __version__
from genispace_mcp.client import (
    APIConnectionError,
    APIResponseError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    GeniSpace,
    InternalServerError,
    NotFoundError,
    RateLimitError,
)
from genispace_mcp.client._retry import MAX_SERVER_WAIT
from tests.client.conftest import BASE, KEY, Recorder, make_client, reply

AGENT = {"id": "agt_1", "name": "Helper", "created_at": "2024-03-01T10:00:00Z"}


# ---- envelopes ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        AGENT,
        {"success": True, "data": AGENT, "message": "ok", "code": 0, "timestamp": 1},
        {"data": AGENT, "success": True},
        {"code": 0, "data": AGENT, "message": "ok", "timestamp": 1},
    ],
    ids=["bare", "success-envelope", "success-envelope-reordered", "code-envelope"],
)
async def test_object_envelopes(body: dict[str, Any]) -> None:
    gs, _ = make_client(Recorder(reply(200, body)))
    agent = await gs.agents.get("agt_1")
    assert (agent.id, agent.name, agent.created_at.year) == ("agt_1", "Helper", 2024)


LIST_FORMS = [
    {"data": [AGENT], "pagination": {"page": 2, "limit": 1, "total": 3, "pages": 3}},
    {"data": [AGENT], "pagination": {"page": 2, "pageSize": 1, "total": 3, "totalPages": 3}},
    {"items": [AGENT], "total": 3, "page": 2, "limit": 1},
    {"success": True, "data": [AGENT], "pagination": {"page": 2, "limit": 1, "total": 3}},
    {"success": True, "data": {"items": [AGENT], "total": 3, "page": 2, "limit": 1}},
    {"success": True, "data": {"data": [AGENT], "pagination": {"page": 2, "limit": 1, "total": 3}}},
]


@pytest.mark.parametrize("body", LIST_FORMS)
async def test_list_envelopes(body: dict[str, Any]) -> None:
    gs, _ = make_client(Recorder(reply(200, body)))
    page = await gs.agents.list(page=2, limit=1)
    assert [a.id for a in page] == ["agt_1"]
    assert (page.page, page.limit, page.total) == (2, 1, 3)
    assert page.has_more


@pytest.mark.parametrize(
    "extra",
    [{"data": {"kind": "blob"}}, {"data": [1, 2]}, {"items": ["a"]}, {"records": [{"a": 1}]}],
)
async def test_a_resource_with_a_field_named_like_an_envelope_is_not_unwrapped(
    extra: dict[str, Any],
) -> None:
    body = {"id": "ds_1", "name": "D", **extra}
    gs, _ = make_client(Recorder(reply(200, body), reply(200, {"success": True, "data": body})))
    assert (await gs.datasets.get("ds_1")).model_extra == extra
    assert (await gs.datasets.get("ds_1")).model_extra == extra


async def test_bare_list_without_counts() -> None:
    gs, _ = make_client(Recorder(reply(200, [AGENT, AGENT])))
    page = await gs.agents.list(limit=2)
    assert len(page) == 2
    assert page.total is None
    assert page.has_more  # a full page, no counts: there may be more


@pytest.mark.parametrize(
    "response",
    [reply(204), reply(200), reply(200, ""), reply(200, {"success": True, "data": None})],
    ids=["204", "200-empty", "200-blank", "200-envelope-null"],
)
async def test_delete_accepts_empty_bodies(response: httpx.Response) -> None:
    recorder = Recorder(response)
    gs, _ = make_client(recorder)
    assert await gs.agents.delete("agt_1") is None
    assert recorder.requests[0].method == "DELETE"


async def test_success_false_on_200_is_an_error() -> None:
    body = {"success": False, "error": "Agent not found", "code": "AGENT_NOT_FOUND"}
    gs, _ = make_client(Recorder(reply(200, body)))
    with pytest.raises(NotFoundError) as info:
        await gs.agents.get("agt_x")
    assert info.value.message == "Agent not found"
    assert info.value.status_code == 200


@pytest.mark.parametrize(
    ("response", "fragment"),
    [
        (reply(200, "<html>maintenance</html>", content_type="text/html"), "not JSON"),
        (reply(200, [1, 2]), "expected a JSON object"),
        (reply(200, {"name": "no id"}), "cannot read"),
    ],
)
async def test_unexpected_success_bodies(response: httpx.Response, fragment: str) -> None:
    gs, _ = make_client(Recorder(response))
    with pytest.raises(APIResponseError, match=fragment):
        await gs.agents.get("agt_1")


# ---- URL, headers, configuration ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("base_url", "expected"),
    [
        ("https://api.genispace.ai/v1", "https://api.genispace.ai/v1/agents/agt_1"),
        ("https://api.genispace.ai/v1/", "https://api.genispace.ai/v1/agents/agt_1"),
        ("https://api.genispace.cn", "https://api.genispace.cn/agents/agt_1"),
        ("https://api.genispace.cn/", "https://api.genispace.cn/agents/agt_1"),
        ("https://host.example/api", "https://host.example/api/agents/agt_1"),
        ("http://127.0.0.1:8900/v1", "http://127.0.0.1:8900/v1/agents/agt_1"),
    ],
)
async def test_paths_are_relative_to_the_base_url(base_url: str, expected: str) -> None:
    recorder = Recorder(reply(200, AGENT))
    gs, _ = make_client(recorder, base_url=base_url)
    await gs.agents.get("agt_1")
    assert str(recorder.requests[0].url) == expected
    assert gs.base_url == expected.removesuffix("/agents/agt_1")


async def test_base_url_and_key_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GENISPACE_API_KEY", KEY)
    monkeypatch.setenv("GENISPACE_BASE_URL", "https://env.example/api/")
    recorder = Recorder(reply(200, AGENT))
    gs = GeniSpace(http_client=httpx.AsyncClient(transport=httpx.MockTransport(recorder)))
    await gs.agents.get("agt_1")
    assert str(recorder.requests[0].url) == "https://env.example/api/agents/agt_1"
    assert recorder.requests[0].headers["authorization"] == f"Bearer {KEY}"


def test_default_base_url() -> None:
    assert GeniSpace(api_key=KEY).base_url == "https://api.genispace.ai/v1"


@pytest.mark.parametrize(
    "bad", ["api.genispace.ai", "ftp://host/v1", "https://", "https://h/v1?x=1"]
)
def test_bad_base_url_is_a_configuration_error(bad: str) -> None:
    with pytest.raises(ConfigurationError, match="base URL"):
        GeniSpace(api_key=KEY, base_url=bad)


def test_credentials_in_the_base_url_are_refused_without_echoing_them() -> None:
    for url in ("https://me:hunter2@host/v1", "ftp://me:hunter2@host/v1", "https://me:hunter2@/"):
        with pytest.raises(ConfigurationError, match="base URL") as info:
            GeniSpace(api_key=KEY, base_url=url)
        assert "hunter2" not in str(info.value)


@pytest.mark.parametrize("key", [None, "", "   "])
async def test_missing_key_fails_at_the_first_call_naming_the_variable(key: str | None) -> None:
    recorder = Recorder(reply(200, AGENT))
    gs, _ = make_client(recorder, api_key=key)  # constructing is fine
    with pytest.raises(ConfigurationError, match="GENISPACE_API_KEY"):
        await gs.users.get_profile()
    assert recorder.requests == []


@pytest.mark.parametrize("key", ["sk-two words", "sk-line\nbreak", "sk-ключ"])
async def test_a_malformed_key_is_a_configuration_error(key: str) -> None:
    recorder = Recorder(reply(200, AGENT))
    gs, _ = make_client(recorder, api_key=key)
    with pytest.raises(ConfigurationError, match="GENISPACE_API_KEY") as info:
        await gs.users.get_profile()
    assert key not in str(info.value)
    assert recorder.requests == []


async def test_surrounding_whitespace_of_a_key_is_ignored() -> None:
    recorder = Recorder(reply(200, AGENT))
    gs, _ = make_client(recorder, api_key=f"  {KEY}\n")
    await gs.agents.get("agt_1")
    assert recorder.requests[0].headers["authorization"] == f"Bearer {KEY}"


async def test_request_headers() -> None:
    recorder = Recorder(reply(200, AGENT))
    gs, _ = make_client(recorder, default_headers={"X-Trace": "t1"})
    await gs.agents.get("agt_1")
    headers = recorder.requests[0].headers
    assert headers["authorization"] == f"Bearer {KEY}"
    assert headers["user-agent"] == f"genispace-mcp/{__version__}"
    assert headers["accept"] == "application/json"
    assert headers["x-trace"] == "t1"
    assert "idempotency-key" not in headers


@pytest.mark.parametrize("bad", ["", "  ", None, 12, ".", ".."])
async def test_ids_are_checked_before_any_io(bad: Any) -> None:
    recorder = Recorder(reply(200, AGENT))
    gs, _ = make_client(recorder)
    with pytest.raises(ValueError, match="id"):
        await gs.agents.get(bad)
    assert recorder.requests == []


async def test_ids_are_percent_encoded() -> None:
    recorder = Recorder(reply(200, AGENT))
    gs, _ = make_client(recorder)
    await gs.agents.get("a/b c?d")
    assert recorder.requests[0].url.raw_path == b"/v1/agents/a%2Fb%20c%3Fd"


async def test_none_params_are_left_out() -> None:
    recorder = Recorder(reply(200, {"data": [], "pagination": {}}))
    gs, _ = make_client(recorder)
    await gs.agents.list(type="CHAT")
    assert dict(recorder.requests[0].url.params) == {"type": "CHAT", "page": "1", "limit": "20"}


# ---- timeouts ----------------------------------------------------------------------------------


async def test_timeouts_default_long_and_per_call() -> None:
    chat = {"choices": [{"message": {"role": "assistant", "content": "hi"}}]}
    recorder = Recorder(reply(200, AGENT), reply(200, chat), reply(200, chat), reply(200, AGENT))
    gs, _ = make_client(recorder)
    await gs.agents.get("agt_1")
    await gs.agents.chat("agt_1", "hello")
    await gs.agents.chat("agt_1", "hello", timeout=12)
    await gs.with_options(timeout=httpx.Timeout(3.0)).agents.get("agt_1")
    timeouts = [r.extensions["timeout"] for r in recorder.requests]
    assert timeouts[0] == {"connect": 5.0, "read": 60.0, "write": 60.0, "pool": 60.0}
    assert timeouts[1]["read"] == 300.0
    assert timeouts[1]["connect"] == 5.0
    assert timeouts[2]["read"] == 12.0
    assert timeouts[3]["read"] == 3.0


# ---- retries -----------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [408, 429, 502, 503, 504])
async def test_get_is_retried_on_retryable_statuses(status: int) -> None:
    recorder = Recorder(reply(status, {"error": {"code": "x"}}), reply(200, AGENT))
    gs, clock = make_client(recorder)
    assert (await gs.agents.get("agt_1")).id == "agt_1"
    assert len(recorder.requests) == 2
    assert len(clock.sleeps) == 1


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 500])
async def test_other_statuses_fail_fast(status: int) -> None:
    recorder = Recorder(reply(status, {"error": {"code": "x", "message": "no"}}))
    gs, clock = make_client(recorder)
    with pytest.raises(APIStatusError) as info:
        await gs.agents.get("agt_1")
    assert info.value.status_code == status
    assert len(recorder.requests) == 1
    assert clock.sleeps == []


async def test_retries_stop_after_max_retries() -> None:
    recorder = Recorder(reply(503, {"error": {"code": "service_unavailable", "message": "down"}}))
    gs, clock = make_client(recorder, max_retries=2)
    with pytest.raises(InternalServerError, match="down"):
        await gs.agents.get("agt_1")
    assert len(recorder.requests) == 3
    assert len(clock.sleeps) == 2


async def test_max_retries_zero_never_retries() -> None:
    recorder = Recorder(reply(503, {}))
    gs, _ = make_client(recorder, max_retries=0)
    with pytest.raises(InternalServerError):
        await gs.agents.get("agt_1")
    assert len(recorder.requests) == 1


async def test_backoff_grows_with_full_jitter() -> None:
    recorder = Recorder(reply(503, {}))
    gs, clock = make_client(recorder, max_retries=3)
    gs._transport.rand = lambda: 1.0  # the top of each jitter range
    with pytest.raises(InternalServerError):
        await gs.agents.get("agt_1")
    assert clock.sleeps == [0.5, 1.0, 2.0]


async def test_retry_after_seconds_is_honoured() -> None:
    recorder = Recorder(reply(429, {}, Retry_After="7"), reply(200, AGENT))
    gs, clock = make_client(recorder)
    await gs.agents.get("agt_1")
    assert clock.sleeps == [7.0]


async def test_retry_after_http_date_is_honoured() -> None:
    when = email.utils.formatdate(time.time() + 20, usegmt=True)
    recorder = Recorder(reply(503, {}, Retry_After=when), reply(200, AGENT))
    gs, clock = make_client(recorder)
    await gs.agents.get("agt_1")
    assert clock.sleeps[0] == pytest.approx(20, abs=2)


async def test_rate_limit_reset_is_honoured_on_429() -> None:
    reset = str(int(time.time()) + 15)
    recorder = Recorder(reply(429, {}, X_RateLimit_Reset=reset), reply(200, AGENT))
    gs, clock = make_client(recorder)
    await gs.agents.get("agt_1")
    assert clock.sleeps[0] == pytest.approx(15, abs=2)


async def test_a_wait_beyond_the_cap_fails_at_once_with_retry_after() -> None:
    wait = str(int(MAX_SERVER_WAIT * 10))
    body = {"error": {"code": "rate_limit_exceeded", "message": "slow down"}}
    recorder = Recorder(reply(429, body, Retry_After=wait))
    gs, clock = make_client(recorder)
    with pytest.raises(RateLimitError) as info:
        await gs.agents.get("agt_1")
    assert info.value.retry_after == float(wait)
    assert len(recorder.requests) == 1
    assert clock.sleeps == []


async def test_rate_limit_error_after_retries_carries_retry_after() -> None:
    recorder = Recorder(reply(429, {"error": {"code": "RATE_LIMIT_EXCEEDED"}}, Retry_After="2"))
    gs, clock = make_client(recorder, max_retries=1)
    with pytest.raises(RateLimitError) as info:
        await gs.agents.get("agt_1")
    assert info.value.retry_after == 2.0
    assert clock.sleeps == [2.0]


async def test_post_without_idempotency_key_is_not_retried() -> None:
    recorder = Recorder(reply(503, {}), reply(200, {"choices": []}))
    gs, clock = make_client(recorder)
    with pytest.raises(InternalServerError):
        await gs.agents.chat("agt_1", "hello")
    assert len(recorder.requests) == 1
    assert "idempotency-key" not in recorder.requests[0].headers
    assert clock.sleeps == []


@pytest.mark.parametrize(
    ("call", "path"),
    [
        (lambda gs: gs.agents.create(name="A"), "/v1/agents"),
        (lambda gs: gs.agents.execute("agt_1", {"q": 1}), "/v1/agents/agt_1/execute"),
        (lambda gs: gs.tasks.create(name="T"), "/v1/tasks"),
        (lambda gs: gs.tasks.run("tsk_1", {"a": 1}), "/v1/tasks/tsk_1/run"),
        (lambda gs: gs.datasets.create(name="D"), "/v1/datasets"),
        (lambda gs: gs.datasets.import_records("ds_1", [{"a": 1}]), "/v1/datasets/ds_1/import"),
        (lambda gs: gs.api_keys.create(name="k", permissions=["*"]), "/v1/api-keys"),
    ],
)
async def test_idempotency_key_is_set_and_stable_across_retries(call: Any, path: str) -> None:
    body = {"id": "x_1", "imported": 1}
    recorder = Recorder(
        reply(503, {}), reply(429, {}, Retry_After="1"), httpx.ReadError("reset"), reply(200, body)
    )
    gs, _ = make_client(recorder)
    await call(gs)
    keys = {r.headers.get("idempotency-key") for r in recorder.requests}
    assert len(recorder.requests) == 4
    assert len(keys) == 1
    assert None not in keys
    assert {r.url.path for r in recorder.requests} == {path}
    assert len({r.content for r in recorder.requests}) == 1  # the same body every time


async def test_caller_chosen_idempotency_key_is_sent() -> None:
    recorder = Recorder(reply(202, {"id": "run_1", "status": "PENDING"}))
    gs, _ = make_client(recorder)
    await gs.tasks.run("tsk_1", idempotency_key="my-key")
    assert recorder.requests[0].headers["idempotency-key"] == "my-key"


async def test_each_call_gets_a_new_idempotency_key() -> None:
    recorder = Recorder(reply(201, {"id": "agt_1"}))
    gs, _ = make_client(recorder)
    await gs.agents.create(name="A")
    await gs.agents.create(name="A")
    keys = [r.headers["idempotency-key"] for r in recorder.requests]
    assert keys[0] != keys[1]


async def test_dataset_query_is_a_read_and_is_retried() -> None:
    recorder = Recorder(reply(503, {}), reply(200, {"data": [], "total": 0}))
    gs, _ = make_client(recorder)
    await gs.datasets.query("ds_1", query="x")
    assert len(recorder.requests) == 2


@pytest.mark.parametrize(
    "exc",
    [httpx.ConnectError("refused"), httpx.ReadError("reset"), httpx.RemoteProtocolError("eof")],
)
async def test_get_is_retried_on_connection_errors(exc: Exception) -> None:
    recorder = Recorder(exc, reply(200, AGENT))
    gs, clock = make_client(recorder)
    assert (await gs.agents.get("agt_1")).id == "agt_1"
    assert len(clock.sleeps) == 1


async def test_connection_error_after_retries() -> None:
    recorder = Recorder(httpx.ConnectError("refused"))
    gs, _ = make_client(recorder, max_retries=2)
    with pytest.raises(APIConnectionError, match="after 3 attempts") as info:
        await gs.agents.get("agt_1")
    assert not isinstance(info.value, APITimeoutError)
    assert len(recorder.requests) == 3


async def test_timeouts_become_api_timeout_error() -> None:
    recorder = Recorder(httpx.ReadTimeout("slow"))
    gs, _ = make_client(recorder, max_retries=1)
    with pytest.raises(APITimeoutError):
        await gs.agents.get("agt_1")
    assert len(recorder.requests) == 2


async def test_reset_during_a_post_without_key_fails_fast() -> None:
    recorder = Recorder(httpx.ReadError("reset"), reply(200, {"choices": []}))
    gs, _ = make_client(recorder)
    with pytest.raises(APIConnectionError):
        await gs.agents.chat("agt_1", "hi")
    assert len(recorder.requests) == 1


async def test_refused_connection_is_retried_even_for_a_post_without_key() -> None:
    # The request never left, so nothing can have been done twice.
    chat = {"choices": [{"message": {"content": "hi"}}]}
    recorder = Recorder(httpx.ConnectError("refused"), reply(200, chat))
    gs, _ = make_client(recorder)
    assert (await gs.agents.chat("agt_1", "hi")).text == "hi"
    assert len(recorder.requests) == 2


async def test_cancellation_stops_a_retry_wait_at_once() -> None:
    # A real sleep this time: Retry-After asks for 50 s; the caller gives up after 0.1 s.
    recorder = Recorder(reply(429, {}, Retry_After="50"))
    gs = GeniSpace(
        api_key=KEY,
        base_url=BASE,
        http_client=httpx.AsyncClient(transport=httpx.MockTransport(recorder)),
    )
    started = time.monotonic()
    with anyio.move_on_after(0.1) as scope:
        await gs.agents.get("agt_1")
    assert scope.cancelled_caught
    assert time.monotonic() - started < 5
    assert len(recorder.requests) == 1


# ---- rate limit headers ------------------------------------------------------------------------


async def test_rate_limit_headers_are_remembered() -> None:
    recorder = Recorder(
        reply(
            200,
            AGENT,
            X_RateLimit_Limit="100",
            X_RateLimit_Remaining="95",
            X_RateLimit_Reset="1710835200",
        ),
        reply(200, AGENT),  # a reply without them keeps the last seen
        reply(
            404,
            {},
            X_RateLimit_Limit="100",
            X_RateLimit_Remaining="94",
            X_RateLimit_Reset="1710835200",
        ),
    )
    gs, _ = make_client(recorder)
    assert gs.rate_limit is None
    await gs.agents.get("agt_1")
    assert (gs.rate_limit.limit, gs.rate_limit.remaining, gs.rate_limit.reset) == (
        100,
        95,
        1710835200,
    )
    await gs.agents.get("agt_1")
    assert gs.rate_limit.remaining == 95
    with pytest.raises(NotFoundError):
        await gs.agents.get("agt_1")
    assert gs.rate_limit.remaining == 94


# ---- the key never leaks -----------------------------------------------------------------------


async def test_key_never_in_errors_or_log_records(caplog: pytest.LogCaptureFixture) -> None:
    echo = {"error": {"code": "unauthorized", "message": f"bad key {KEY}", "details": {"k": KEY}}}
    recorder = Recorder(
        reply(503, {"message": f"down for {KEY}"}),
        httpx.ReadError(f"reset while sending Bearer {KEY}"),
        reply(400, {"success": False, "error": f"invalid {KEY}"}),
        reply(401, echo),
    )
    gs, _ = make_client(recorder)
    caplog.set_level(logging.DEBUG)
    errors: list[Exception] = []
    with pytest.raises(BadRequestError) as first:
        await gs.agents.get("agt_1")
    errors.append(first.value)
    with pytest.raises(AuthenticationError) as second:
        await gs.agents.get("agt_1")
    errors.append(second.value)
    gs2, _ = make_client(Recorder(httpx.ReadError(f"Bearer {KEY}")), max_retries=0)
    with pytest.raises(APIConnectionError) as third:
        await gs2.agents.get("agt_1")
    errors.append(third.value)

    assert caplog.records, "the client logs its requests"
    assert any("[redacted]" in r.getMessage() for r in caplog.records)
    for record in caplog.records:
        assert KEY not in record.getMessage()
        assert KEY not in str(record.args)
    for error in errors:
        for text in (str(error), repr(error), str(vars(error)), str(error.args)):
            assert KEY not in text
    assert KEY not in repr(gs)
    assert KEY not in repr(gs.with_options(max_retries=1))


async def test_logger_name_is_under_genispace_mcp(caplog: pytest.LogCaptureFixture) -> None:
    gs, _ = make_client(Recorder(reply(200, AGENT)))
    with caplog.at_level(logging.DEBUG, logger="genispace_mcp"):
        await gs.agents.get("agt_1")
    assert {r.name for r in caplog.records if r.name.startswith("genispace_mcp")} == {
        "genispace_mcp.client"
    }
