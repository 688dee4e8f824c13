"""Task models: the task, a run of it, the run's status, progress, logs and error."""

from __future__ import annotations

import enum
from typing import Any

from pydantic import Field, field_validator, model_validator

from genispace_mcp.client.types.shared import GeniSpaceModel, Timestamp

__all__ = ["RunError", "RunLog", "RunProgress", "RunStatus", "Task", "TaskRun"]


class RunStatus(enum.StrEnum):
    """A run's state; every spelling the platform uses maps to one value, anything new to UNKNOWN."""

    PENDING = "PENDING"
    RUNNING = "RUNNING"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"
    CANCELED = "CANCELED"
    RETRY = "RETRY"
    UNKNOWN = "UNKNOWN"

    @classmethod
    def parse(cls, value: Any) -> RunStatus:
        """Normalise a raw status (`succeeded`, `CANCELLED`, ...); never raises."""
        if isinstance(value, RunStatus):
            return value
        if not isinstance(value, str):
            return cls.UNKNOWN
        key = value.strip().lower().replace("-", "_").replace(" ", "_")
        return _ALIASES.get(key, cls.UNKNOWN)

    @property
    def is_final(self) -> bool:
        """True for COMPLETED, FAILED and CANCELED: the run will not change any more."""
        return self in _FINAL


_ALIASES: dict[str, RunStatus] = {
    **dict.fromkeys(
        ("pending", "queued", "created", "waiting", "scheduled", "submitted"), RunStatus.PENDING
    ),
    **dict.fromkeys(
        ("running", "in_progress", "processing", "started", "executing", "active"),
        RunStatus.RUNNING,
    ),
    **dict.fromkeys(
        ("completed", "complete", "succeeded", "success", "successful", "done", "finished"),
        RunStatus.COMPLETED,
    ),
    **dict.fromkeys(("failed", "failure", "error", "errored"), RunStatus.FAILED),
    **dict.fromkeys(
        ("canceled", "cancelled", "cancel", "aborted", "stopped", "terminated"),
        RunStatus.CANCELED,
    ),
    **dict.fromkeys(("retry", "retrying"), RunStatus.RETRY),
}
_FINAL = frozenset({RunStatus.COMPLETED, RunStatus.FAILED, RunStatus.CANCELED})


class Task(GeniSpaceModel):
    """A task: a workflow that can be run with inputs checked against its input schema."""

    id: str
    name: str | None = None
    description: str | None = None
    type: str | None = None
    priority: Any = None
    schedule: str | None = None
    tags: list[str] = Field(default_factory=list)
    input_schema: dict[str, Any] | None = None
    workflow: Any = None
    status: str | None = None
    created_at: Timestamp = None
    updated_at: Timestamp = None


class RunLog(GeniSpaceModel):
    """One log line of a run."""

    level: str | None = None
    message: str | None = None
    timestamp: Timestamp = None
    node_id: str | None = None


class RunProgress(GeniSpaceModel):
    """How far a run is: `done` of `total` steps."""

    done: int | None = None
    total: int | None = None


class RunError(GeniSpaceModel):
    """Why a run failed."""

    code: str | None = None
    message: str | None = None
    step: str | None = None


class TaskRun(GeniSpaceModel):
    """One run (execution) of a task; `status_raw` keeps the platform's own spelling."""

    id: str
    task_id: str | None = None
    status: RunStatus = RunStatus.UNKNOWN
    status_raw: str | None = None
    inputs: Any = None
    outputs: Any = None
    error: RunError | None = None
    progress: RunProgress | None = None
    logs: list[RunLog] = Field(default_factory=list)
    start_time: Timestamp = None
    end_time: Timestamp = None
    duration: float | None = None
    created_at: Timestamp = None

    @model_validator(mode="before")
    @classmethod
    def _keep_raw_status(cls, data: Any) -> Any:
        if isinstance(data, dict) and "status_raw" not in data and "statusRaw" not in data:
            raw = data.get("status")
            if raw is not None and not isinstance(raw, RunStatus):
                data = {**data, "status_raw": str(raw)}
        return data

    @field_validator("status", mode="before")
    @classmethod
    def _normalise_status(cls, value: Any) -> RunStatus:
        return RunStatus.parse(value)

    @field_validator("error", mode="before")
    @classmethod
    def _error_from_text(cls, value: Any) -> Any:
        if isinstance(value, str):
            return {"message": value}
        return value

    @field_validator("logs", mode="before")
    @classmethod
    def _no_logs(cls, value: Any) -> Any:
        return [] if value is None else value

    @property
    def is_final(self) -> bool:
        """True once the run has completed, failed or been canceled."""
        return self.status.is_final
