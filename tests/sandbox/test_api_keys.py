"""API keys: create (secret once, stored hashed), permissions ceiling, update, revoke, usage."""

from __future__ import annotations

import hashlib

import pytest

from .conftest import Harness


async def test_create_shows_the_secret_once_and_stores_a_hash(harness: Harness) -> None:
    created = await harness.client.post(
        "/api-keys",
        json={
            "name": "ci",
            "permissions": ["read:agents", "write:knowledge"],
            "application": "ci-bot",
        },
    )
    assert created.status_code == 201, created.text
    key = created.json()
    secret = key.pop("key")
    assert secret.startswith("sk-")
    assert len(secret) > 40
    assert key["id"].startswith("key_")
    assert key["prefix"] == secret[:10]
    assert key["permissions"] == ["read:agents", "write:datasets"]
    assert key["application"] == "ci-bot"
    assert key["isRevoked"] is False
    assert key["expiresAt"] is None
    fetched = (await harness.client.get(f"/api-keys/{key['id']}")).json()
    assert "key" not in fetched
    assert fetched == key
    listed = (await harness.client.get("/api-keys")).json()
    assert all("key" not in k for k in listed["data"])
    assert listed["pagination"]["total"] == 2  # the admin key and this one
    # Only the hash is in the database.
    dump = "\n".join(harness.ctx.store._db.iterdump())
    assert secret not in dump
    assert hashlib.sha256(secret.encode()).hexdigest() in dump


async def test_a_key_cannot_grant_more_than_it_holds(harness: Harness) -> None:
    limited = harness.as_key(
        await harness.new_key("read:agents", "write:api_keys", "read:api_keys")
    )
    ok = await limited.post("/api-keys", json={"name": "sub", "permissions": ["read:agents"]})
    assert ok.status_code == 201
    for permissions, missing in (
        (["write:agents"], "write:agents"),
        (["*"], "*"),
        (["read:knowledge"], "read:datasets"),
    ):
        refused = await limited.post("/api-keys", json={"name": "x", "permissions": permissions})
        assert refused.status_code == 403, permissions
        assert refused.json()["error"]["details"]["required"] == missing
    escalate = await limited.put(
        f"/api-keys/{ok.json()['id']}", json={"permissions": ["write:tasks"]}
    )
    assert escalate.status_code == 403
    default = await limited.post("/api-keys", json={"name": "default"})
    assert default.json()["permissions"] == ["read:agents", "read:api_keys"]
    unknown = await harness.client.post(
        "/api-keys", json={"name": "x", "permissions": ["fly:planes"]}
    )
    assert unknown.status_code == 400
    assert unknown.json()["error"]["details"]["field"] == "permissions"


async def test_update_and_revoke(harness: Harness) -> None:
    secret = await harness.new_key("read:agents")
    client = harness.as_key(secret)
    key_id = (await client.get("/users/me")).json()["apiKey"]["id"]
    updated = await harness.client.put(
        f"/api-keys/{key_id}",
        json={
            "name": "renamed",
            "permissions": ["read:tasks"],
            "expires_at": "2027-01-01T00:00:00+01:00",
        },
    )
    assert updated.status_code == 200, updated.text
    assert updated.json()["name"] == "renamed"
    assert updated.json()["expiresAt"] == "2026-12-31T23:00:00.000Z"
    assert (await client.get("/agents")).status_code == 403
    assert (await client.get("/tasks")).status_code == 200
    bad = await harness.client.put(f"/api-keys/{key_id}", json={"expiresAt": "next tuesday"})
    assert bad.status_code == 400
    assert bad.json()["error"]["details"]["field"] == "expiresAt"

    assert (await harness.client.delete(f"/api-keys/{key_id}")).status_code == 204
    assert (await client.get("/tasks")).status_code == 401
    assert (await harness.client.get(f"/api-keys/{key_id}")).status_code == 404
    assert (await harness.client.delete(f"/api-keys/{key_id}")).status_code == 404
    assert (await harness.client.put(f"/api-keys/{key_id}", json={"name": "x"})).status_code == 404


async def test_usage_statistics(harness: Harness) -> None:
    secret = await harness.new_key("read:agents", "read:api_keys")
    client = harness.as_key(secret)
    key_id = (await client.get("/users/me")).json()["apiKey"]["id"]
    for _ in range(3):
        await client.get("/agents")
    await client.get("/agents/agt_missing")
    harness.clock.advance(86_400)  # the next day
    await client.get("/agents")
    await client.post("/agents", json={"name": "x"})  # 403: counted as an error
    usage = (await harness.client.get(f"/api-keys/{key_id}/usage")).json()
    assert usage["keyId"] == key_id
    assert usage["requestsLastDay"] == 2
    assert usage["errorsLastDay"] == 1
    assert usage["requestsLastWeek"] == usage["requestsLastMonth"] == 7
    assert usage["byDay"] == [
        {"date": "2026-12-03", "requests": 5, "errors": 1},
        {"date": "2026-12-04", "requests": 2, "errors": 1},
    ]
    assert usage["topEndpoints"][0] == {"path": "GET /v1/agents", "count": 4}
    assert {"path": "GET /v1/users/me", "count": 1} in usage["topEndpoints"]
    assert usage["lastUsedAt"] == "2026-12-04T12:00:00.000Z"
    assert usage["lastUsedIp"] == "127.0.0.1"
    assert usage["rateLimit"]["limit"] == 10_000
    assert usage["rateLimit"]["remaining"] == 10_000 - 2
    assert (await harness.client.get(f"/api-keys/{key_id}")).json()["lastUsedAt"] == usage[
        "lastUsedAt"
    ]


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"name": ""},
        {"name": "x", "permissions": "read:agents"},
        {"name": "x", "application": 3},
    ],
)
async def test_bad_key_requests_are_400(harness: Harness, body: dict) -> None:
    assert (await harness.client.post("/api-keys", json=body)).status_code == 400
