"""Agent tools against the sandbox: list, get, chat, execute, logs, create, update, delete."""

from __future__ import annotations

import json

import pytest
from mcp.client import Client

from tests.server.conftest import (
    MODES,
    Connect,
    Elicitor,
    failed,
    first_id,
    ok,
    text_of,
    untrusted_blocks,
)


async def agent_of_type(mcp: Client, agent_type: str) -> str:
    return await first_id(mcp, "list_agents", type=agent_type)


async def test_list_agents_is_compact_and_pages(mcp: Client) -> None:
    result = await mcp.call_tool("list_agents", {"limit": 1})
    page = ok(result)
    assert len(page["items"]) == 1
    assert page["has_more"] is True
    assert "call list_agents with page=2" in page["next"]
    text = text_of(result)
    assert json.loads(text)["items"][0]["id"] == page["items"][0]["id"]
    assert text == json.dumps(json.loads(text), separators=(",", ":"), ensure_ascii=False)
    second = ok(await mcp.call_tool("list_agents", {"limit": 1, "page": 2}))
    assert second["items"][0]["id"] != page["items"][0]["id"]
    # The list view leaves the long system prompt to get_agent.
    assert all("system_prompt" not in item for item in page["items"])


async def test_list_agents_filters_by_type(mcp: Client) -> None:
    page = ok(await mcp.call_tool("list_agents", {"type": "TASK"}))
    assert page["items"]
    assert {item["agent_type"] for item in page["items"]} == {"TASK"}


@pytest.mark.parametrize(
    ("arguments", "field"),
    [({"limit": 0}, "limit"), ({"limit": 500}, "limit"), ({"type": "ROBOT"}, "type")],
)
async def test_list_agents_bad_arguments(mcp: Client, arguments: dict, field: str) -> None:
    text = failed(await mcp.call_tool("list_agents", arguments))
    assert field in text


async def test_get_agent_and_not_found(mcp: Client) -> None:
    agent_id = await first_id(mcp, "list_agents")
    agent = ok(await mcp.call_tool("get_agent", {"agent_id": agent_id}))
    assert agent["id"] == agent_id
    text = failed(await mcp.call_tool("get_agent", {"agent_id": "agt_missing"}))
    assert "agt_missing" in text
    assert "list_agents" in text


async def test_chat_reply_is_untrusted_and_messages_may_come_as_a_json_string(mcp: Client) -> None:
    agent_id = await agent_of_type(mcp, "CHAT")
    result = await mcp.call_tool("chat_with_agent", {"agent_id": agent_id, "message": "Hello"})
    reply = ok(result)
    assert reply["reply"]
    assert untrusted_blocks(text_of(result)) == [reply["reply"]]
    conversation = json.dumps([{"role": "user", "content": "Hello"}])
    again = ok(
        await mcp.call_tool("chat_with_agent", {"agent_id": agent_id, "messages": conversation})
    )
    assert again["reply"] == reply["reply"]  # the sandbox answers deterministically


async def test_chat_needs_exactly_one_of_message_and_messages(mcp: Client) -> None:
    agent_id = await agent_of_type(mcp, "CHAT")
    assert "message" in failed(await mcp.call_tool("chat_with_agent", {"agent_id": agent_id}))
    text = failed(
        await mcp.call_tool(
            "chat_with_agent",
            {"agent_id": agent_id, "message": "a", "messages": [{"role": "user", "content": "b"}]},
        )
    )
    assert "either" in text


async def test_execute_agent_with_inputs_as_a_json_string(mcp: Client) -> None:
    agent_id = await agent_of_type(mcp, "TASK")
    result = await mcp.call_tool(
        "execute_agent",
        {
            "agent_id": agent_id,
            "inputs": '{"topic": "sales", "audience": "the board"}',
            "max_tokens": 200,
        },
    )
    execution = ok(result)
    assert execution["agent_id"] == agent_id
    assert len(untrusted_blocks(text_of(result))) == 1


async def test_agent_logs_record_the_chat(mcp: Client) -> None:
    agent_id = await agent_of_type(mcp, "CHAT")
    ok(await mcp.call_tool("chat_with_agent", {"agent_id": agent_id, "message": "Log me"}))
    result = await mcp.call_tool("get_agent_logs", {"agent_id": agent_id, "kind": "chat"})
    logs = ok(result)
    assert logs["items"]
    assert {item["kind"] for item in logs["items"]} == {"chat"}
    (payload,) = untrusted_blocks(text_of(result))
    assert logs["items"][0]["id"] in payload


