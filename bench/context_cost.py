"""Context cost: what the tool surface and the tool results cost the model, in bytes and tokens."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import anyio
import httpx
from mcp import Client
from mcp_types import TextContent

from bench.harness import Bench, SandboxInfo
from bench.procs import StdioPeer, server_command
from bench.report import Figure
from bench.stats import single

TARGET_RESULT_SHARE = 0.5
# The MCP server's own budgets (issue 5), measured here from the wire.
BUDGETS = {
    "default": {"tools": 16, "visible": 12_000, "whole": 40_000},
    "all": {"tools": 40, "visible": 28_000, "whole": 96_000},
}


def minified(value: Any) -> bytes:
    """Minified UTF-8 JSON, the form the budgets are counted in."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


def tokens(size: int) -> int:
    """Estimated tokens: about four characters per token for English and JSON."""
    return round(size / 4)


def wire_tools(sandbox: SandboxInfo, toolsets: str | None) -> list[dict[str, Any]]:
    """The `tools` array exactly as `tools/list` answers it over stdio."""
    env = sandbox.server_env()
    if toolsets:
        env["GENISPACE_TOOLSETS"] = toolsets
    with StdioPeer(server_command(), env=env) as peer:
        peer.handshake()
        tools: list[dict[str, Any]] = []
        cursor = None
        while True:
            answer = peer.request("tools/list", {"cursor": cursor} if cursor else {})
            tools += answer["result"]["tools"]
            cursor = answer["result"].get("nextCursor")
            if not cursor:
                return tools


def surface_figures(sandbox: SandboxInfo) -> list[Figure]:
    """Tool count, model-visible bytes and whole-answer bytes, default and all toolsets."""
    figures = []
    for label, toolsets in (("default", None), ("all", "all")):
        tools = wire_tools(sandbox, toolsets)
        visible = sum(
            len(minified({k: t.get(k) for k in ("name", "description", "inputSchema")}))
            for t in tools
        )
        whole = len(minified(tools))
        budget = BUDGETS[label]
        figures += [
            Figure(
                "context",
                f"tools/list {label} toolsets: tools",
                single(len(tools), "tools"),
                target=f"<= {budget['tools']}",
                met=len(tools) <= budget["tools"],
            ),
            Figure(
                "context",
                f"tools/list {label}: name+description+inputSchema",
                single(visible, "bytes"),
                target=f"<= {budget['visible']:,}",
                met=visible <= budget["visible"],
                note=f"~{tokens(visible):,} tokens, {visible // max(len(tools), 1):,} bytes/tool",
            ),
            Figure(
                "context",
                f"tools/list {label}: whole answer",
                single(whole, "bytes"),
                target=f"<= {budget['whole']:,}",
                met=whole <= budget["whole"],
                note=f"~{tokens(whole):,} tokens",
            ),
        ]
    return figures


@dataclass(frozen=True, slots=True)
class ReadTool:
    """A read tool call and the raw GeniSpace request it answers from."""

    tool: str
    arguments: dict[str, Any]
    method: str
    path: str
    params: dict[str, Any] | None = None
    body: dict[str, Any] | None = None

    @property
    def is_list(self) -> bool:
        """List-like tools (pages of records) carry the target of half the raw bytes."""
        return self.tool.startswith(("list_", "query_")) or self.tool == "get_agent_logs"


def read_tools(demo: dict[str, Any], page: int = 20) -> list[ReadTool]:
    """Every read tool on the demo data, with the same page size on both sides."""
    a, t, r, d = demo["agent_id"], demo["task_id"], demo["run_id"], demo["dataset_id"]
    q = demo.get("query", "getting started")
    k = min(page, 10) if page == 20 and not demo.get("full") else page
    tools = [
        ReadTool("list_agents", {"limit": 20}, "GET", "/agents", {"limit": 20}),
        ReadTool("get_agent", {"agent_id": a}, "GET", f"/agents/{a}"),
        ReadTool(
            "get_agent_logs",
            {"agent_id": a, "limit": 20},
            "GET",
            f"/agents/{a}/logs",
            {"limit": 20},
        ),
        ReadTool("list_tasks", {"limit": 20}, "GET", "/tasks", {"limit": 20}),
        ReadTool("get_task", {"task_id": t}, "GET", f"/tasks/{t}"),
        ReadTool(
            "list_task_runs", {"task_id": t, "limit": 20}, "GET", f"/tasks/{t}/runs", {"limit": 20}
        ),
        ReadTool("get_task_run", {"run_id": r}, "GET", f"/tasks/runs/{r}"),
        ReadTool("list_datasets", {"limit": 20}, "GET", "/datasets", {"limit": 20}),
        ReadTool("get_dataset", {"dataset_id": d}, "GET", f"/datasets/{d}"),
        ReadTool(
            "query_dataset",
            {"dataset_id": d, "query": q, "top_k": k},
            "POST",
            f"/datasets/{d}/query",
            body={"query": q, "top_k": k},
        ),
        ReadTool("list_api_keys", {"limit": 20}, "GET", "/api-keys", {"limit": 20}),
        ReadTool("whoami", {}, "GET", "/users/me"),
    ]
    return tools


