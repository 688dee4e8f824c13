"""Resources: agents, task run history, runs with logs and dataset exports, with id completion."""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, ParamSpec, TypeVar

from mcp.server import MCPServer
from mcp.server.mcpserver.exceptions import ResourceError, ResourceNotFoundError
from mcp.server.mcpserver.resources import FunctionResource
from mcp_types import (
    Completion,
    CompletionArgument,
    CompletionContext,
    PromptReference,
    ResourceTemplateReference,
)

from genispace_mcp.server.context import current_client, current_settings
from genispace_mcp.server.errors import explain
from genispace_mcp.server.models import Agent, read
from genispace_mcp.server.settings import Settings
from genispace_mcp.server.shaping import compact

logger = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")

JSON = "application/json"
MAX_COMPLETIONS = 100  # what completion/complete may return at once


def _json(value: Any) -> str:
    return json.dumps(compact(value), separators=(",", ":"), ensure_ascii=False, default=str)


def _translating(fn: Callable[P, Awaitable[R]], name: str) -> Callable[P, Awaitable[R]]:
    """The resource twin of the tool error wrapper: client errors become ResourceErrors."""

    @functools.wraps(fn)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        from genispace_mcp.client import GeniSpaceError, NotFoundError

        try:
            return await fn(*args, **kwargs)
        except GeniSpaceError as exc:
            text = explain(exc, name, kwargs, current_settings())
            if isinstance(exc, NotFoundError):
                raise ResourceNotFoundError(text) from None
            raise ResourceError(text) from None

    return wrapper


async def agents() -> str:
    """Every agent in the workspace (id, name, type, model, description)."""
    found = [
        read(Agent, agent, system_prompt=None, prompt_template=None, settings=None).model_dump(
            mode="json"
        )
        async for agent in current_client().agents.iterate()
    ]
    return _json(found)


async def agent(agent_id: str) -> str:
    """One agent's full configuration."""
    return _json(read(Agent, await current_client().agents.get(agent_id)))


async def task_runs(task_id: str) -> str:
    """A task's most recent runs, newest first (up to 100)."""
    page = await current_client().tasks.runs(task_id, limit=100)
    return _json([_run(run) for run in page.items])


async def run(run_id: str) -> str:
    """One task run with its status, outputs and every log line."""
    return _json(_run(await current_client().tasks.get_run(run_id)))


async def dataset_export(dataset_id: str, format: str = "jsonl") -> str:
    """Every record of a dataset, as JSON Lines (format=jsonl) or CSV (format=csv)."""
    if format not in ("jsonl", "csv"):
        raise ResourceError(f"format must be jsonl or csv, not {format!r}")
    lines = [line async for line in current_client().datasets.export(dataset_id, format=format)]
    return "\n".join(line.rstrip("\n") for line in lines) + ("\n" if lines else "")


def _run(value: Any) -> dict[str, Any]:
    from genispace_mcp.server.tools.tasks import run_model

    return run_model(value).model_dump(mode="json", exclude_none=True)


def register(mcp: MCPServer, settings: Settings) -> None:
    """Add the resources, resource templates and id completion."""
    mcp.add_resource(
        FunctionResource.from_function(
            _translating(agents, "genispace://agents"),
            uri="genispace://agents",
            name="agents",
            title="Agents",
            description=agents.__doc__,
            mime_type=JSON,
        )
    )
    templates: list[tuple[str, Callable[..., Awaitable[str]], str, str]] = [
        ("genispace://agents/{agent_id}", agent, "Agent", JSON),
        ("genispace://tasks/{task_id}/runs", task_runs, "Task runs", JSON),
        ("genispace://runs/{run_id}", run, "Task run", JSON),
        (
            "genispace://datasets/{dataset_id}/export{?format}",
            dataset_export,
            "Dataset export",
            "application/x-ndjson",
        ),
    ]
    for uri, fn, title, mime in templates:
        mcp.resource(uri, name=fn.__name__, title=title, description=fn.__doc__, mime_type=mime)(
            _translating(fn, uri)
        )

    @mcp.completion()
    async def complete(
        ref: PromptReference | ResourceTemplateReference,
        argument: CompletionArgument,
        context: CompletionContext | None,
    ) -> Completion | None:
        """Suggest ids (and export formats) as the user types."""
        from genispace_mcp.client import GeniSpaceError

        given = (context.arguments if context else None) or {}
        try:
            values = await _candidates(argument.name, argument.value, given)
        except GeniSpaceError as exc:
            # A failed suggestion must not break the client's form; the reason goes to the log.
            logger.info("completion for %s failed: %s", argument.name, type(exc).__name__)
            return None
        if values is None:
            return None
        return Completion(
            values=values[:MAX_COMPLETIONS],
            total=len(values),
            has_more=len(values) > MAX_COMPLETIONS,
        )


async def _candidates(name: str, typed: str, given: dict[str, str]) -> list[str] | None:
    """The ids for argument `name` that start with (or whose name contains) what was typed."""
    client = current_client()
    items: Sequence[Any]
    if name == "format":
        return [value for value in ("jsonl", "csv") if value.startswith(typed)]
    if name == "agent_id":
        items = (await client.agents.list(limit=100)).items
    elif name == "task_id":
        items = (await client.tasks.list(limit=100)).items
    elif name == "dataset_id":
        items = (await client.datasets.list(limit=100)).items
    elif name == "run_id" and given.get("task_id"):
        items = (await client.tasks.runs(given["task_id"], limit=100)).items
    else:
        return None
    needle = typed.lower()
    return [
        item.id
        for item in items
        if item.id.lower().startswith(needle) or needle in str(getattr(item, "name", "")).lower()
    ]
