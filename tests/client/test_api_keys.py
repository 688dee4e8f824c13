"""gs.api_keys: request shapes, the one-time secret, usage."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.client.conftest import Recorder, make_client, reply

KEY_OBJ = {
    "id": "key_1",
    "name": "ci",
    "permissions": ["read:agents"],
    "prefix": "sk-abc",
    "isRevoked": False,
}


async def test_create_keeps_the_secret_secret() -> None:
    secret = "sk-new-secret-value-123456"
    recorder = Recorder(reply(201, {**KEY_OBJ, "key": secret}))
    gs, _ = make_client(recorder)
    created = await gs.api_keys.create(
        name="ci",
        permissions=["read:agents"],
        expires_at=datetime(2027, 1, 1, tzinfo=UTC),
        application="bot",
    )
    assert created.key is not None
    assert created.key.get_secret_value() == secret
    assert secret not in repr(created)
    assert recorder.json_bodies() == [
        {
            "name": "ci",
            "permissions": ["read:agents"],
            "expiresAt": "2027-01-01T00:00:00+00:00",
            "application": "bot",
        }
    ]
    assert "idempotency-key" in recorder.requests[0].headers


async def test_list_get_update_delete_usage() -> None:
    usage = {
        "keyId": "key_1",
        "requestsLastDay": 3,
        "topEndpoints": [{"path": "/v1/agents", "count": 3}],
        "rateLimit": {"limit": 100, "remaining": 97, "reset": 1710835200},
    }
    recorder = Recorder(
        reply(200, {"items": [KEY_OBJ], "total": 1, "page": 1, "limit": 20}),
        reply(200, KEY_OBJ),
        reply(200, {**KEY_OBJ, "name": "renamed"}),
        reply(204),
        reply(200, usage),
    )
    gs, _ = make_client(recorder)
    page = await gs.api_keys.list()
    assert page.items[0].is_revoked is False
    await gs.api_keys.get("key_1")
    assert (await gs.api_keys.update("key_1", name="renamed")).name == "renamed"
    await gs.api_keys.delete("key_1")
    got = await gs.api_keys.usage("key_1")
    assert got.requests_last_day == 3
    assert got.rate_limit is not None
    assert got.rate_limit.remaining == 97
    assert [(r.method, r.url.path) for r in recorder.requests] == [
        ("GET", "/v1/api-keys"),
        ("GET", "/v1/api-keys/key_1"),
        ("PUT", "/v1/api-keys/key_1"),
        ("DELETE", "/v1/api-keys/key_1"),
        ("GET", "/v1/api-keys/key_1/usage"),
    ]
    assert recorder.json_bodies()[2] == {"name": "renamed"}