async def test_create_update_get(mcp: Client) -> None:
    created = ok(
        await mcp.call_tool(
            "create_agent",
            {"name": "Test agent", "system_prompt": "Be brief.", "agent_type": "CHAT"},
        )
    )
    agent_id = created["id"]
    updated = ok(await mcp.call_tool("update_agent", {"agent_id": agent_id, "name": "Renamed"}))
    assert updated["name"] == "Renamed"
    assert ok(await mcp.call_tool("get_agent", {"agent_id": agent_id}))["name"] == "Renamed"
    assert "Nothing to change" in failed(
        await mcp.call_tool("update_agent", {"agent_id": agent_id})
    )
    assert "name" in failed(await mcp.call_tool("create_agent", {"name": ""}))


@pytest.mark.parametrize("mode", MODES)
async def test_delete_confirmed_through_elicitation(connect: Connect, mode: str) -> None:
    elicitor = Elicitor()
    async with connect(mode=mode, elicit=elicitor) as client:
        agent_id = ok(await client.call_tool("create_agent", {"name": "Doomed"}))["id"]
        done = ok(await client.call_tool("delete_agent", {"agent_id": agent_id}))
        assert done["deleted"] is True
        assert elicitor.asked == [f"Delete agent {agent_id}? This cannot be undone."]
        failed(await client.call_tool("get_agent", {"agent_id": agent_id}))


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    "elicitor",
    [Elicitor(action="decline"), Elicitor(action="cancel"), Elicitor(content={"confirm": False})],
    ids=["declined", "cancelled", "unticked"],
)
async def test_delete_declined_changes_nothing(
    connect: Connect, mode: str, elicitor: Elicitor
) -> None:
    async with connect(mode=mode, elicit=elicitor) as client:
        agent_id = ok(await client.call_tool("create_agent", {"name": "Survivor"}))["id"]
        # Even a model that fills confirm in cannot bypass the user.
        done = ok(
            await client.call_tool("delete_agent", {"agent_id": agent_id, "confirm": agent_id})
        )
        assert done["deleted"] is False
        ok(await client.call_tool("get_agent", {"agent_id": agent_id}))


@pytest.mark.parametrize("mode", MODES)
async def test_delete_without_elicitation_needs_the_id_repeated(
    connect: Connect, mode: str
) -> None:
    async with connect(mode=mode) as mcp:
        await _delete_with_confirm_argument(mcp)


async def _delete_with_confirm_argument(mcp: Client) -> None:
    agent_id = ok(await mcp.call_tool("create_agent", {"name": "Maybe"}))["id"]
    text = failed(await mcp.call_tool("delete_agent", {"agent_id": agent_id}))
    assert f'confirm="{agent_id}"' in text
    assert "Nothing was deleted" in text
    text = failed(await mcp.call_tool("delete_agent", {"agent_id": agent_id, "confirm": "agt_x"}))
    assert "exactly" in text
    ok(await mcp.call_tool("get_agent", {"agent_id": agent_id}))
    done = ok(await mcp.call_tool("delete_agent", {"agent_id": agent_id, "confirm": agent_id}))
    assert done["deleted"] is True
    assert "list_agents" in failed(await mcp.call_tool("get_agent", {"agent_id": agent_id}))


async def test_a_page_over_budget_is_cut_at_an_item_and_says_how_to_get_the_rest(
    connect: Connect,
) -> None:
    budget = 3_000
    async with connect(result_budget=budget) as client:
        for n in range(4):
            ok(
                await client.call_tool(
                    "create_agent", {"name": f"Verbose {n}", "description": "blah " * 380}
                )
            )
        result = await client.call_tool("list_agents", {"search": "Verbose", "limit": 4})
    page = ok(result)
    text = text_of(result)
    assert len(text) <= budget
    shown = len(page["items"])
    assert 0 < shown < 4
    assert len(json.loads(text)["items"]) == shown  # whole items only, still valid JSON
    assert page["has_more"] is True
    assert f"limit={shown}" in page["next"]
