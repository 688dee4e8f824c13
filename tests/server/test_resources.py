"""Resources and templates against the sandbox, with id completion."""

from __future__ import annotations

import csv
import io
import json

import pytest
from mcp.client import Client
from mcp.shared.exceptions import MCPError
from mcp_types import ResourceTemplateReference, TextResourceContents

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
    task = next(t for t in tasks if "Slow" not in t["name"])
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
