"""whoami against the sandbox: profile, permissions, rate-limit state, base URL, toolsets."""

from __future__ import annotations

from typing import Any

from tests.server.conftest import Connect, ok


async def test_whoami(connect: Connect, sandbox: Any) -> None:
    async with connect(toolsets=("agents", "account"), read_only=True) as client:
        me = ok(await client.call_tool("whoami", {}))
    assert me["base_url"] == sandbox.base_url
    assert me["permissions"] == ["*"]
    assert me["toolsets"] == ["account", "agents"]
    assert me["read_only"] is True
    assert me["rate_limit"]["limit"] > 0
    assert me["email"]
    assert sandbox.admin_key not in str(me)
