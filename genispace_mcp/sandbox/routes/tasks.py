"""Tasks: CRUD, input schema, runs (202 at once, executed in the background), history, cancel."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from genispace_mcp.sandbox.context import Context, context
from genispace_mcp.sandbox.errors import invalid, not_found
from genispace_mcp.sandbox.ids import iso, new_id
from genispace_mcp.sandbox.params import (
    MISSING,
    Fields,
    json_body,
    page_body,
    pagination,
    query_choice,
)
from genispace_mcp.sandbox.routes.registry import Routes
from genispace_mcp.sandbox.workflow import check_input_schema, check_inputs, check_workflow

routes = Routes("tasks")

TASK_TYPES = ("MANUAL", "SCHEDULED", "EVENT")
RUN_STATUSES = ("PENDING", "RUNNING", "COMPLETED", "FAILED", "CANCELED")
PRIORITIES = ("low", "normal", "high")
EMPTY_SCHEMA: dict[str, Any] = {"type": "object", "properties": {}, "required": []}


def _load(ctx: Context, task_id: str) -> dict[str, Any]:
    task = ctx.store.get_task(task_id)
    if task is None:
        raise not_found("task", task_id)
    return task


def _apply(task: dict[str, Any], body: dict[str, Any], creating: bool) -> None:
    f = Fields(body)
    name = f.text("name", required=creating, max_len=200)
    if name is not MISSING:
        if not name.strip():
            raise invalid("name", "required", "'name' must not be empty")
        task["name"] = name
    description = f.text("description", nullable=True)
    if description is not MISSING:
        task["description"] = description or ""
    value = f.text("type", choices=TASK_TYPES)
    if value is not MISSING:
        task["type"] = value
    priority = f.text("priority", nullable=True, choices=PRIORITIES)
    if priority is not MISSING:
        task["priority"] = priority or "normal"
    schedule = f.text("schedule", nullable=True, max_len=200)
    if schedule is not MISSING:
        task["schedule"] = schedule
    tags = f.strings("tags")
    if tags is not MISSING:
        task["tags"] = tags
    if f.has("inputSchema"):
        raw = f.raw("inputSchema")
        task["inputSchema"] = check_input_schema(raw) if raw is not None else dict(EMPTY_SCHEMA)
    if f.has("workflow"):
        raw = f.raw("workflow")
        task["workflow"] = check_workflow(raw) if raw is not None else {"steps": []}


def _summary(run: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in run.items() if k != "logs"}


@routes.add(
    "GET",
    "/tasks",
    permission="read:tasks",
    summary="List tasks",
    returns="Page:Task",
    query=("search", "type:tasks", "page", "limit"),
)
async def list_tasks(request: Request) -> Response:
    ctx = context(request)
    page, limit = pagination(request)
    task_type = query_choice(request, "type", TASK_TYPES)
    items, total = ctx.store.list_tasks(page, limit, request.query_params.get("search"), task_type)
    return JSONResponse(page_body(items, total, page, limit))


@routes.add(
    "POST",
    "/tasks",
    permission="write:tasks",
    summary="Create a task",
    status=201,
    returns="Task",
    body="TaskCreate",
)
async def create_task(request: Request) -> Response:
    ctx = context(request)
    body = await json_body(request)
    now = iso(ctx.now())
    task: dict[str, Any] = {
        "id": new_id("tsk"),
        "name": "",
        "description": "",
        "type": "MANUAL",
        "priority": "normal",
        "schedule": None,
        "tags": [],
        "inputSchema": dict(EMPTY_SCHEMA),
        "workflow": {"steps": []},
        "status": "active",
        "created_at": now,
        "updated_at": now,
    }
    _apply(task, body, creating=True)
    ctx.store.put_task(task)
    return JSONResponse(task, status_code=201)


@routes.add("GET", "/tasks/{id}", permission="read:tasks", summary="Get a task", returns="Task")
async def get_task(request: Request) -> Response:
    return JSONResponse(_load(context(request), request.path_params["id"]))


@routes.add(
    "PUT",
    "/tasks/{id}",
    permission="write:tasks",
    summary="Update a task (fields sent are changed)",
    returns="Task",
    body="TaskUpdate",
)
async def update_task(request: Request) -> Response:
    ctx = context(request)
    task = _load(ctx, request.path_params["id"])
    _apply(task, await json_body(request), creating=False)
    task["updated_at"] = iso(ctx.now())
    ctx.store.put_task(task)
    return JSONResponse(task)


@routes.add(
    "DELETE",
    "/tasks/{id}",
    permission="write:tasks",
    summary="Delete a task (its unfinished runs are canceled)",
    status=204,
)
async def delete_task(request: Request) -> Response:
    ctx = context(request)
    task = _load(ctx, request.path_params["id"])
    ctx.runner.cancel_task_runs(task["id"])
    ctx.store.delete_task(task["id"])
    return Response(status_code=204)


@routes.add(
    "GET",
    "/tasks/{id}/schema",
    permission="read:tasks",
    summary="A task's input schema (JSON Schema)",
    returns="JsonSchema",
)
async def schema(request: Request) -> Response:
    task = _load(context(request), request.path_params["id"])
    return JSONResponse(task.get("inputSchema") or EMPTY_SCHEMA)


@routes.add(
    "POST",
    "/tasks/{id}/run",
    permission="write:tasks",
    summary="Run a task: answers 202 with the run at once; the body is the inputs object",
    status=202,
    returns="Run",
    body="RunInputs",
    body_required=False,
)
async def run(request: Request) -> Response:
    ctx = context(request)
    task = _load(ctx, request.path_params["id"])
    inputs = check_inputs(task.get("inputSchema"), await json_body(request, optional=True))
    started = ctx.runner.start(task, inputs)
    return JSONResponse(
        started, status_code=202, headers={"Location": f"/v1/tasks/runs/{started['id']}"}
    )


@routes.add(
    "GET",
    "/tasks/{id}/runs",
    permission="read:tasks",
    summary="A task's runs, newest first (without logs)",
    returns="Page:RunSummary",
    query=("status:runs", "page", "limit"),
)
async def runs(request: Request) -> Response:
    ctx = context(request)
    task = _load(ctx, request.path_params["id"])
    page, limit = pagination(request)
    status = query_choice(request, "status", RUN_STATUSES)
    items, total = ctx.store.list_runs(task["id"], page, limit, status)
    return JSONResponse(page_body([_summary(r) for r in items], total, page, limit))


@routes.add(
    "GET",
    "/tasks/runs/{run_id}",
    permission="read:tasks",
    summary="A run: status, progress, step logs, outputs",
    returns="Run",
)
async def get_run(request: Request) -> Response:
    ctx = context(request)
    found = ctx.store.get_run(request.path_params["run_id"])
    if found is None:
        raise not_found("run", request.path_params["run_id"])
    return JSONResponse(found)


@routes.add(
    "POST",
    "/tasks/runs/{run_id}/cancel",
    permission="write:tasks",
    summary="Cancel a run (409 when it had already finished)",
    returns="Run",
    errors=(409,),
    body_required=False,
)
async def cancel(request: Request) -> Response:
    ctx = context(request)
    canceled = ctx.runner.cancel(request.path_params["run_id"])
    if canceled is None:
        raise not_found("run", request.path_params["run_id"])
    return JSONResponse(canceled)
