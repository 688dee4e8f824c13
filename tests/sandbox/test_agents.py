"""Agents: CRUD, chat, execute, invoke, logs; deterministic answers grounded in knowledge bases."""

from __future__ import annotations

from .conftest import Harness


async def _knowledge_agent(harness: Harness) -> tuple[str, str]:
    dataset = (await harness.client.post("/datasets", json={"name": "FAQ"})).json()
    records = [
        {
            "id": "ship",
            "question": "When will my order be shipped?",
            "answer": "Within two business days.",
        },
        {"id": "refund", "question": "How do refunds work?", "answer": "Refunds take five days."},
        {
            "id": "reset",
            "question": "How do I reset the router?",
            "answer": "Hold the button ten seconds.",
        },
    ]
    imported = await harness.client.post(f"/datasets/{dataset['id']}/import", json=records)
    assert imported.status_code == 200
    agent = await harness.client.post(
        "/agents",
        json={
            "name": "Helper",
            "agent_type": "CHAT",  # snake_case is accepted too
            "systemPrompt": "You are a helpful support agent. Be brief.",
            "knowledgeBases": [dataset["id"]],
        },
    )
    assert agent.status_code == 201, agent.text
    return agent.json()["id"], dataset["id"]


async def test_crud_round_trip(harness: Harness) -> None:
    created = await harness.client.post(
        "/agents",
        json={
            "name": "Writer",
            "description": "d",
            "agentType": "TASK",
            "settings": {"maxTokens": 50},
        },
    )
    assert created.status_code == 201
    agent = created.json()
    assert agent["id"].startswith("agt_")
    assert agent["agentType"] == "TASK"
    assert agent["status"] == "active"
    assert agent["settings"] == {"temperature": 0.7, "maxTokens": 50}
    assert agent["created_at"].endswith("Z")

    fetched = await harness.client.get(f"/agents/{agent['id']}")
    assert fetched.json() == agent

    harness.clock.advance(5)
    updated = await harness.client.put(f"/agents/{agent['id']}", json={"description": "new"})
    assert updated.status_code == 200
    assert updated.json()["description"] == "new"
    assert updated.json()["name"] == "Writer"
    assert updated.json()["updated_at"] > agent["updated_at"]

    listed = (await harness.client.get("/agents", params={"type": "TASK"})).json()
    assert [a["id"] for a in listed["data"]] == [agent["id"]]
    assert listed["pagination"] == {"page": 1, "limit": 20, "total": 1, "pages": 1}
    assert (await harness.client.get("/agents", params={"type": "CHAT"})).json()["data"] == []
    assert (await harness.client.get("/agents", params={"search": "WRI"})).json()["pagination"][
        "total"
    ] == 1

    deleted = await harness.client.delete(f"/agents/{agent['id']}")
    assert deleted.status_code == 204
    assert deleted.content == b""
    missing = await harness.client.get(f"/agents/{agent['id']}")
    assert missing.status_code == 404
    assert missing.json()["error"]["details"] == {"resource": "agent", "id": agent["id"]}
    assert (await harness.client.delete(f"/agents/{agent['id']}")).status_code == 404


async def test_pagination_clamps_limit(harness: Harness) -> None:
    for n in range(5):
        await harness.client.post("/agents", json={"name": f"a{n}"})
    page = (await harness.client.get("/agents", params={"limit": 2, "page": 3})).json()
    assert page["pagination"] == {"page": 3, "limit": 2, "total": 5, "pages": 3}
    assert [a["name"] for a in page["data"]] == ["a0"]  # newest first
    clamped = (await harness.client.get("/agents", params={"limit": 1000})).json()
    assert clamped["pagination"]["limit"] == 100


async def test_chat_is_openai_compatible_grounded_and_deterministic(harness: Harness) -> None:
    agent_id, dataset_id = await _knowledge_agent(harness)
    request = {
        "messages": [{"role": "user", "content": "when is my order shipped?"}],
        "temperature": 0.2,
    }
    first = await harness.client.post(f"/agents/{agent_id}/chat", json=request)
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["object"] == "chat.completion"
    assert body["id"].startswith("chatcmpl-")
    choice = body["choices"][0]
    assert choice["message"]["role"] == "assistant"
    assert choice["finish_reason"] == "stop"
    assert "[ship]" in choice["message"]["content"]
    assert body["citations"][0]["recordId"] == "ship"
    assert body["citations"][0]["datasetId"] == dataset_id
    usage = body["usage"]
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"] > 0

    second = (await harness.client.post(f"/agents/{agent_id}/chat", json=request)).json()
    assert second["choices"][0]["message"]["content"] == choice["message"]["content"]
    assert second["citations"] == body["citations"]

    other = (
        await harness.client.post(
            f"/agents/{agent_id}/chat",
            json={"messages": [{"role": "user", "content": "router reset button"}]},
        )
    ).json()
    assert other["citations"][0]["recordId"] == "reset"


