"""Tasks and runs: CRUD, input schemas, background runs to COMPLETED / FAILED / CANCELED."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

from genispace_mcp.sandbox.store import Store

from .conftest import Harness, HarnessFactory

SCHEMA = {
    "type": "object",
    "properties": {"name": {"type": "string", "minLength": 1}, "count": {"type": "integer"}},
    "required": ["name"],
}


async def poll(
    harness: Harness, run_id: str, until: set[str], within: float = 10
) -> dict[str, Any]:
    """The run once its status is in `until` (polling, as a client would)."""
    with anyio.fail_after(within):
        while True:
            run = (await harness.client.get(f"/tasks/runs/{run_id}")).json()
            if run["status"] in until:
                return run
            await anyio.sleep(0.01)


async def make_task(harness: Harness, **fields: Any) -> dict[str, Any]:
    response = await harness.client.post("/tasks", json={"name": "t", **fields})
    assert response.status_code == 201, response.text
    return response.json()


async def test_crud_and_schema(harness: Harness) -> None:
    task = await make_task(harness, description="d", type="MANUAL", tags=["x"], inputSchema=SCHEMA)
    assert task["id"].startswith("tsk_")
    assert task["workflow"] == {"steps": []}
    assert (await harness.client.get(f"/tasks/{task['id']}")).json() == task
    assert (await harness.client.get(f"/tasks/{task['id']}/schema")).json() == SCHEMA
    updated = (await harness.client.put(f"/tasks/{task['id']}", json={"priority": "high"})).json()
    assert updated["priority"] == "high"
    assert updated["tags"] == ["x"]
    listed = (await harness.client.get("/tasks", params={"type": "MANUAL"})).json()
    assert listed["pagination"]["total"] == 1
    assert (await harness.client.delete(f"/tasks/{task['id']}")).status_code == 204
    assert (await harness.client.get(f"/tasks/{task['id']}")).status_code == 404


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"workflow": {"steps": [{"type": "dance"}]}}, "workflow.steps[0].type"),
        ({"workflow": {"steps": [{"type": "wait"}]}}, "workflow.steps[0].seconds"),
        ({"workflow": {"steps": [{"type": "agent"}]}}, "workflow.steps[0].agentId"),
        (
            {
                "workflow": {
                    "steps": [
                        {"id": "a", "type": "template", "template": "x"},
                        {"id": "a", "type": "template", "template": "y"},
                    ]
                }
            },
            "workflow.steps[1].id",
        ),
        (
            {
                "workflow": {
                    "steps": [
                        {
                            "type": "dataset_query",
                            "datasetId": "ds_x",
                            "filter": {"n": {"$near": 1}},
                        }
                    ]
                }
            },
            "workflow.steps[0].filter.n",
        ),
        ({"inputSchema": {"type": "array"}}, "inputSchema"),
        (
            {"inputSchema": {"type": "object", "properties": {"a": {"type": "wrong"}}}},
            "inputSchema",
        ),
        ({"type": "HOURLY"}, "type"),
    ],
)
async def test_bad_definitions_are_400(
    harness: Harness, fields: dict[str, Any], field: str
) -> None:
    response = await harness.client.post("/tasks", json={"name": "t", **fields})
    assert response.status_code == 400, response.text
    assert response.json()["error"]["details"]["field"] == field


async def test_run_completes_step_by_step(harness: Harness) -> None:
    dataset = (await harness.client.post("/datasets", json={"name": "docs"})).json()
    await harness.client.post(
        f"/datasets/{dataset['id']}/import",
        json=[{"id": "a", "text": "apples are red"}, {"id": "b", "text": "bananas are yellow"}],
    )
    agent = (
        await harness.client.post(
            "/agents", json={"name": "Fruit", "knowledgeBases": [dataset["id"]]}
        )
    ).json()
    task = await make_task(
        harness,
        inputSchema=SCHEMA,
        workflow={
            "steps": [
                {"id": "greet", "type": "template", "template": "Hello {{inputs.name}}"},
                {
                    "id": "find",
                    "type": "dataset_query",
                    "datasetId": dataset["id"],
                    "query": "yellow bananas",
                    "top_k": 1,
                },
                {"id": "ask", "type": "agent", "agentId": agent["id"], "input": "what is red?"},
                {
                    "id": "final",
                    "type": "template",
                    "template": "{{steps.greet.output}}: {{steps.find.output.0.id}}",
                },
            ]
        },
    )
    started = await harness.client.post(f"/tasks/{task['id']}/run", json={"name": "Ada"})
    assert started.status_code == 202, started.text
    run = started.json()
    assert run["id"].startswith("run_")
    assert run["status"] == "PENDING"
    assert run["progress"] == {"done": 0, "total": 4}
    assert started.headers["location"] == f"/v1/tasks/runs/{run['id']}"

    done = await poll(harness, run["id"], {"COMPLETED", "FAILED"})
    assert done["status"] == "COMPLETED", done
    assert done["progress"] == {"done": 4, "total": 4}
    assert done["outputs"]["greet"] == "Hello Ada"
    assert done["outputs"]["find"][0]["id"] == "b"
    assert "[a]" in done["outputs"]["ask"]
    assert done["outputs"]["result"] == "Hello Ada: b"
    assert done["error"] is None
    assert done["startTime"]
    assert done["endTime"]
    assert done["duration"] == 0  # the fake clock did not move
    messages = [log["message"] for log in done["logs"]]
    assert messages[0].startswith("run queued")
    assert "step 'find' (dataset_query) started" in messages
    assert messages[-1] == "run completed"
    assert {log["nodeId"] for log in done["logs"]} >= {"greet", "find", "ask", "final"}

    history = (await harness.client.get(f"/tasks/{task['id']}/runs")).json()
    assert [r["id"] for r in history["data"]] == [run["id"]]
    assert "logs" not in history["data"][0]
    assert (
        await harness.client.get(f"/tasks/{task['id']}/runs", params={"status": "FAILED"})
    ).json()["data"] == []
    # The agent step is logged like any execute call.
    logs = (await harness.client.get(f"/agents/{agent['id']}/logs")).json()
    assert logs["data"][0]["kind"] == "execute"

    conflict = await harness.client.post(f"/tasks/runs/{run['id']}/cancel")
    assert conflict.status_code == 409
    assert conflict.json()["error"]["code"] == "conflict"


@pytest.mark.parametrize(
    ("inputs", "field"),
    [
        ({}, "inputs.name"),
        ({"name": 5}, "inputs.name"),
        ({"name": "x", "count": "many"}, "inputs.count"),
        ([1, 2], "body"),
    ],
)
async def test_bad_inputs_are_400_naming_the_field(
    harness: Harness, inputs: Any, field: str
) -> None:
    task = await make_task(harness, inputSchema=SCHEMA)
    response = await harness.client.post(f"/tasks/{task['id']}/run", json=inputs)
    assert response.status_code == 400
    assert response.json()["error"]["details"]["field"] == field
    assert (await harness.client.get(f"/tasks/{task['id']}/runs")).json()["data"] == []


async def test_run_without_body_uses_empty_inputs(harness: Harness) -> None:
    task = await make_task(harness, workflow={"steps": [{"type": "template", "template": "ok"}]})
    run = (await harness.client.post(f"/tasks/{task['id']}/run")).json()
    done = await poll(harness, run["id"], {"COMPLETED"})
    assert done["inputs"] == {}
    assert done["outputs"] == {"step1": "ok", "result": "ok"}


async def test_failing_step_fails_the_run(harness: Harness) -> None:
    task = await make_task(
        harness,
        workflow={
            "steps": [
                {"id": "ok", "type": "template", "template": "fine"},
                {"id": "bad", "type": "template", "template": "{{inputs.missing}}"},
                {"id": "never", "type": "template", "template": "x"},
            ]
        },
    )
    run = (await harness.client.post(f"/tasks/{task['id']}/run", json={})).json()
    done = await poll(harness, run["id"], {"FAILED", "COMPLETED"})
    assert done["status"] == "FAILED"
    assert done["error"]["step"] == "bad"
    assert done["error"]["code"] == "template_error"
    assert "inputs.missing" in done["error"]["message"]
    assert done["progress"] == {"done": 1, "total": 3}
    assert done["logs"][-1]["level"] == "ERROR"
    assert done["outputs"] is None

    missing_agent = await make_task(
        harness, workflow={"steps": [{"type": "agent", "agentId": "agt_gone"}]}
    )
    run = (await harness.client.post(f"/tasks/{missing_agent['id']}/run")).json()
    failed = await poll(harness, run["id"], {"FAILED"})
    assert failed["error"]["code"] == "not_found"


async def test_cancel_during_a_wait(harness: Harness) -> None:
    task = await make_task(
        harness,
        workflow={
            "steps": [
                {"id": "first", "type": "template", "template": "started"},
                {"id": "pause", "type": "wait", "seconds": 600},
                {"id": "last", "type": "template", "template": "never"},
            ]
        },
    )
    run = (await harness.client.post(f"/tasks/{task['id']}/run")).json()
    with anyio.fail_after(10):  # wait until the run sits in its wait step
        while True:
            current = (await harness.client.get(f"/tasks/runs/{run['id']}")).json()
            if current["progress"]["done"] == 1:
                break
            await anyio.sleep(0.01)
    assert current["status"] == "RUNNING"

    canceled = await harness.client.post(f"/tasks/runs/{run['id']}/cancel")
    assert canceled.status_code == 200
    assert canceled.json()["status"] == "CANCELED"
    # The worker leaves its wait at once (not after 600 s).
    assert await anyio.to_thread.run_sync(lambda: harness.ctx.runner.join(run["id"], 10))
    final = (await harness.client.get(f"/tasks/runs/{run['id']}")).json()
    assert final["status"] == "CANCELED"
    assert final["progress"]["done"] == 1
    assert final["outputs"] is None
    assert final["logs"][-1]["message"] == "run canceled on request"
    again = await harness.client.post(f"/tasks/runs/{run['id']}/cancel")
    assert again.status_code == 409
    assert (await harness.client.post("/tasks/runs/run_unknown/cancel")).status_code == 404
    assert (await harness.client.get("/tasks/runs/run_unknown")).status_code == 404


async def test_pending_runs_cancel_and_queue(make_harness: HarnessFactory) -> None:
    harness = await make_harness(run_workers=1)
    slow = await make_task(harness, workflow={"steps": [{"type": "wait", "seconds": 600}]})
    quick = await make_task(harness, workflow={"steps": [{"type": "template", "template": "x"}]})
    blocking = (await harness.client.post(f"/tasks/{slow['id']}/run")).json()
    await poll(harness, blocking["id"], {"RUNNING"})
    queued = (await harness.client.post(f"/tasks/{quick['id']}/run")).json()
    assert (await harness.client.get(f"/tasks/runs/{queued['id']}")).json()["status"] == "PENDING"
    canceled = (await harness.client.post(f"/tasks/runs/{queued['id']}/cancel")).json()
    assert canceled["status"] == "CANCELED"
    # Deleting the slow task cancels its run and frees the worker for the next run.
    assert (await harness.client.delete(f"/tasks/{slow['id']}")).status_code == 204
    later = (await harness.client.post(f"/tasks/{quick['id']}/run")).json()
    assert (await poll(harness, later["id"], {"COMPLETED"}))["status"] == "COMPLETED"
    assert (await harness.client.get(f"/tasks/runs/{queued['id']}")).json()["status"] == "CANCELED"


async def test_unfinished_runs_fail_after_a_restart(make_harness: HarnessFactory, tmp_path) -> None:
    harness = await make_harness(data_dir=tmp_path)
    task = await make_task(harness, workflow={"steps": [{"type": "wait", "seconds": 600}]})
    run = (await harness.client.post(f"/tasks/{task['id']}/run")).json()
    await poll(harness, run["id"], {"RUNNING"})
    # Simulate a crash: the run stays RUNNING in the file; a new sandbox opens it.
    store = Store.open(tmp_path)
    from genispace_mcp.sandbox import SandboxSettings, close_app, create_app

    app = create_app(store, SandboxSettings(data_dir=tmp_path))
    try:
        recovered = store.get_run(run["id"])
        assert recovered is not None
        assert recovered["status"] == "FAILED"
        assert recovered["error"]["code"] == "interrupted"
    finally:
        close_app(app)
        store.close()
