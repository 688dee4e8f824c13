"""Per-call overhead: one operation through the client directly, in-memory MCP, and stdio."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import Any

import anyio
import anyio.lowlevel
from mcp import Client, StdioServerParameters
from mcp.client.stdio import stdio_client

from bench.harness import Bench, SandboxInfo
from bench.procs import REPO_ROOT, StdioPeer, child_env, hello_command, server_command
from bench.report import Figure
from bench.stats import single, summarize

TARGET_ADDED_MS = 2.0


@dataclass(frozen=True, slots=True)
class Operation:
    """One GeniSpace operation, as a client call and as the MCP tool that performs it."""

    label: str
    tool: str
    arguments: dict[str, Any]
    direct: Callable[[Any], Awaitable[object]]  # given a GeniSpace client


def operations(demo: dict[str, Any]) -> list[Operation]:
    """The measured operations on the demo data: get an agent; a text query on a dataset."""
    agent_id = demo["agent_id"]
    dataset_id = demo["dataset_id"]
    query = demo.get("query", "getting started")
    return [
        Operation(
            "get an agent",
            "get_agent",
            {"agent_id": agent_id},
            lambda gs: gs.agents.get(agent_id),
        ),
        Operation(
            "query a dataset",
            "query_dataset",
            {"dataset_id": dataset_id, "query": query, "top_k": 5},
            lambda gs: gs.datasets.query(dataset_id, query=query, top_k=5),
        ),
    ]


def stdio_parameters(command: tuple[str, ...], env: dict[str, str]) -> StdioServerParameters:
    """SDK stdio parameters for one of our commands (same interpreter, repository root)."""
    return StdioServerParameters(command=command[0], args=list(command[1:]), env=env, cwd=REPO_ROOT)


def _check_tool_result(result: Any, tool: str) -> None:
    if getattr(result, "is_error", False):
        raise RuntimeError(f"{tool} answered an error: {result.content}")


async def _measure(sandbox: SandboxInfo, demo: dict[str, Any], rounds: int, per_round: int) -> dict:
    from genispace_mcp.client import GeniSpace
    from genispace_mcp.server import create_server
    from genispace_mcp.server.settings import Settings

    ops = operations(demo)
    samples: dict[tuple[str, str], list[float]] = {}

    def record(op: str, mode: str, seconds: float) -> None:
        samples.setdefault((op, mode), []).append(seconds * 1000)

    settings = Settings(api_key=sandbox.api_key, base_url=sandbox.base_url, toolsets=("all",))
    env = sandbox.server_env()
    async with AsyncExitStack() as stack:
        errlog = stack.enter_context(tempfile.TemporaryFile(mode="w+"))  # noqa: SIM115
        gs = await stack.enter_async_context(
            GeniSpace(api_key=sandbox.api_key, base_url=sandbox.base_url)
        )
        memory = await stack.enter_async_context(Client(create_server(settings)))
        sdk_stdio = await stack.enter_async_context(
            Client(stdio_client(stdio_parameters(server_command(), env), errlog=errlog))
        )
        sdk_hello = await stack.enter_async_context(
            Client(stdio_client(stdio_parameters(hello_command(), child_env()), errlog=errlog))
        )
        raw = stack.enter_context(StdioPeer(server_command(), env=env))
        raw.handshake()
        raw_hello = stack.enter_context(StdioPeer(hello_command(), env=child_env()))
        raw_hello.handshake()
        for client in (memory, sdk_stdio, sdk_hello):
            await client.list_tools()

        async def direct_call(op: Operation) -> None:
            await op.direct(gs)

        def mcp_call(client: Client) -> Callable[[Operation], Awaitable[None]]:
            async def call(op: Operation) -> None:
                _check_tool_result(await client.call_tool(op.tool, op.arguments), op.tool)

            return call

        def raw_call(peer: StdioPeer) -> Callable[[Operation], Awaitable[None]]:
            async def call(op: Operation) -> None:
                answer = peer.call_tool(op.tool, op.arguments)
                if "error" in answer or answer["result"].get("isError"):
                    raise RuntimeError(f"{op.tool} failed over raw stdio: {answer}")

            return call

        modes: dict[str, Callable[[Operation], Awaitable[None]]] = {
            "client direct": direct_call,
            "in-memory MCP": mcp_call(memory),
            "stdio, raw JSON-RPC": raw_call(raw),
            "stdio, SDK client": mcp_call(sdk_stdio),
        }
        hello_op = Operation(
            "hello", "hello", {"name": "bench"}, lambda gs: anyio.lowlevel.checkpoint()
        )
        hello_modes = {
            "stdio, raw JSON-RPC": raw_call(raw_hello),
            "stdio, SDK client": mcp_call(sdk_hello),
        }
        # Warm every path (connection pools, caches, first-call imports) before timing.
        for op in ops:
            for call in modes.values():
                for _ in range(5):
                    await call(op)
        for call in hello_modes.values():
            for _ in range(5):
                await call(hello_op)
        # Interleave the modes in small blocks, so drift on a busy machine hits them all alike.
        for _ in range(rounds):
            for op in ops:
                for mode, call in modes.items():
                    for _ in range(per_round):
                        start = time.perf_counter()
                        await call(op)
                        record(op.label, mode, time.perf_counter() - start)
            for mode, call in hello_modes.items():
                for _ in range(per_round):
                    start = time.perf_counter()
                    await call(hello_op)
                    record("hello-world tool", mode, time.perf_counter() - start)
    return samples


def run(bench: Bench) -> list[Figure]:
    """p50/p95 per mode, and the MCP layer's added cost at p50 against the direct client call."""
    sandbox = bench.sandbox()
    samples = anyio.run(
        _measure,
        sandbox,
        bench.demo,
        bench.rounds(full=20, quick=5),
        bench.rounds(full=25, quick=20),
    )
    figures: list[Figure] = []
    for label in ("get an agent", "query a dataset"):
        direct = summarize(samples[(label, "client direct")], "ms")
        figures.append(Figure("per-call", f"{label}: client direct", direct))
        for mode in ("in-memory MCP", "stdio, raw JSON-RPC", "stdio, SDK client"):
            value = summarize(samples[(label, mode)], "ms")
            figures.append(
                Figure(
                    "per-call",
                    f"{label}: {mode}",
                    value,
                    baseline_name="direct",
                    baseline=direct,
                    ratio=value.median / direct.median,
                )
            )
            added = value.median - direct.median
            stdio = mode.startswith("stdio")
            figures.append(
                Figure(
                    "per-call",
                    f"{label}: {mode}, added by MCP at p50",
                    single(added, "ms"),
                    target=f"< {TARGET_ADDED_MS:g} ms" if stdio else None,
                    met=(added < TARGET_ADDED_MS) if stdio else None,
                )
            )
    floor = summarize(samples[("hello-world tool", "stdio, raw JSON-RPC")], "ms")
    for mode in ("stdio, raw JSON-RPC", "stdio, SDK client"):
        figures.append(
            Figure(
                "per-call",
                f"hello-world tool: {mode} (the SDK's own floor)",
                summarize(samples[("hello-world tool", mode)], "ms"),
            )
        )
    # What the SDK alone costs per call (a trivial tool over raw stdio) against what
    # genispace-mcp adds on top of the client call: the difference is our own tool layer.
    for label in ("get an agent", "query a dataset"):
        direct_p50 = summarize(samples[(label, "client direct")], "ms").median
        raw_p50 = summarize(samples[(label, "stdio, raw JSON-RPC")], "ms").median
        figures.append(
            Figure(
                "per-call",
                f"{label}: added beyond the SDK floor (our tool layer)",
                single(raw_p50 - direct_p50 - floor.median, "ms"),
                note="stdio raw added minus the hello-world round trip",
            )
        )
    return figures
