"""Task tools against the sandbox: list, get, run (with progress), runs, cancel, create, delete."""

from __future__ import annotations

import json
from typing import Any

import pytest
from mcp.client import Client

from genispace_mcp.client import GeniSpace
from genispace_mcp.server.tools import tasks as tasks_module
from tests.server.conftest import MODES, Connect, failed, ok, text_of, untrusted_blocks


async def tasks(mcp: Client) -> list[dict[str, Any]]:
    listed = ok(await mcp.call_tool("list_tasks", {"limit": 100}))["items"]
    return [ok(await mcp.call_tool("get_task", {"task_id": task["id"]})) for task in listed]


def waits(task: dict[str, Any]) -> bool:
    steps = (task.get("workflow") or {}).get("steps") or []
    return any(step.get("type") == "wait" for step in steps)


async def task_without_inputs(mcp: Client) -> str:
    for task in await tasks(mcp):
        if not (task.get("input_schema") or {}).get("required") and not waits(task):
            return task["id"]
    raise AssertionError("the demo workspace has a task that runs without inputs")


async def task_with_inputs(mcp: Client) -> dict[str, Any]:
    for task in await tasks(mcp):
        if (task.get("input_schema") or {}).get("required") and not waits(task):
            return task
    raise AssertionError("the demo workspace has a task that takes inputs")


async def slow_task(mcp: Client) -> str:
    """A task of our own whose single step waits, so a run stays RUNNING for a while."""
    created = ok(
        await mcp.call_tool(
            "create_task",
            {
                "name": "Slow",
                "workflow": {"steps": [{"id": "pause", "type": "wait", "seconds": 30}]},
            },
        )
    )
    return created["id"]


async def test_list_and_get_tasks(mcp: Client) -> None:
    page = ok(await mcp.call_tool("list_tasks", {}))
    assert page["items"]
    assert all("workflow" not in item for item in page["items"])  # the list view stays lean
    task = ok(await mcp.call_tool("get_task", {"task_id": page["items"][0]["id"]}))
    assert task["id"] == page["items"][0]["id"]
    assert "list_tasks" in failed(await mcp.call_tool("get_task", {"task_id": "tsk_missing"}))


@pytest.mark.parametrize("mode", MODES)
async def test_run_task_waits_with_progress_and_returns_the_final_run(
    connect: Connect, mode: str
) -> None:
    seen: list[tuple[float, float | None, str | None]] = []

    async def progress(value: float, total: float | None, message: str | None) -> None:
        seen.append((value, total, message))

    async with connect(mode=mode) as client:
        task_id = await task_without_inputs(client)
        result = await client.call_tool(
            "run_task", {"task_id": task_id}, progress_callback=progress
        )
    run = ok(result)
    assert run["final"] is True
    assert run["status"] == "COMPLETED"
    assert "follow" not in run
    assert seen, "progress notifications while waiting"
    values = [value for value, _, _ in seen]
    assert values == sorted(set(values)), "progress only grows"
    (payload,) = untrusted_blocks(text_of(result))
    assert payload.startswith('{"outputs"')


async def test_run_task_hands_back_an_unfinished_run_with_how_to_follow_it(
    mcp: Client, sandbox: Any
) -> None:
    task_id = await slow_task(mcp)
    run = ok(await mcp.call_tool("run_task", {"task_id": task_id, "wait_seconds": 0}))
    assert run["final"] is False
    assert run["status"] in ("PENDING", "RUNNING")
    assert f"get_task_run with run_id={run['id']}" in run["follow"]
    again = ok(await mcp.call_tool("get_task_run", {"run_id": run["id"]}))
    assert again["id"] == run["id"]
    listed = ok(await mcp.call_tool("list_task_runs", {"task_id": task_id}))
    assert run["id"] in [item["id"] for item in listed["items"]]
    cancelled = ok(await mcp.call_tool("cancel_task_run", {"run_id": run["id"]}))
    assert cancelled["id"] == run["id"]
    async with GeniSpace(api_key=sandbox.admin_key, base_url=sandbox.base_url) as direct:
        await direct.tasks.wait_for_run(run["id"], timeout=10, poll_interval=0.05)
    state = ok(await mcp.call_tool("get_task_run", {"run_id": run["id"]}))
    assert state["final"] is True
    assert state["status"] == "CANCELED"
    text = failed(await mcp.call_tool("cancel_task_run", {"run_id": run["id"]}))
    assert "409" in text


async def test_run_task_with_bad_inputs_names_the_field(mcp: Client) -> None:
    task = await task_with_inputs(mcp)
    field = task["input_schema"]["required"][0]
    text = failed(await mcp.call_tool("run_task", {"task_id": task["id"], "inputs": {}}))
    assert field in text
    assert "400" in text


async def test_run_task_inputs_may_come_as_a_json_string(mcp: Client) -> None:
    task = await task_with_inputs(mcp)
    schema = task["input_schema"]
    inputs = {name: "sales" for name in schema["required"]}
    run = ok(await mcp.call_tool("run_task", {"task_id": task["id"], "inputs": json.dumps(inputs)}))
    assert run["task_id"] == task["id"]


async def test_get_task_run_not_found(mcp: Client) -> None:
    text = failed(await mcp.call_tool("get_task_run", {"run_id": "run_missing"}))
    assert "run_missing" in text
    assert "list_task_runs" in text


async def test_list_task_runs_filters_by_status(mcp: Client) -> None:
    task_id = await task_without_inputs(mcp)
    ok(await mcp.call_tool("run_task", {"task_id": task_id}))
    result = await mcp.call_tool("list_task_runs", {"task_id": task_id, "status": "COMPLETED"})
    runs = ok(result)
    assert runs["items"]
    assert {item["status"] for item in runs["items"]} == {"COMPLETED"}
    assert len(untrusted_blocks(text_of(result))) == 1


async def test_create_update_delete_task(mcp: Client) -> None:
    task_id = ok(await mcp.call_tool("create_task", {"name": "Temp", "tags": ["t"]}))["id"]
    updated = ok(await mcp.call_tool("update_task", {"task_id": task_id, "description": "d"}))
    assert updated["description"] == "d"
    assert "confirm" in failed(await mcp.call_tool("delete_task", {"task_id": task_id}))
    done = ok(await mcp.call_tool("delete_task", {"task_id": task_id, "confirm": task_id}))
    assert done["deleted"] is True
    failed(await mcp.call_tool("get_task", {"task_id": task_id}))


async def test_a_quiet_run_still_sends_progress_until_the_wait_ends(
    connect: Connect, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tasks_module, "HEARTBEAT_SECONDS", 0.1)
    seen: list[float] = []

    async def progress(value: float, total: float | None, message: str | None) -> None:
        seen.append(value)

    async with connect() as client:
        task_id = await slow_task(client)
        result = await client.call_tool(
            "run_task", {"task_id": task_id, "wait_seconds": 1}, progress_callback=progress
        )
        run = ok(result)
        ok(await client.call_tool("cancel_task_run", {"run_id": run["id"]}))
    assert run["final"] is False
    assert "after waiting 1 s" in run["follow"]
    assert len(seen) >= 4, "the first state, then heartbeats through the quiet step"
    assert seen == sorted(set(seen))
