"""API key tools against the sandbox: the secret stays out of context; revoke needs confirmation."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import pytest
from mcp.client import Client

from genispace_mcp.client import AuthenticationError, GeniSpace
from tests.server.conftest import MODES, Connect, Elicitor, failed, ok, text_of


def read_secret(path: str) -> tuple[str, int]:
    """The secret in a secret file, and the file's permission bits."""
    file = Path(path)
    return file.read_text().strip(), stat.S_IMODE(file.stat().st_mode)


async def create_key(client: Client, **extra: Any) -> tuple[dict[str, Any], str]:
    result = await client.call_tool(
        "create_api_key", {"name": "Test key", "permissions": ["read:agents"], **extra}
    )
    return ok(result), text_of(result)


async def test_new_secret_goes_to_a_private_file_not_to_the_model(
    mcp: Client, sandbox: Any
) -> None:
    key, text = await create_key(mcp)
    secret, mode = read_secret(key["secret_file"])
    assert secret.startswith("sk-")
    assert mode == 0o600
    assert secret not in text
    assert "secret" not in key
    assert key["secret_file"] in text
    async with GeniSpace(api_key=secret, base_url=sandbox.base_url) as new:
        assert (await new.agents.list(limit=1)).items is not None


async def test_reveal_secrets_shows_it_once(connect: Connect) -> None:
    async with connect(reveal_secrets=True) as client:
        key, text = await create_key(client)
    assert key["secret"].startswith("sk-")
    assert key["secret"] in text
    assert "secret_file" not in key


async def test_list_get_update_usage(mcp: Client) -> None:
    key, _ = await create_key(mcp)
    listed = ok(await mcp.call_tool("list_api_keys", {"limit": 100}))
    assert key["id"] in [item["id"] for item in listed["items"]]
    got = ok(await mcp.call_tool("get_api_key", {"key_id": key["id"]}))
    assert got["permissions"] == ["read:agents"]
    updated = ok(
        await mcp.call_tool(
            "update_api_key", {"key_id": key["id"], "permissions": ["read:agents", "read:tasks"]}
        )
    )
    assert sorted(updated["permissions"]) == ["read:agents", "read:tasks"]
    usage = ok(await mcp.call_tool("get_api_key_usage", {"key_id": key["id"]}))
    assert usage["key_id"] == key["id"]
    text = failed(await mcp.call_tool("get_api_key", {"key_id": "key_missing"}))
    assert "list_api_keys" in text


async def test_bad_permission_is_refused_before_any_call(mcp: Client) -> None:
    text = failed(
        await mcp.call_tool("create_api_key", {"name": "x", "permissions": ["root:everything"]})
    )
    assert "permissions" in text


@pytest.mark.parametrize("mode", MODES)
async def test_revoke_confirmed_then_the_key_is_refused(
    connect: Connect, sandbox: Any, mode: str
) -> None:
    async with connect(mode=mode, elicit=Elicitor()) as client:
        key, _ = await create_key(client)
        secret, _ = read_secret(key["secret_file"])
        done = ok(await client.call_tool("delete_api_key", {"key_id": key["id"]}))
    assert done["deleted"] is True
    async with GeniSpace(api_key=secret, base_url=sandbox.base_url, max_retries=0) as revoked:
        with pytest.raises(AuthenticationError):
            await revoked.agents.list()