async def test_chat_limits_and_refusals(harness: Harness) -> None:
    agent_id, _ = await _knowledge_agent(harness)
    short = await harness.client.post(
        f"/agents/{agent_id}/chat",
        json={"messages": [{"role": "user", "content": "refunds?"}], "max_tokens": 5},
    )
    assert short.json()["choices"][0]["finish_reason"] == "length"
    assert short.json()["usage"]["completion_tokens"] <= 5
    for body, field in (
        ({"messages": []}, "messages"),
        ({"messages": [{"role": "robot", "content": "x"}]}, "messages[0].role"),
        ({"messages": [{"role": "user", "content": "x"}], "stream": True}, "stream"),
        ({"messages": [{"role": "user", "content": "x"}], "temperature": 3}, "temperature"),
    ):
        response = await harness.client.post(f"/agents/{agent_id}/chat", json=body)
        assert response.status_code == 400
        assert response.json()["error"]["details"]["field"] == field
    sdk_shape = await harness.client.post(
        f"/agents/{agent_id}/chat", json={"contents": [{"type": "text", "text": "refunds"}]}
    )
    assert sdk_shape.json()["citations"][0]["recordId"] == "refund"
    assert (
        await harness.client.post("/agents/agt_nope/chat", json=sdk_shape.json())
    ).status_code == 404


async def test_execute_and_deprecated_invoke(harness: Harness) -> None:
    agent = (
        await harness.client.post(
            "/agents",
            json={
                "name": "Reporter",
                "agentType": "TASK",
                "promptTemplate": "Report on {{topic}} for {{audience}}",
            },
        )
    ).json()
    request = {
        "inputs": {"topic": "sales", "audience": "the board"},
        "settings": {"temperature": 0.1, "maxTokens": 500},
    }
    result = await harness.client.post(f"/agents/{agent['id']}/execute", json=request)
    assert result.status_code == 200, result.text
    body = result.json()
    assert body["object"] == "agent.execution"
    assert body["status"] == "COMPLETED"
    assert body["agentId"] == agent["id"]
    assert "Report on sales for the board" in body["output"]
    assert body["outputs"]["answer"] == body["output"]
    assert "Deprecation" not in result.headers

    invoked = await harness.client.post(f"/agents/{agent['id']}/invoke", json=request)
    assert invoked.status_code == 200
    assert invoked.headers["deprecation"] == "true"
    assert invoked.json()["output"] == body["output"]

    missing = await harness.client.post(
        f"/agents/{agent['id']}/execute", json={"inputs": {"topic": "x"}}
    )
    assert missing.status_code == 400
    assert missing.json()["error"]["details"]["field"] == "inputs.audience"
    no_body = await harness.client.post(f"/agents/{agent['id']}/execute")
    assert no_body.status_code == 400  # the template needs its inputs
    errors = (
        await harness.client.get(f"/agents/{agent['id']}/logs", params={"status": "error"})
    ).json()
    assert errors["pagination"]["total"] == 2
    assert (
        errors["data"][0]["error"]
        == "Invalid parameter 'inputs.topic': required by the agent's prompt template"
    )
    assert errors["data"][0]["usage"] is None


async def test_every_call_is_logged(harness: Harness) -> None:
    agent_id, _ = await _knowledge_agent(harness)
    await harness.client.post(
        f"/agents/{agent_id}/chat", json={"messages": [{"role": "user", "content": "refund"}]}
    )
    await harness.client.post(f"/agents/{agent_id}/execute", json={"inputs": {"query": "shipping"}})
    await harness.client.post(f"/agents/{agent_id}/invoke", json={"inputs": {"query": "reset"}})
    logs = (await harness.client.get(f"/agents/{agent_id}/logs")).json()
    assert logs["pagination"]["total"] == 3
    assert [log["kind"] for log in logs["data"]] == ["execute", "execute", "chat"]
    newest = logs["data"][0]
    assert newest["id"].startswith("log_")
    assert newest["status"] == "success"
    assert newest["input"] == '{"query": "reset"}'
    assert newest["usage"]["total_tokens"] > 0
    assert isinstance(newest["latencyMs"], int)
    chats = (await harness.client.get(f"/agents/{agent_id}/logs", params={"kind": "chat"})).json()
    assert chats["pagination"]["total"] == 1
    assert chats["data"][0]["input"] == "refund"
    page = (
        await harness.client.get(f"/agents/{agent_id}/logs", params={"limit": 1, "page": 2})
    ).json()
    assert page["data"][0]["id"] == logs["data"][1]["id"]
    assert (
        await harness.client.get(f"/agents/{agent_id}/logs", params={"status": "error"})
    ).json()["data"] == []
