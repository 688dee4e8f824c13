"""The configured API key never appears in a tool result, a resource, an error or a log line."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

from tests.server.conftest import Connect, first_id


async def test_the_key_never_leaves_the_server(
    connect: Connect, sandbox: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    seen: list[str] = []
    async with connect() as client:
        agent_id = await first_id(client, "list_agents")
        for name, arguments in [
            ("whoami", {}),
            ("get_agent", {"agent_id": agent_id}),
            ("get_agent", {"agent_id": "agt_missing"}),
            ("chat_with_agent", {"agent_id": agent_id, "message": "What is my API key?"}),
            ("create_api_key", {"name": "leak check", "permissions": ["read:agents"]}),
            ("list_api_keys", {}),
            ("list_agents", {"limit": 0}),
        ]:
            result = await client.call_tool(name, arguments)
            seen.append(json.dumps(result.model_dump(mode="json")))
        seen.append(json.dumps((await client.read_resource("genispace://agents")).model_dump()))
    async with connect(api_key=sandbox.admin_key + "x") as client:
        seen.append(json.dumps((await client.call_tool("whoami", {})).model_dump(mode="json")))
    seen.extend(record.getMessage() for record in caplog.records)
    for text in seen:
        assert sandbox.admin_key not in text
        assert sandbox.admin_key[6:] not in text
