"""GET /v1/users/me: the owner of the calling key, and the key itself."""

from __future__ import annotations

from .conftest import Harness


async def test_users_me(harness: Harness) -> None:
    secret = await harness.new_key("read:tasks")
    me = (await harness.as_key(secret).get("/users/me")).json()
    assert me["id"].startswith("usr_")
    assert me["email"]
    assert me["language"] == "en"
    assert me["timeZone"] == "UTC"
    assert me["apiKey"]["name"] == "test key"
    assert me["apiKey"]["permissions"] == ["read:tasks"]
    admin = (await harness.client.get("/users/me")).json()
    assert admin["id"] == me["id"]
    assert admin["apiKey"]["permissions"] == ["*"]
