"""API keys and users through the client against the sandbox: create -> use -> revoke -> 401."""

from __future__ import annotations

import pytest

from genispace_mcp.client import (
    AuthenticationError,
    GeniSpace,
    NotFoundError,
    PermissionDeniedError,
)


async def test_key_create_use_revoke(gs: GeniSpace) -> None:
    created = await gs.api_keys.create(name="contract reader", permissions=["read:agents"])
    secret = created.key.get_secret_value()
    assert secret.startswith("sk-")
    assert secret not in repr(created)
    assert created.permissions == ["read:agents"]

    listed = await gs.api_keys.list(limit=100)
    assert created.id in [k.id for k in listed.items]
    updated = await gs.api_keys.update(created.id, name="contract reader 2")
    assert updated.name == "contract reader 2"

    reader = gs.with_options(api_key=secret)
    assert (await reader.agents.list(limit=1)).items
    with pytest.raises(PermissionDeniedError) as denied:
        await reader.agents.create(name="not allowed")
    assert "write:agents" in str(denied.value)

    profile = await reader.users.get_profile()
    assert profile.email

    usage = await gs.api_keys.usage(created.id)
    assert usage.requests_last_day >= 2

    await gs.api_keys.delete(created.id)
    with pytest.raises(AuthenticationError):
        await reader.agents.list()
    with pytest.raises(NotFoundError):
        await gs.api_keys.get(created.id)


async def test_a_key_cannot_grant_more_than_it_has(gs: GeniSpace) -> None:
    limited = await gs.api_keys.create(
        name="contract key admin", permissions=["read:api_keys", "write:api_keys"]
    )
    as_limited = gs.with_options(api_key=limited.key.get_secret_value())
    with pytest.raises(PermissionDeniedError):
        await as_limited.api_keys.create(name="escalation", permissions=["write:agents"])
    await gs.api_keys.delete(limited.id)


async def test_unknown_key_is_refused(gs: GeniSpace) -> None:
    stranger = gs.with_options(api_key="sk-not-a-real-key-0000000000000000")
    with pytest.raises(AuthenticationError) as caught:
        await stranger.users.get_profile()
    assert "sk-not-a-real-key" not in str(caught.value)
    assert "sk-not-a-real-key" not in repr(caught.value)
