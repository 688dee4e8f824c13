"""Resources and templates against the sandbox, with id completion."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from mcp.client import Client
from mcp.shared.exceptions import MCPError
from mcp_types import ResourceTemplateReference, TextResourceContents

from genispace_mcp.client import GeniSpace
from genispace_mcp.server import create_server, resources
from genispace_mcp.server.resources import COMPLETION_TTL, CompletionCache
from genispace_mcp.server.settings import Settings
from tests.server.conftest import MODES, Connect, first_id, ok


async def read(client: Client, uri: str) -> str:
    contents = (await client.read_resource(uri)).contents
    assert len(contents) == 1
    assert isinstance(contents[0], TextResourceContents)
    return contents[0].text


async def test_listed_resources_and_templates(mcp: Client) -> None:
    resources = [str(resource.uri) for resource in (await mcp.list_resources()).resources]
    assert resources == ["genispace://agents"]
    templates = {t.uri_template for t in (await mcp.list_resource_templates()).resource_templates}
    assert templates == {
        "genispace://agents/{agent_id}",
        "genispace://tasks/{task_id}/runs",
        "genispace://runs/{run_id}",
        "genispace://datasets/{dataset_id}/export{?format}",
    }


@pytest.mark.parametrize("mode", MODES)
async def test_agents_and_one_agent(connect: Connect, mode: str) -> None:
    async with connect(mode=mode) as client:
        agents = json.loads(await read(client, "genispace://agents"))
        assert agents
        assert all("system_prompt" not in agent for agent in agents)
        one = json.loads(await read(client, f"genispace://agents/{agents[0]['id']}"))
        assert one["id"] == agents[0]["id"]


async def test_runs_of_a_task_and_one_run_with_logs(mcp: Client) -> None:
    tasks = ok(await mcp.call_tool("list_tasks", {"limit": 100}))["items"]
    # The shared sandbox holds other tests' tasks too: pick the demo task that finishes at once.
    task = next(t for t in tasks if t["name"] == "Answer a customer")
    run = ok(await mcp.call_tool("run_task", {"task_id": task["id"], "inputs": {"question": "hi"}}))
    runs = json.loads(await read(mcp, f"genispace://tasks/{task['id']}/runs"))
    assert run["id"] in [item["id"] for item in runs]
    one = json.loads(await read(mcp, f"genispace://runs/{run['id']}"))
    assert one["id"] == run["id"]
    assert one["logs"]


async def test_dataset_export_in_both_formats(mcp: Client) -> None:
    dataset_id = await first_id(mcp, "list_datasets")
    lines = (await read(mcp, f"genispace://datasets/{dataset_id}/export")).splitlines()
    records = [json.loads(line) for line in lines]
    stats = ok(await mcp.call_tool("get_dataset", {"dataset_id": dataset_id}))["statistics"]
    assert len(records) == stats["record_count"]
    table = list(
        csv.DictReader(
            io.StringIO(await read(mcp, f"genispace://datasets/{dataset_id}/export?format=csv"))
        )
    )
    assert [row["id"] for row in table] == [record["id"] for record in records]


async def test_unknown_ids_and_formats_are_errors(mcp: Client) -> None:
    with pytest.raises(MCPError) as raised:
        await read(mcp, "genispace://agents/agt_missing")
    assert "agt_missing" in str(raised.value)
    with pytest.raises(MCPError):
        await read(mcp, "genispace://datasets/ds_x/export?format=xml")


async def test_completion_of_ids_and_formats(mcp: Client) -> None:
    agent_id = await first_id(mcp, "list_agents")
    ref = ResourceTemplateReference(type="ref/resource", uri="genispace://agents/{agent_id}")
    found = await mcp.complete(ref, {"name": "agent_id", "value": agent_id[:5]})
    assert agent_id in found.completion.values
    none = await mcp.complete(ref, {"name": "agent_id", "value": "zzz-no-such"})
    assert none.completion.values == []
    export = ResourceTemplateReference(
        type="ref/resource", uri="genispace://datasets/{dataset_id}/export{?format}"
    )
    formats = await mcp.complete(export, {"name": "format", "value": "c"})
    assert formats.completion.values == ["csv"]


class FakeClock:
    """A monotonic clock that moves only when told."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


async def test_completion_cache_serves_fresh_lists_per_key() -> None:
    clock = FakeClock()
    cache = CompletionCache(ttl=10, clock=clock, max_entries=2)
    calls: list[str] = []

    def fetcher(tag: str) -> Callable[[], Awaitable[list[str]]]:
        async def fetch() -> list[str]:
            calls.append(tag)
            return [f"{tag}{len(calls)}"]

        return fetch

    assert await cache.get("a", fetcher("a")) == ["a1"]
    clock.now += 9.9
    assert await cache.get("a", fetcher("a")) == ["a1"]  # still fresh: no call
    assert await cache.get("b", fetcher("b")) == ["b2"]  # another caller: its own list
    clock.now += 0.1
    assert await cache.get("a", fetcher("a")) == ["a3"]  # expired: fetched again
    assert await cache.get("c", fetcher("c")) == ["c4"]
    assert await cache.get("d", fetcher("d")) == ["d5"]  # over max_entries: the oldest goes
    assert await cache.get("b", fetcher("b")) == ["b6"]
    assert calls == ["a", "b", "a", "c", "d", "b"]

    async def broken() -> list[str]:
        raise RuntimeError("down")

    with pytest.raises(RuntimeError):
        await cache.get("e", broken)
    assert await cache.get("e", fetcher("e")) == ["e7"]  # a failure is not cached


async def test_completion_lists_once_per_burst_of_typing(
    sandbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = FakeClock()
    monkeypatch.setattr(resources, "CLOCK", clock)
    listed: list[str] = []

    async def count(request: httpx.Request) -> None:
        if request.method == "GET" and request.url.path.endswith("/agents"):
            listed.append(str(request.url))

    http = httpx.AsyncClient(event_hooks={"request": [count]})
    settings = Settings(api_key=sandbox.admin_key, base_url=sandbox.base_url, max_retries=0)
    async with (
        http,
        GeniSpace(api_key=sandbox.admin_key, base_url=sandbox.base_url, http_client=http) as gs,
        Client(create_server(settings, client=gs)) as client,
    ):
        ref = ResourceTemplateReference(type="ref/resource", uri="genispace://agents/{agent_id}")
        typed = ""
        for letter in "agt_":
            typed += letter
            found = await client.complete(ref, {"name": "agent_id", "value": typed})
            assert found.completion.values
        assert len(listed) == 1
        clock.now += COMPLETION_TTL
        await client.complete(ref, {"name": "agent_id", "value": "agt"})
        assert len(listed) == 2


async def test_an_export_too_large_to_read_whole_is_refused_with_a_way_on(
    mcp: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    listed = ok(await mcp.call_tool("list_datasets", {"limit": 100}))["items"]
    # The shared sandbox holds other tests' (small) datasets too: take the demo FAQ.
    dataset_id = next(d["id"] for d in listed if d["name"] == "Product FAQ")
    monkeypatch.setattr(resources, "EXPORT_LIMIT", 1_000)
    with pytest.raises(MCPError) as raised:
        await read(mcp, f"genispace://datasets/{dataset_id}/export")
    assert "query_dataset" in str(raised.value)
