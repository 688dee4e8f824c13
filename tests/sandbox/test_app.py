"""The gate: auth, errors in the seed form, body limits, request ids and rate-limit headers."""

from __future__ import annotations

import pytest

from .conftest import Harness, HarnessFactory


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str)
    assert body["error"]["message"]
    assert isinstance(body["error"]["details"], dict)
    return body["error"]


async def test_healthz_and_openapi_need_no_key(harness: Harness) -> None:
    anonymous = harness.as_key(None)
    health = await anonymous.get("http://sandbox/healthz")
    assert health.status_code == 200
    assert health.json() == {"status": "ok"}
    document = await anonymous.get("/openapi.json")
    assert document.status_code == 200
    assert document.json()["openapi"].startswith("3.1")


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        (None, "Missing API key"),
        ("Bearer sk-nope-not-a-key", "Invalid API key"),
        ("Basic dXNlcjpwYXNz", "Malformed Authorization"),
        ("Bearer ", "Malformed Authorization"),
    ],
)
async def test_bad_credentials_are_401(harness: Harness, header: str | None, reason: str) -> None:
    headers = {"Authorization": header} if header is not None else {}
    client = harness.as_key(None)
    error = assert_error(await client.get("/agents", headers=headers), 401, "unauthorized")
    assert reason in error["message"]


async def test_revoked_and_expired_keys_are_401(harness: Harness) -> None:
    key = await harness.new_key("read:agents")
    assert (await harness.as_key(key).get("/agents")).status_code == 200
    key_id = (await harness.as_key(key).get("/users/me")).json()["apiKey"]["id"]
    assert (await harness.client.delete(f"/api-keys/{key_id}")).status_code == 204
    error = assert_error(await harness.as_key(key).get("/agents"), 401, "unauthorized")
    assert "revoked" in error["message"]

    expiring = await harness.new_key("read:agents", expiresAt="2026-12-03T13:00:00Z")
    assert (await harness.as_key(expiring).get("/agents")).status_code == 200
    harness.clock.advance(3600)
    error = assert_error(await harness.as_key(expiring).get("/agents"), 401, "unauthorized")
    assert "expired" in error["message"]


async def test_missing_permission_is_403_naming_it(harness: Harness) -> None:
    reader = harness.as_key(await harness.new_key("read:agents"))
    assert (await reader.get("/agents")).status_code == 200
    error = assert_error(await reader.post("/agents", json={"name": "x"}), 403, "forbidden")
    assert error["details"]["required"] == "write:agents"
    error = assert_error(await reader.get("/datasets"), 403, "forbidden")
    assert error["details"]["required"] == "read:datasets"


async def test_knowledge_aliases_grant_dataset_permissions(harness: Harness) -> None:
    client = harness.as_key(await harness.new_key("read:knowledge"))
    assert (await client.get("/datasets")).status_code == 200
    assert (await client.post("/datasets", json={"name": "x"})).status_code == 403


async def test_unknown_route_and_method(harness: Harness) -> None:
    error = assert_error(await harness.client.get("/nothing/here"), 404, "not_found")
    assert error["details"]["path"] == "/v1/nothing/here"
    assert_error(await harness.client.get("http://sandbox/elsewhere"), 404, "not_found")
    response = await harness.client.patch("/agents")
    error = assert_error(response, 405, "method_not_allowed")
    assert "GET" in response.headers["allow"]
    assert "POST" in error["details"]["allowed"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b"{not json", "body"),
        (b"[1, 2]", "body"),
        (b"", "body"),
        (b'{"name": 5}', "name"),
        (b'{"name": "   "}', "name"),
        (b'{"name": "a", "agentType": "ROBOT"}', "agentType"),
        (b'{"name": "a", "settings": {"temperature": "hot"}}', "settings.temperature"),
        (b'{"name": "a", "knowledgeBases": ["ds_missing"]}', "knowledgeBases"),
    ],
)
async def test_bad_bodies_are_400_naming_the_field(
    harness: Harness, body: bytes, field: str
) -> None:
    response = await harness.client.post(
        "/agents", content=body, headers={"Content-Type": "application/json"}
    )
    error = assert_error(response, 400, "invalid_parameter")
    assert error["details"]["field"] == field


async def test_bad_query_parameters_are_400(harness: Harness) -> None:
    for query, field in (("page=0", "page"), ("limit=abc", "limit"), ("type=ROBOT", "type")):
        error = assert_error(await harness.client.get(f"/agents?{query}"), 400, "invalid_parameter")
        assert error["details"]["field"] == field


async def test_oversize_body_is_413(make_harness: HarnessFactory) -> None:
    harness = await make_harness(max_body_bytes=1000)
    big = b'{"name": "' + b"x" * 2000 + b'"}'
    error = assert_error(
        await harness.client.post(
            "/agents", content=big, headers={"Content-Type": "application/json"}
        ),
        413,
        "payload_too_large",
    )
    assert error["details"]["limitBytes"] == 1000

    async def chunks():  # no Content-Length: the limit is enforced while reading
        for _ in range(5):
            yield b"x" * 400

    response = await harness.client.post("/datasets", content=chunks())
    assert_error(response, 413, "payload_too_large")


async def test_every_response_has_request_id_and_rate_headers(harness: Harness) -> None:
    for response in (
        await harness.client.get("/agents"),
        await harness.client.get("/agents/agt_missing"),
        await harness.as_key(None).get("/agents"),
        await harness.client.get("/openapi.json"),
        await harness.client.get("http://sandbox/healthz"),
    ):
        assert response.headers["x-request-id"].startswith("req_")
        for name in ("x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset"):
            assert int(response.headers[name]) >= 0


async def test_rate_limit_429_then_window_resets(make_harness: HarnessFactory) -> None:
    harness = await make_harness(rate_limit=3)
    seen = [await harness.client.get("/agents") for _ in range(3)]
    assert [r.headers["x-ratelimit-remaining"] for r in seen] == ["2", "1", "0"]
    assert seen[0].headers["x-ratelimit-limit"] == "3"
    reset = int(seen[0].headers["x-ratelimit-reset"])
    assert reset == int(harness.clock.now) + 3600

    refused = await harness.client.get("/agents")
    error = assert_error(refused, 429, "rate_limit_exceeded")
    assert refused.headers["retry-after"] == "3600"
    assert error["details"]["limit"] == 3
    assert refused.headers["x-ratelimit-remaining"] == "0"

    # Another key has its own window.
    other = harness.as_key(await _key_without_rate_limit(harness))
    assert (await other.get("/users/me")).status_code == 200

    harness.clock.advance(3600)
    again = await harness.client.get("/agents")
    assert again.status_code == 200
    assert again.headers["x-ratelimit-remaining"] == "2"


async def _key_without_rate_limit(harness: Harness) -> str:
    # The admin's window is spent: create the key straight in the store.
    from genispace_mcp.sandbox.routes.api_keys import create_key

    _, secret = create_key(harness.ctx, "other", ["read:agents"])
    return secret


async def test_unhandled_error_is_500_in_seed_form(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(harness.ctx.store, "list_agents", broken)
    error = assert_error(await harness.client.get("/agents"), 500, "internal_error")
    assert "boom" not in error["message"]
