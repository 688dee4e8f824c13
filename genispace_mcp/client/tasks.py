"""gs.tasks: manage tasks, run them, follow and cancel their runs, wait for a run to finish."""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any

from genispace_mcp.client._errors import RunWaitTimeout
from genispace_mcp.client._pagination import Page, iterate_pages
from genispace_mcp.client._resource import Resource, camel_body, new_idempotency_key
from genispace_mcp.client._transport import segment
from genispace_mcp.client.types.task import Task, TaskRun

__all__ = ["ProgressCallback", "Tasks"]

ProgressCallback = Callable[[TaskRun], Awaitable[None] | None]

# Polling slows down by this factor after every poll that finds the run unfinished.
POLL_BACKOFF = 1.5


def _signature(run: TaskRun) -> tuple[Any, ...]:
    progress = (run.progress.done, run.progress.total) if run.progress else None
    return (run.status, run.status_raw, progress, len(run.logs))


class Tasks(Resource):
    """The task API (`/tasks`) and task runs (`/tasks/runs`)."""

    async def list(
        self,
        *,
        search: str | None = None,
        type: str | None = None,
        page: int = 1,
        limit: int = 20,
    ) -> Page[Task]:
        """One page of tasks, optionally filtered by a search text and type."""
        reply = await self._t.request(
            "GET", "tasks", params={"search": search, "type": type, "page": page, "limit": limit}
        )
        return self._page(Task, reply, page, limit)

    def iterate(
        self, *, search: str | None = None, type: str | None = None, page_size: int = 100
    ) -> AsyncIterator[Task]:
        """Every task, page after page, fetched as the loop goes."""
        return iterate_pages(
            lambda p, n: self.list(search=search, type=type, page=p, limit=n), page_size=page_size
        )

    async def get(self, id: str) -> Task:
        """One task by id."""
        return self._one(Task, await self._t.request("GET", f"tasks/{segment(id)}"))

    async def create(
        self,
        *,
        name: str,
        description: str | None = None,
        type: str = "MANUAL",
        workflow: Any = None,
        input_schema: Mapping[str, Any] | None = None,
        idempotency_key: str | None = None,
        **extra: Any,
    ) -> Task:
        """Create a task; other platform fields (priority, schedule, tags) go in `extra`."""
        body = camel_body(
            {
                "name": name,
                "description": description,
                "type": type,
                "workflow": workflow,
                "input_schema": input_schema,
                **extra,
            }
        )
        reply = await self._t.request(
            "POST", "tasks", json=body, idempotency_key=idempotency_key or new_idempotency_key()
        )
        return self._one(Task, reply)

    async def update(self, id: str, **fields: Any) -> Task:
        """Change the given fields of a task (snake_case or camelCase; None values are skipped)."""
        path = f"tasks/{segment(id)}"
        return self._one(Task, await self._t.request("PUT", path, json=camel_body(fields)))

    async def delete(self, id: str) -> None:
        """Delete a task."""
        await self._t.request("DELETE", f"tasks/{segment(id)}")

    async def get_schema(self, id: str) -> dict[str, Any]:
        """The JSON Schema a run's inputs are checked against."""
        reply = await self._t.request("GET", f"tasks/{segment(id)}/schema")
        data = reply.data if isinstance(reply.data, dict) else {}
        # Some replies wrap it: {"inputSchema": {...}} or {"schema": {...}}.
        for key in ("inputSchema", "input_schema", "schema"):
            if isinstance(data.get(key), dict):
                return dict(data[key])
        return dict(data)

    async def run(
        self,
        id: str,
        inputs: Mapping[str, Any] | None = None,
        *,
        idempotency_key: str | None = None,
    ) -> TaskRun:
        """Start a run with these inputs; answers at once with the run (usually PENDING)."""
        reply = await self._t.request(
            "POST",
            f"tasks/{segment(id)}/run",
            json=dict(inputs or {}),
            idempotency_key=idempotency_key or new_idempotency_key(),
        )
        return self._one(TaskRun, reply)

    async def runs(
        self, id: str, *, status: str | None = None, page: int = 1, limit: int = 20
    ) -> Page[TaskRun]:
        """One page of a task's runs, newest first (without their logs)."""
        reply = await self._t.request(
            "GET",
            f"tasks/{segment(id)}/runs",
            params={"status": status, "page": page, "limit": limit},
        )
        return self._page(TaskRun, reply, page, limit)

    async def get_run(self, run_id: str) -> TaskRun:
        """One run with its status, progress, logs, outputs and error."""
        path = f"tasks/runs/{segment(run_id, 'run_id')}"
        return self._one(TaskRun, await self._t.request("GET", path))

    async def cancel_run(self, run_id: str) -> TaskRun:
        """Ask a run to stop; ConflictError if it had already finished."""
        path = f"tasks/runs/{segment(run_id, 'run_id')}/cancel"
        return self._one(TaskRun, await self._t.request("POST", path))

    async def wait_for_run(
        self,
        run_id: str,
        *,
        timeout: float = 300.0,  # noqa: ASYNC109 - a documented option, not a cancel scope
        poll_interval: float = 1.0,
        max_poll_interval: float = 10.0,
        on_progress: ProgressCallback | None = None,
    ) -> TaskRun:
        """Poll a run until it completes, fails or is canceled, and return it.

        Polls start `poll_interval` apart and slow down to `max_poll_interval`. `on_progress`
        (sync or async) gets the run each time its status, progress or logs change. Raises
        RunWaitTimeout, carrying the last state seen in `.run`, after `timeout` seconds.
        """
        segment(run_id, "run_id")
        clock, sleep = self._t.clock, self._t.sleep
        deadline = clock() + timeout
        delay = poll_interval
        seen: tuple[Any, ...] | None = None
        while True:
            run = await self.get_run(run_id)
            signature = _signature(run)
            if signature != seen:
                seen = signature
                if on_progress is not None:
                    result = on_progress(run)
                    if inspect.isawaitable(result):
                        await result
            if run.is_final:
                return run
            remaining = deadline - clock()
            if remaining <= 0:
                raise RunWaitTimeout(
                    f"run {run_id} is still {run.status.value} after {timeout:g} s",
                    run=run,
                )
            await sleep(min(delay, remaining))
            delay = min(delay * POLL_BACKOFF, max_poll_interval)
