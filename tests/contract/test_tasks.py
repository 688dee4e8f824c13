"""Tasks through the client against the sandbox: CRUD, run -> poll -> COMPLETED, run -> cancel."""

from __future__ import annotations

import pytest

from genispace_mcp.client import BadRequestError, ConflictError, GeniSpace, NotFoundError
from genispace_mcp.client.types import RunStatus, TaskRun

GREETING_WORKFLOW = {
    "steps": [{"id": "greet", "type": "template", "template": "Hello {{inputs.name}}"}]
}
GREETING_SCHEMA = {
    "type": "object",
    "properties": {"name": {"type": "string"}},
    "required": ["name"],
}


async def test_task_lifecycle(gs: GeniSpace) -> None:
    task = await gs.tasks.create(
        name="Contract greeting",
        description="greets",
        workflow=GREETING_WORKFLOW,
        input_schema=GREETING_SCHEMA,
    )
    assert task.id.startswith("tsk_")
    assert (await gs.tasks.get(task.id)).name == "Contract greeting"
    assert (await gs.tasks.get_schema(task.id))["required"] == ["name"]
    assert task.id in [t.id for t in (await gs.tasks.list(search="Contract greeting")).items]

    updated = await gs.tasks.update(task.id, description="greets politely")
    assert updated.description == "greets politely"

    await gs.tasks.delete(task.id)
    with pytest.raises(NotFoundError):
        await gs.tasks.get(task.id)


async def test_run_polls_to_completed_with_outputs_and_logs(gs: GeniSpace) -> None:
    task = await gs.tasks.create(
        name="Contract run", workflow=GREETING_WORKFLOW, input_schema=GREETING_SCHEMA
    )
    seen: list[TaskRun] = []

    async def on_progress(run: TaskRun) -> None:
        seen.append(run)

    run = await gs.tasks.run(task.id, {"name": "Ada"})
    assert run.id.startswith("run_")
    assert run.status in (RunStatus.PENDING, RunStatus.RUNNING, RunStatus.COMPLETED)

    final = await gs.tasks.wait_for_run(
        run.id, timeout=30, poll_interval=0.01, on_progress=on_progress
    )
    assert final.status is RunStatus.COMPLETED
    assert final.is_final
    assert "Hello Ada" in str(final.outputs)
    assert final.logs
    assert seen
    assert seen[-1].status is RunStatus.COMPLETED

    history = await gs.tasks.runs(task.id, status="COMPLETED")
    assert run.id in [r.id for r in history.items]


async def test_run_with_bad_inputs_names_the_field(gs: GeniSpace) -> None:
    task = await gs.tasks.create(
        name="Contract strict", workflow=GREETING_WORKFLOW, input_schema=GREETING_SCHEMA
    )
    with pytest.raises(BadRequestError) as caught:
        await gs.tasks.run(task.id, {})
    assert "name" in str(caught.value)


async def test_cancel_a_waiting_run(gs: GeniSpace) -> None:
    task = await gs.tasks.create(
        name="Contract slow",
        workflow={
            "steps": [
                {"id": "pause", "type": "wait", "seconds": 600},
                {"id": "never", "type": "template", "template": "unreachable"},
            ]
        },
    )
    run = await gs.tasks.run(task.id)
    cancelled = await gs.tasks.cancel_run(run.id)
    assert cancelled.status in (RunStatus.CANCELED, RunStatus.RUNNING, RunStatus.PENDING)

    final = await gs.tasks.wait_for_run(run.id, timeout=30, poll_interval=0.01)
    assert final.status is RunStatus.CANCELED
    assert final.outputs in (None, {}) or "unreachable" not in str(final.outputs)

    with pytest.raises(ConflictError):  # a finished run cannot be cancelled again
        await gs.tasks.cancel_run(run.id)
