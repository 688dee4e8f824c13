"""Resources: agents, task run history, runs with logs and dataset exports, with id completion."""

from __future__ import annotations

import functools
import json
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable, Sequence
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

from genispace_mcp.server.context import current_client, current_settings, current_tenant
from genispace_mcp.server.errors import explain
from genispace_mcp.server.models import Agent, read
from genispace_mcp.server.settings import Settings
from genispace_mcp.server.shaping import compact

logger = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")

JSON = "application/json"
MAX_COMPLETIONS = 100  # what completion/complete may return at once
# Seconds a fetched id list serves completion: one list call per burst of typing.
COMPLETION_TTL = 10.0
CLOCK: Callable[[], float] = time.monotonic  # what new completion caches read the time from


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


# The most characters a dataset export resource returns; beyond it the read is refused.
EXPORT_LIMIT = 10_000_000


async def dataset_export(dataset_id: str, format: str = "jsonl") -> str:
    """Every record of a dataset, as JSON Lines (format=jsonl) or CSV (format=csv)."""
    if format not in ("jsonl", "csv"):
        raise ResourceError(f"format must be jsonl or csv, not {format!r}")
    lines: list[str] = []
    size = 0
    async for line in current_client().datasets.export(dataset_id, format=format):
        lines.append(line.rstrip("\n"))
        size += len(line) + 1
        if size > EXPORT_LIMIT:  # a resource is read whole: refuse rather than hold it all
            raise ResourceError(
                f"Dataset {dataset_id} exports to more than {EXPORT_LIMIT // 1_000_000} MB, too "
                "much to read as one resource. Page through it with query_dataset (offset, "
                "top_k), or export it with the GeniSpace client (datasets.export streams it)."
            )
    return "\n".join(lines) + ("\n" if lines else "")


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

    cache = CompletionCache()

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
            values = await _candidates(argument.name, argument.value, given, cache)
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


class CompletionCache:
    """The id lists completion fetched recently, per caller, so each keystroke is not a list call.

    Entries are keyed by `current_tenant()` (the connection's client, or a tenant's digest), so one
    caller never sees another's ids; they expire after `ttl` seconds and at most `max_entries` are
    kept. Failures are not cached.
    """

    def __init__(
        self,
        ttl: float = COMPLETION_TTL,
        clock: Callable[[], float] | None = None,
        max_entries: int = 256,
    ) -> None:
        self.ttl = ttl
        self.clock = clock or CLOCK
        self.max_entries = max_entries
        self._entries: OrderedDict[Hashable, tuple[float, Sequence[Any]]] = OrderedDict()

    async def get(
        self, key: Hashable, fetch: Callable[[], Awaitable[Sequence[Any]]]
    ) -> Sequence[Any]:
        """The items cached under `key` while fresh, else `fetch()`'s, cached from now."""
        now = self.clock()
        while self._entries:  # oldest first: drop what has expired
            oldest = next(iter(self._entries))
            if self._entries[oldest][0] > now:
                break
            del self._entries[oldest]
        entry = self._entries.get(key)
        if entry is not None:
            return entry[1]
        items = await fetch()
        self._entries[key] = (self.clock() + self.ttl, items)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)
        return items


async def _candidates(
    name: str, typed: str, given: dict[str, str], cache: CompletionCache
) -> list[str] | None:
    """The ids for argument `name` that start with (or whose name contains) what was typed."""
    if name == "format":
        return [value for value in ("jsonl", "csv") if value.startswith(typed)]
    client = current_client()
    fetch: Callable[[], Awaitable[Any]]
    parent = None
    if name == "agent_id":
        fetch = functools.partial(client.agents.list, limit=100)
    elif name == "task_id":
        fetch = functools.partial(client.tasks.list, limit=100)
    elif name == "dataset_id":
        fetch = functools.partial(client.datasets.list, limit=100)
    elif name == "run_id" and given.get("task_id"):
        parent = given["task_id"]
        fetch = functools.partial(client.tasks.runs, parent, limit=100)
    else:
        return None

    async def items() -> Sequence[Any]:
        return (await fetch()).items

    found = await cache.get((current_tenant(), name, parent), items)
    needle = typed.lower()
    return [
        item.id
        for item in found
        if item.id.lower().startswith(needle) or needle in str(getattr(item, "name", "")).lower()
    ]
