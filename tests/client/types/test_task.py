"""RunStatus normalisation and the TaskRun model."""

from __future__ import annotations

from typing import Any

import pytest

from genispace_mcp.client import RunStatus, TaskRun


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("PENDING", RunStatus.PENDING),
        ("queued", RunStatus.PENDING),
        ("RUNNING", RunStatus.RUNNING),
        ("in-progress", RunStatus.RUNNING),
        ("COMPLETED", RunStatus.COMPLETED),
        ("SUCCEEDED", RunStatus.COMPLETED),
        ("succeeded", RunStatus.COMPLETED),
        ("success", RunStatus.COMPLETED),
        ("FAILED", RunStatus.FAILED),
        ("error", RunStatus.FAILED),
        ("CANCELED", RunStatus.CANCELED),
        ("CANCELLED", RunStatus.CANCELED),
        ("cancelled", RunStatus.CANCELED),
        ("RETRY", RunStatus.RETRY),
        (" Running ", RunStatus.RUNNING),
        ("HIBERNATING", RunStatus.UNKNOWN),
        ("", RunStatus.UNKNOWN),
        (None, RunStatus.UNKNOWN),
        (3, RunStatus.UNKNOWN),
    ],
)
def test_status_spellings(raw: Any, expected: RunStatus) -> None:
    assert RunStatus.parse(raw) is expected
    assert TaskRun.model_validate({"id": "run_1", "status": raw}).status is expected


@pytest.mark.parametrize(
    ("status", "final"),
    [
        (RunStatus.COMPLETED, True),
        (RunStatus.FAILED, True),
        (RunStatus.CANCELED, True),
        (RunStatus.PENDING, False),
        (RunStatus.RUNNING, False),
        (RunStatus.RETRY, False),
        (RunStatus.UNKNOWN, False),
    ],
)
def test_final_states(status: RunStatus, final: bool) -> None:
    assert status.is_final is final
    assert TaskRun(id="run_1", status=status).is_final is final


def test_unknown_status_keeps_the_raw_value() -> None:
    run = TaskRun.model_validate({"id": "run_1", "status": "HIBERNATING"})
    assert (run.status, run.status_raw) == (RunStatus.UNKNOWN, "HIBERNATING")
    assert TaskRun.model_validate({"id": "run_1", "status": "CANCELLED"}).status_raw == "CANCELLED"


def test_run_from_the_wire() -> None:
    run = TaskRun.model_validate(
        {
            "id": "run_1",
            "taskId": "tsk_1",
            "status": "FAILED",
            "inputs": {"topic": "sales"},
            "outputs": None,
            "error": {"code": "step_failed", "message": "boom", "step": "s2"},
            "progress": {"done": 1, "total": 3},
            "logs": [
                {
                    "level": "ERROR",
                    "message": "boom",
                    "timestamp": "2026-12-03T10:00:00Z",
                    "nodeId": "s2",
                }
            ],
            "startTime": "2026-12-03T10:00:00Z",
            "endTime": "2026-12-03T10:00:01Z",
            "duration": 1000,
            "created_at": "2026-12-03T10:00:00Z",
            "somethingNew": {"x": 1},
        }
    )
    assert run.task_id == "tsk_1"
    assert run.error is not None
    assert run.error.step == "s2"
    assert run.logs[0].node_id == "s2"
    assert run.progress is not None
    assert (run.progress.done, run.progress.total) == (1, 3)
    assert run.model_extra == {"somethingNew": {"x": 1}}
    dumped = run.model_dump()
    assert dumped["status"] == "FAILED"
    assert "task_id" in dumped


def test_run_error_as_text_and_missing_logs() -> None:
    run = TaskRun.model_validate({"id": "run_1", "status": "FAILED", "error": "boom", "logs": None})
    assert run.error is not None
    assert run.error.message == "boom"
    assert run.logs == []
