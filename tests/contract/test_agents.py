"""Agents through the client against the sandbox: CRUD, chat, execute, the deprecated invoke, logs."""

from __future__ import annotations

import pytest

from genispace_mcp.client import BadRequestError, GeniSpace, NotFoundError


async def test_agent_lifecycle(gs: GeniSpace) -> None:
    agent = await gs.agents.create(
        name="Contract Agent",
        description="made by the contract tests",
        agent_type="CHAT",
        system_prompt="You answer contract questions.",
    )
    assert agent.id.startswith("agt_")
    assert agent.agent_type == "CHAT"
    assert agent.created_at is not None

    fetched = await gs.agents.get(agent.id)
    assert fetched.name == "Contract Agent"
    assert fetched.system_prompt == "You answer contract questions."

    found = await gs.agents.list(search="Contract Agent")
    assert agent.id in [a.id for a in found.items]

    updated = await gs.agents.update(agent.id, description="changed")
    assert updated.description == "changed"
    assert updated.name == "Contract Agent"  # a partial update keeps the rest

    await gs.agents.delete(agent.id)
    with pytest.raises(NotFoundError) as caught:
        await gs.agents.get(agent.id)
    assert caught.value.status_code == 404


async def test_list_filters_by_type_and_iterates_every_page(gs: GeniSpace) -> None:
    tasks_only = await gs.agents.list(type="TASK")
    assert tasks_only.items
    assert {a.agent_type for a in tasks_only.items} == {"TASK"}

    walked = [a.id async for a in gs.agents.iterate(page_size=1)]
    first = await gs.agents.list(limit=100)
    assert walked == [a.id for a in first.items]
    assert first.total == len(walked)


async def test_chat_is_deterministic_and_cites_its_knowledge_base(gs: GeniSpace) -> None:
    agents = await gs.agents.list(search="Support Assistant")
    assistant = agents.items[0]
    messages = [{"role": "user", "content": "How do I return the Acme Smart Plug?"}]

    first = await gs.agents.chat(assistant.id, messages, temperature=0.2, max_tokens=300)
    second = await gs.agents.chat(assistant.id, messages, temperature=0.2, max_tokens=300)

    assert first.text
    assert first.text == second.text
    assert first.usage is not None
    assert first.usage.total_tokens == first.usage.prompt_tokens + first.usage.completion_tokens
    assert first.citations, "an agent with a knowledge base cites the records it used"


async def test_execute_and_logs(gs: GeniSpace) -> None:
    agents = await gs.agents.list(search="Report Writer")
    writer = agents.items[0]

    execution = await gs.agents.execute(
        writer.id,
        {"topic": "refund delays", "audience": "the support team"},
        settings={"temperature": 0.3, "maxTokens": 500},
    )
    assert execution.output
    assert execution.usage is not None

    logs = await gs.agents.logs(writer.id, kind="execute")
    assert logs.items
    assert logs.items[0].kind == "execute"


async def test_chat_with_bad_arguments_is_a_bad_request(gs: GeniSpace) -> None:
    agents = await gs.agents.list(limit=1)
    with pytest.raises(ValueError, match="at least one message"):  # refused before any I/O
        await gs.agents.chat(agents.items[0].id, [])
    with pytest.raises(BadRequestError) as caught:  # refused by the sandbox, naming the field
        await gs.agents.chat(agents.items[0].id, [{"role": "robot", "content": "hi"}])
    assert caught.value.status_code == 400
    assert "role" in str(caught.value)
