"""Faults: with GeniSpace slow, rate limiting, failing, resetting connections and cutting bodies
short, every tool call ends correct or as a clear isError, nothing hangs, and an import repeated
under faults with its idempotency key stores exactly the records sent."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
import httpx
from mcp import Client

from bench.procs import StdioPeer, child_env, server_command
from genispace_mcp.client import GeniSpace, GeniSpaceError
from genispace_mcp.sandbox import SandboxServer
from genispace_mcp.server import create_server
from tests.reliability.conftest import (
    CANARY_KEY,
    Faults,
    assert_clear_error,
    server_settings,
    text_of,
)

CALL_DEADLINE = 20.0  # seconds: far above the worst retry schedule, far below "hung"
RATE = 0.35
SEED = 4242


@dataclass(frozen=True, slots=True)
class Failed:
    """A call that ended as an isError result, with its text."""

    text: str


def demo(sandbox: SandboxServer) -> dict[str, Any]:
    """Ids and facts of the demo workspace, read straight from the sandbox with faults off."""
    headers = {"authorization": f"Bearer {sandbox.admin_key}"}
    with httpx.Client(base_url=sandbox.base_url, headers=headers, timeout=30) as http:
        agents = http.get("/agents", params={"limit": 100}).json()["data"]
        datasets = http.get("/datasets", params={"limit": 100}).json()["data"]
        tasks = http.get("/tasks", params={"limit": 100}).json()["data"]
        me = http.get("/users/me").json()
    return {"agents": agents, "datasets": datasets, "tasks": tasks, "me": me}


def plan(facts: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """A varied sequence of read and write tool calls over the demo workspace."""
    calls: list[tuple[str, dict[str, Any]]] = [("whoami", {})]
    chat = next(a for a in facts["agents"] if a["agentType"] == "CHAT")
    for agent in facts["agents"]:
        calls += [("get_agent", {"agent_id": agent["id"]}), ("list_agents", {"limit": 50})]
    for dataset in facts["datasets"]:
        calls += [
            ("get_dataset", {"dataset_id": dataset["id"]}),
            ("query_dataset", {"dataset_id": dataset["id"], "query": "refund", "top_k": 3}),
        ]
    for task in facts["tasks"]:
        calls += [("get_task", {"task_id": task["id"]}), ("list_tasks", {"limit": 50})]
    calls += [("chat_with_agent", {"agent_id": chat["id"], "message": "What is the warranty?"})]
    calls += [("list_datasets", {}), ("get_agent_logs", {"agent_id": chat["id"], "limit": 5})]
    return calls


def comparable(tool: str, structured: dict[str, Any]) -> Any:
    """The part of a tool's answer that must be the same with and without faults."""
    if tool in ("list_agents", "list_tasks", "list_datasets"):
        return sorted(item["id"] for item in structured["items"])
    if tool == "query_dataset":
        return [match["id"] for match in structured["matches"]]
    if tool == "chat_with_agent":
        return structured["reply"]
    if tool == "get_agent_logs":
        return "logs"  # the log grows with every chat: only its arrival is compared
    if tool == "whoami":
        return structured.get("user", structured).get(
            "email", json.dumps(structured, sort_keys=True)[:40]
        )
    return structured["id"], structured.get("name")


async def run_plan(client: Client, calls: list[tuple[str, dict[str, Any]]]) -> list[Any]:
    """Each call's comparable answer, or Failed(text) for an isError result."""
    out: list[Any] = []
    for tool, arguments in calls:
        with anyio.fail_after(CALL_DEADLINE):
            result = await client.call_tool(tool, arguments)
        if result.is_error:
            out.append(Failed(assert_clear_error(result, tool)))
        else:
            assert result.structured_content is not None, f"{tool}: no structuredContent"
            out.append(comparable(tool, result.structured_content))
    return out


async def test_tool_calls_under_faults_are_correct_or_clear_errors(
    canary_sandbox: SandboxServer, faults: Faults, tmp_path: Path
) -> None:
    calls = plan(demo(canary_sandbox)) * 2
    server = create_server(server_settings(canary_sandbox, tmp_path, max_retries=2))
    async with Client(server) as client:
        truth = await run_plan(client, calls)
        assert not [t for t in truth if isinstance(t, Failed)]
        faults.on(rate=RATE, seed=SEED)
        faulted = await run_plan(client, calls)
        faults.off()
        errors = [(calls[i][0], r.text) for i, r in enumerate(faulted) if isinstance(r, Failed)]
        for index, (expected, got) in enumerate(zip(truth, faulted, strict=True)):
            if not isinstance(got, Failed):
                assert got == expected, (
                    f"call {index} ({calls[index][0]}) answered wrong under faults"
                )
        # Every error names GeniSpace's failure and what to do; none is about our own code.
        for tool, text in errors:
            assert "GeniSpace" in text, f"{tool}: {text}"
        # The seeded faults do hit: most calls survive through retries, some cannot.
        assert len(errors) < len(calls) // 2
        assert errors, "with these faults at least one call must fail (POSTs are not retried)"
        # The server is whole afterwards: a clean call answers at once.
        with anyio.fail_after(5):
            assert not (await client.call_tool("whoami", {})).is_error


