"""gs.agents: request shapes for CRUD, chat, execute and logs, and what comes back."""

from __future__ import annotations

import pytest

from genispace_mcp.client import InsufficientTokensError
from tests.client.conftest import Recorder, make_client, reply

AGENT = {
    "id": "agt_1",
    "name": "Helper",
    "agentType": "CHAT",
    "systemPrompt": "Be brief.",
    "knowledgeBases": ["ds_1"],
    "settings": {"temperature": 0.7, "maxTokens": 2000},
    "status": "active",
    "created_at": "2024-03-01T10:00:00Z",
}
CHAT = {
    "id": "chatcmpl-1",
    "object": "chat.completion",
    "choices": [{"index": 0, "message": {"role": "assistant", "content": "Tomorrow."}}],
    "usage": {"prompt_tokens": 12, "completion_tokens": 40, "total_tokens": 52},
    "citations": [{"datasetId": "ds_1", "recordId": "rec_1", "score": 0.83}],
}


async def test_create_sends_camel_case_and_reads_the_agent() -> None:
    recorder = Recorder(reply(201, AGENT))
    gs, _ = make_client(recorder)
    agent = await gs.agents.create(
        name="Helper",
        system_prompt="Be brief.",
        knowledge_bases=("ds_1",),
        prompt_template="{{q}}",
    )
    assert recorder.json_bodies() == [
        {
            "name": "Helper",
            "agentType": "CHAT",
            "systemPrompt": "Be brief.",
            "knowledgeBases": ["ds_1"],
            "promptTemplate": "{{q}}",
        }
    ]
    assert (agent.agent_type, agent.system_prompt, agent.knowledge_bases) == (
        "CHAT",
        "Be brief.",
        ["ds_1"],
    )


async def test_list_get_update_delete() -> None:
    recorder = Recorder(
        reply(
            200, {"data": [AGENT], "pagination": {"page": 1, "limit": 20, "total": 1, "pages": 1}}
        ),
        reply(200, AGENT),
        reply(200, {**AGENT, "description": "new"}),
        reply(204),
    )
    gs, _ = make_client(recorder)
    page = await gs.agents.list(search="help", type="CHAT")
    assert (page.total, page.pages, page.has_more) == (1, 1, False)
    await gs.agents.get("agt_1")
    assert (
        await gs.agents.update("agt_1", description="new", system_prompt=None)
    ).description == "new"
    await gs.agents.delete("agt_1")
    assert dict(recorder.requests[0].url.params) == {
        "search": "help",
        "type": "CHAT",
        "page": "1",
        "limit": "20",
    }
    assert recorder.json_bodies()[2] == {"description": "new"}
    assert [r.method for r in recorder.requests] == ["GET", "GET", "PUT", "DELETE"]


async def test_chat() -> None:
    recorder = Recorder(reply(200, CHAT))
    gs, _ = make_client(recorder)
    completion = await gs.agents.chat(
        "agt_1",
        [{"role": "user", "content": "When will my order ship?"}],
        temperature=0.2,
        max_tokens=100,
        session_id="s1",
    )
    assert completion.text == "Tomorrow."
    assert completion.usage is not None
    assert completion.usage.total_tokens == 52
    assert completion.citations[0].dataset_id == "ds_1"
    assert recorder.requests[0].url.path == "/v1/agents/agt_1/chat"
    assert recorder.json_bodies() == [
        {
            "messages": [{"role": "user", "content": "When will my order ship?"}],
            "temperature": 0.2,
            "max_tokens": 100,
            "session_id": "s1",
        }
    ]


async def test_chat_with_a_plain_text_and_an_empty_list() -> None:
    recorder = Recorder(reply(200, CHAT))
    gs, _ = make_client(recorder)
    await gs.agents.chat("agt_1", "hi")
    assert recorder.json_bodies()[0]["messages"] == [{"role": "user", "content": "hi"}]
    with pytest.raises(ValueError, match="at least one message"):
        await gs.agents.chat("agt_1", [])


async def test_execute() -> None:
    body = {
        "id": "exe_1",
        "agentId": "agt_1",
        "status": "COMPLETED",
        "output": "42",
        "usage": CHAT["usage"],
    }
    recorder = Recorder(reply(200, body))
    gs, _ = make_client(recorder)
    execution = await gs.agents.execute(
        "agt_1", {"query": "Analyze"}, settings={"temperature": 0.7, "max_tokens": 2000}
    )
    assert execution.output == "42"
    assert recorder.json_bodies() == [
        {"inputs": {"query": "Analyze"}, "settings": {"temperature": 0.7, "maxTokens": 2000}}
    ]
    assert recorder.requests[0].headers["idempotency-key"].startswith("gsmcp-")


async def test_logs() -> None:
    log = {"id": "log_1", "agentId": "agt_1", "kind": "chat", "status": "success", "latencyMs": 12}
    recorder = Recorder(
        reply(200, {"data": [log], "pagination": {"page": 1, "limit": 20, "total": 1}})
    )
    gs, _ = make_client(recorder)
    page = await gs.agents.logs("agt_1", kind="chat", status="success")
    assert page.items[0].latency_ms == 12
    assert dict(recorder.requests[0].url.params) == {
        "kind": "chat",
        "status": "success",
        "page": "1",
        "limit": "20",
    }


async def test_out_of_tokens() -> None:
    body = {"success": False, "error": "Token balance used up", "code": "INSUFFICIENT_TOKENS"}
    gs, _ = make_client(Recorder(reply(402, body)))
    with pytest.raises(InsufficientTokensError, match="Token balance"):
        await gs.agents.chat("agt_1", "hi")
