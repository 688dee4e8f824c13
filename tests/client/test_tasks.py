"""gs.tasks: request shapes, runs, cancel, schema, and wait_for_run's polling, progress and timeout."""

from __future__ import annotations

from typing import Any

import pytest

from genispace_mcp.client import ConflictError, RunStatus, RunWaitTimeout, TaskRun
from tests.client.conftest import Recorder, make_client, reply

TASK = {"id": "tsk_1", "name": "Report", "type": "MANUAL", "inputSchema": {"type": "object"}}


def _run(status: str, done: int | None = None, logs: int = 0) -> dict[str, Any]:
    run: dict[str, Any] = {"id": "run_1", "taskId": "tsk_1", "status": status}
    if done is not None:
        run["progress"] = {"done": done, "total": 3}
    run["logs"] = [{"level": "INFO", "message": f"step {i}"} for i in range(logs)]
    return run


async def test_crud_shapes() -> None:
    recorder = Recorder(
        reply(201, TASK), reply(200, TASK), reply(200, {**TASK, "name": "New"}), reply(204)
    )
    gs, _ = make_client(recorder)
    task = await gs.tasks.create(
        name="Report", input_schema={"type": "object"}, workflow={"steps": []}, priority=2
    )
    assert task.input_schema == {"type": "object"}
    await gs.tasks.get("tsk_1")
    updated = await gs.tasks.update("tsk_1", name="New", input_schema=None)
    assert updated.name == "New"
    await gs.tasks.delete("tsk_1")
    methods = [(r.method, r.url.path) for r in recorder.requests]
    assert methods == [
        ("POST", "/v1/tasks"),
        ("GET", "/v1/tasks/tsk_1"),
        ("PUT", "/v1/tasks/tsk_1"),
        ("DELETE", "/v1/tasks/tsk_1"),
    ]
    bodies = recorder.json_bodies()
    assert bodies[0] == {
        "name": "Report",
        "type": "MANUAL",
        "workflow": {"steps": []},
        "inputSchema": {"type": "object"},
        "priority": 2,
    }
    assert bodies[2] == {"name": "New"}


async def test_run_sends_the_inputs_as_the_body() -> None:
    recorder = Recorder(reply(202, _run("PENDING")))
    gs, _ = make_client(recorder)
    run = await gs.tasks.run("tsk_1", {"topic": "sales"})
    assert run.status is RunStatus.PENDING
    await gs.tasks.run("tsk_1")
    assert recorder.json_bodies() == [{"topic": "sales"}, {}]
    assert recorder.requests[0].url.path == "/v1/tasks/tsk_1/run"


async def test_runs_get_run_and_cancel() -> None:
    recorder = Recorder(
        reply(
            200, {"data": [_run("COMPLETED")], "pagination": {"page": 1, "limit": 5, "total": 1}}
        ),
        reply(200, _run("RUNNING", done=1, logs=2)),
        reply(200, _run("CANCELLED")),
        reply(409, {"error": {"code": "conflict", "message": "run already finished"}}),
    )
    gs, _ = make_client(recorder)
    page = await gs.tasks.runs("tsk_1", status="COMPLETED", limit=5)
    assert page.items[0].is_final
    run = await gs.tasks.get_run("run_1")
    assert len(run.logs) == 2
    canceled = await gs.tasks.cancel_run("run_1")
    assert canceled.status is RunStatus.CANCELED
    with pytest.raises(ConflictError, match="already finished"):
        await gs.tasks.cancel_run("run_1")
    paths = [(r.method, r.url.path, dict(r.url.params)) for r in recorder.requests]
    assert paths == [
        ("GET", "/v1/tasks/tsk_1/runs", {"status": "COMPLETED", "page": "1", "limit": "5"}),
        ("GET", "/v1/tasks/runs/run_1", {}),
        ("POST", "/v1/tasks/runs/run_1/cancel", {}),
        ("POST", "/v1/tasks/runs/run_1/cancel", {}),
    ]


@pytest.mark.parametrize(
    "body",
    [
        {"type": "object", "properties": {"a": {"type": "string"}}},
        {"inputSchema": {"type": "object", "properties": {"a": {"type": "string"}}}},
        {
            "success": True,
            "data": {"schema": {"type": "object", "properties": {"a": {"type": "string"}}}},
        },
    ],
)
async def test_get_schema(body: dict[str, Any]) -> None:
    gs, _ = make_client(Recorder(reply(200, body)))
    assert await gs.tasks.get_schema("tsk_1") == {
        "type": "object",
        "properties": {"a": {"type": "string"}},
    }


async def test_wait_for_run_polls_with_backoff_and_reports_changes() -> None:
    states = [
        _run("PENDING"),
        _run("RUNNING", done=1),
        _run("RUNNING", done=1),  # nothing new: no progress call
        _run("RUNNING", done=2, logs=1),
        _run("RUNNING", done=2, logs=1),
        _run("RUNNING", done=2, logs=1),
        _run("SUCCEEDED", done=3, logs=2),
    ]
    recorder = Recorder(*(reply(200, s) for s in states))
    gs, clock = make_client(recorder)
    seen: list[tuple[RunStatus, int | None]] = []

    def on_progress(run: TaskRun) -> None:
        seen.append((run.status, run.progress.done if run.progress else None))

    run = await gs.tasks.wait_for_run(
        "run_1", poll_interval=1.0, max_poll_interval=3.0, on_progress=on_progress
    )
    assert run.status is RunStatus.COMPLETED
    assert run.status_raw == "SUCCEEDED"
    assert seen == [
        (RunStatus.PENDING, None),
        (RunStatus.RUNNING, 1),
        (RunStatus.RUNNING, 2),
        (RunStatus.COMPLETED, 3),
    ]
    assert clock.sleeps == [1.0, 1.5, 2.25, 3.0, 3.0, 3.0]
    assert len(recorder.requests) == 7


async def test_wait_for_run_accepts_an_async_callback_and_returns_a_final_run_at_once() -> None:
    gs, clock = make_client(Recorder(reply(200, _run("FAILED"))))
    calls: list[str] = []

    async def on_progress(run: TaskRun) -> None:
        calls.append(run.status.value)

    run = await gs.tasks.wait_for_run("run_1", on_progress=on_progress)
    assert run.status is RunStatus.FAILED
    assert calls == ["FAILED"]
    assert clock.sleeps == []


async def test_wait_for_run_times_out_with_the_last_state() -> None:
    recorder = Recorder(reply(200, _run("RUNNING", done=1)))
    gs, clock = make_client(recorder)
    with pytest.raises(RunWaitTimeout, match="still RUNNING after 10 s") as info:
        await gs.tasks.wait_for_run("run_1", timeout=10, poll_interval=2, max_poll_interval=4)
    assert info.value.run.status is RunStatus.RUNNING
    assert info.value.run.progress is not None
    assert info.value.run.progress.done == 1
    assert sum(clock.sleeps) == pytest.approx(10)
    assert max(clock.sleeps) <= 4


async def test_wait_for_run_checks_the_id_first() -> None:
    recorder = Recorder(reply(200, _run("RUNNING")))
    gs, _ = make_client(recorder)
    with pytest.raises(ValueError, match="run_id"):
        await gs.tasks.wait_for_run("")
    assert recorder.requests == []


async def test_wait_for_run_survives_a_transient_error() -> None:
    recorder = Recorder(reply(200, _run("RUNNING")), reply(503, {}), reply(200, _run("COMPLETED")))
    gs, _ = make_client(recorder)
    assert (await gs.tasks.wait_for_run("run_1")).status is RunStatus.COMPLETED
    assert len(recorder.requests) == 3
