"""HTTP throughput: concurrent MCP clients over Streamable HTTP against the sandbox's own rate."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence

import anyio

from bench.harness import Bench
from bench.loadgen import HttpCall, LoadResult, check_ok, closed_loop, mcp_tool_call
from bench.procs import (
    background,
    child_env,
    free_port,
    hello_command,
    server_command,
    wait_for_port,
)
from bench.report import Figure
from bench.stats import summarize

CLIENTS = 16
TARGET_SHARE = 0.5


def http_command(port: int, *, multi_tenant: bool) -> tuple[str, ...]:
    """genispace-mcp serving Streamable HTTP on a loopback port."""
    command = (*server_command(), "--transport", "http", "--host", "127.0.0.1", "--port", str(port))
    return (*command, "--multi-tenant") if multi_tenant else command


@contextlib.contextmanager
def servers(
    commands: Sequence[tuple[tuple[str, ...], int]], env: dict[str, str]
) -> Iterator[list[str]]:
    """Start every (command, port) and yield their base URLs once all accept connections."""
    with contextlib.ExitStack() as stack:
        urls = []
        for command, port in commands:
            process = stack.enter_context(background(command, env=env))
            wait_for_port(port, process)
            urls.append(f"http://127.0.0.1:{port}")
        yield urls


def run(bench: Bench) -> list[Figure]:
    """Calls/s, p50/p99 and errors: sandbox plain HTTP, MCP with 1 process, MCP with several."""
    sandbox = bench.sandbox()
    agent_id = bench.demo["agent_id"]
    seconds = 2.0 if bench.quick else 5.0
    rounds = bench.rounds(full=3, quick=1)
    processes = 2  # one per core on the reference machine; more only adds context switches
    sandbox_origin, _, prefix = sandbox.base_url.partition("://")[2].partition("/")
    sandbox_root = f"http://{sandbox_origin}"
    plain = HttpCall(
        "GET",
        f"/{prefix}/agents/{agent_id}",
        {"authorization": f"Bearer {sandbox.api_key}"},
        None,
        check_ok,
    )
    single_call = mcp_tool_call("get_agent", {"agent_id": agent_id})
    tenant_call = mcp_tool_call("get_agent", {"agent_id": agent_id}, bearer=sandbox.api_key)
    hello_call = mcp_tool_call("hello", {"name": "bench"})

    results: dict[str, list[LoadResult]] = {}
    baseline_label = "sandbox plain HTTP GET /agents/{id}"

    def measure(label: str, urls: list[str], call: HttpCall) -> None:
        result = anyio.run(lambda: closed_loop(urls, call, clients=CLIENTS, seconds=seconds))
        results.setdefault(label, []).append(result)

    env = sandbox.server_env()
    one_port = free_port()
    tenant_port = free_port()
    many_ports = [free_port() for _ in range(processes)]
    hello_port = free_port()
    one_label = "MCP get_agent, 1 process"
    tenant_label = "MCP get_agent, 1 process, multi-tenant"
    many_label = f"MCP get_agent, {processes} processes, multi-tenant, round-robin"
    with (
        servers([(http_command(one_port, multi_tenant=False), one_port)], env) as one,
        servers([(http_command(tenant_port, multi_tenant=True), tenant_port)], env) as tenant,
        servers([(http_command(p, multi_tenant=True), p) for p in many_ports], env) as many,
        servers(
            [((*hello_command(), "--transport", "http", "--port", str(hello_port)), hello_port)],
            child_env(),
        ) as hello,
    ):
        for _ in range(rounds):
            measure(baseline_label, [sandbox_root], plain)
            measure(one_label, one, single_call)
            measure(tenant_label, tenant, tenant_call)
            measure(many_label, many, tenant_call)
            measure("hello-world tool, 1 process (SDK floor)", hello, hello_call)

    figures: list[Figure] = []
    baseline = summarize([r.rate for r in results[baseline_label]], "calls/s")
    tenant_rate = summarize([r.rate for r in results[tenant_label]], "calls/s").median
    for label, runs in results.items():
        rate = summarize([r.rate for r in runs], "calls/s")
        latencies = summarize([x for r in runs for x in r.latencies_ms], "ms")
        errors = sum(r.error_count for r in runs)
        kinds: dict[str, int] = {}
        for r in runs:
            for kind, count in r.errors.items():
                kinds[kind] = kinds.get(kind, 0) + count
        is_mcp = label.startswith("MCP")
        target = None
        met = None
        if label == one_label:
            target = f">= {TARGET_SHARE:g}x sandbox"
            met = rate.median >= TARGET_SHARE * baseline.median and errors == 0
        elif label == many_label:
            target = "> 1 process, multi-tenant"
            met = rate.median > tenant_rate and errors == 0
        elif is_mcp:
            target = "0 errors"
            met = errors == 0
        figures.append(
            Figure(
                "http",
                f"{label}, {CLIENTS} clients",
                rate,
                baseline_name="sandbox" if label != baseline_label else None,
                baseline=baseline if label != baseline_label else None,
                ratio=rate.median / baseline.median if label != baseline_label else None,
                target=target,
                met=met,
                note=f"p50 {latencies.median:.1f} ms, p99 {latencies.p99:.1f} ms, errors {errors}"
                + (f" {kinds}" if kinds else ""),
            )
        )
        figures.append(Figure("http", f"{label}: latency", latencies))
    return figures