async def _result_sizes(
    sandbox: SandboxInfo, demo: dict[str, Any], only_lists: bool = False
) -> list[tuple[ReadTool, int, int]]:
    from genispace_mcp.server import create_server
    from genispace_mcp.server.settings import Settings

    settings = Settings(api_key=sandbox.api_key, base_url=sandbox.base_url, toolsets=("all",))
    out = []
    headers = {"authorization": f"Bearer {sandbox.api_key}"}
    async with (
        httpx.AsyncClient(base_url=sandbox.base_url, headers=headers, timeout=60) as http,
        Client(create_server(settings)) as client,
    ):
        listed = {tool.name for tool in (await client.list_tools()).tools}
        for spec in read_tools(demo):
            if spec.tool not in listed or (only_lists and not spec.is_list):
                continue
            raw = await http.request(spec.method, spec.path, params=spec.params, json=spec.body)
            raw.raise_for_status()
            result = await client.call_tool(spec.tool, spec.arguments)
            if result.is_error:
                raise RuntimeError(f"{spec.tool} answered an error: {result.content}")
            text = "".join(c.text for c in result.content if isinstance(c, TextContent))
            out.append((spec, len(text.encode()), len(raw.content)))
    return out


def fill(sandbox: SandboxInfo, demo: dict[str, Any], count: int = 20) -> dict[str, Any]:
    """Add objects until every list the read tools show holds at least a full page of `count`."""
    headers = {"authorization": f"Bearer {sandbox.api_key}"}
    with httpx.Client(base_url=sandbox.base_url, headers=headers, timeout=60) as http:
        for n in range(count):
            http.post(
                "/agents",
                json={
                    "name": f"Support agent {n}",
                    "description": "Answers customer questions about orders and refunds.",
                    "systemPrompt": "You are a helpful support agent. Be brief and polite.",
                },
            ).raise_for_status()
            http.post(
                "/tasks",
                json={
                    "name": f"Weekly report {n}",
                    "description": "Summarises the week's tickets.",
                    "workflow": {
                        "steps": [{"type": "template", "template": "Report {{inputs.week}}"}]
                    },
                },
            ).raise_for_status()
            http.post(
                "/datasets", json={"name": f"Knowledge base {n}", "description": "Articles."}
            ).raise_for_status()
            http.post(
                "/api-keys", json={"name": f"integration {n}", "permissions": ["read:agents"]}
            ).raise_for_status()
            http.post(f"/tasks/{demo['task_id']}/run", json={}).raise_for_status()
            http.post(
                f"/agents/{demo['agent_id']}/chat",
                json={"messages": [{"role": "user", "content": f"Question number {n}?"}]},
            ).raise_for_status()
    return {**demo, "full": True}


def result_figures(rows: list[tuple[ReadTool, int, int]], label: str) -> list[Figure]:
    """One figure per read tool: its result text against the raw JSON it came from."""
    figures = []
    for spec, text_bytes, raw_bytes in rows:
        share = text_bytes / raw_bytes
        figures.append(
            Figure(
                "context",
                f"{spec.tool} result text ({label})",
                single(text_bytes, "bytes"),
                baseline_name="raw JSON",
                baseline=single(raw_bytes, "bytes"),
                ratio=share,
                target=f"<= {TARGET_RESULT_SHARE:g}x raw" if spec.is_list else None,
                met=(share <= TARGET_RESULT_SHARE) if spec.is_list else None,
                note=f"~{tokens(text_bytes):,} vs ~{tokens(raw_bytes):,} tokens",
            )
        )
    return figures


def run(bench: Bench) -> list[Figure]:
    """tools/list sizes against the budgets; each read tool's text against the raw JSON, on the
    demo workspace as seeded, then (list tools) on full pages of 20."""
    sandbox = bench.sandbox()
    figures = surface_figures(sandbox)
    figures += result_figures(anyio.run(_result_sizes, sandbox, bench.demo), "demo")
    full = fill(sandbox, bench.demo)
    figures += result_figures(anyio.run(_result_sizes, sandbox, full, True), "page of 20")
    return figures