async def test_import_repeated_under_faults_with_its_key_is_exact(
    canary_sandbox: SandboxServer, faults: Faults
) -> None:
    records = [{"n": n, "text": f"record number {n}"} for n in range(100)]
    async with GeniSpace(
        api_key=canary_sandbox.admin_key, base_url=canary_sandbox.base_url, max_retries=0
    ) as gs:
        dataset = await gs.datasets.create(name="faults-import")
        faults.on(rate=0.4, seed=SEED + 1)
        attempts = 0
        while True:
            attempts += 1
            assert attempts <= 30, "the import never got through"
            try:
                with anyio.fail_after(CALL_DEADLINE * 3):
                    await gs.datasets.import_records(
                        dataset.id, records, batch_size=20, idempotency_key="reliability-import-1"
                    )
                break
            except GeniSpaceError:
                continue
        faults.off()
        stored = [record async for record in gs.datasets.export_records(dataset.id)]
        await gs.datasets.delete(dataset.id)
    counts = Counter(record["n"] for record in stored)
    assert sorted(counts) == list(range(100)), "records lost"
    assert max(counts.values()) == 1, f"records doubled: {[n for n, c in counts.items() if c > 1]}"
    assert attempts > 1, "the faults should have broken at least one attempt"


async def test_tool_import_with_ids_repeated_under_faults_is_exact(
    canary_sandbox: SandboxServer, faults: Faults, tmp_path: Path
) -> None:
    records = [{"id": f"r{n:03d}", "n": n} for n in range(60)]
    server = create_server(server_settings(canary_sandbox, tmp_path, max_retries=0))
    async with Client(server) as client:
        created = await client.call_tool("create_dataset", {"name": "faults-tool-import"})
        assert created.structured_content is not None, text_of(created)
        dataset_id = created.structured_content["id"]
        faults.on(rate=0.5, seed=SEED + 2)
        for _attempt in range(30):
            with anyio.fail_after(CALL_DEADLINE):
                result = await client.call_tool(
                    "import_dataset_records", {"dataset_id": dataset_id, "records": records}
                )
            if not result.is_error:
                break
            assert_clear_error(result, "import_dataset_records")
        else:
            raise AssertionError("the import tool never got through")
        faults.off()
        result = await client.call_tool("get_dataset", {"dataset_id": dataset_id})
        assert not result.is_error, text_of(result)
        assert result.structured_content is not None
        count = result.structured_content.get("record_count") or result.structured_content.get(
            "statistics", {}
        ).get("record_count")
        assert count == 60, result.structured_content
        await client.call_tool("delete_dataset", {"dataset_id": dataset_id, "confirm": dataset_id})
    assert CANARY_KEY not in json.dumps(result.structured_content)


def test_stdio_server_process_survives_faults(
    canary_sandbox: SandboxServer, faults: Faults
) -> None:
    facts = demo(canary_sandbox)
    env = child_env(
        {
            "GENISPACE_API_KEY": canary_sandbox.admin_key,
            "GENISPACE_BASE_URL": canary_sandbox.base_url,
            "GENISPACE_MAX_RETRIES": "1",
            "GENISPACE_TOOLSETS": "all",
            "GENISPACE_LOG_LEVEL": "DEBUG",
        }
    )
    calls = plan(facts)
    with StdioPeer(server_command(), env=env, timeout=CALL_DEADLINE, record=True) as peer:
        peer.handshake()
        faults.on(rate=0.5, seed=SEED + 3)
        outcomes: Counter[str] = Counter()
        for tool, arguments in calls:
            answer = peer.call_tool(tool, arguments)  # raises if nothing comes within the deadline
            assert "result" in answer, f"{tool}: a protocol error instead of a result: {answer}"
            outcomes["error" if answer["result"].get("isError") else "ok"] += 1
        faults.off()
        assert peer.process.poll() is None, "the server process died under faults"
        assert not peer.call_tool("whoami", {})["result"].get("isError")
        stderr = peer.stderr()
    assert outcomes["ok"] > outcomes["error"] > 0, outcomes
    assert peer.transcript is not None
    for line in peer.transcript:
        json.loads(line)  # stdout carries JSON-RPC and nothing else
    assert "Traceback" not in stderr
    assert CANARY_KEY not in stderr
    assert not [line for line in peer.transcript if CANARY_KEY.encode() in line]
