"""The official MCP Inspector's CLI, in strict schema mode, against genispace-mcp.

Over stdio the Inspector starts the server itself for each method, as a user's config would:
`mcp-inspector --cli --strict --method tools/list genispace-mcp --sandbox`. Calls that need ids
share one sandbox: over stdio a standalone `genispace-mcp sandbox` that each stdio server points at
(each `--sandbox` process makes its own ids), over Streamable HTTP one `--sandbox` server.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.interop.conftest import (
    SANDBOX_KEY,
    Peers,
    Ran,
    serve_mcp,
    serve_sandbox,
    server_command,
)

# The budgets of issue 5, measured from what the Inspector received.
BUDGETS = {"default": (16, 12_000, 40_000), "all": (40, 28_000, 96_000)}
ERAS = ("legacy", "modern")


def _minified(value: Any) -> int:
    return len(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode())


def _strict_summary(stderr: str) -> tuple[int, int]:
    """(errors, warnings) from the Inspector's `N errors, M warnings across K tools.` line."""
    match = re.search(r"(\d+) errors?, (\d+) warnings?", stderr)
    assert match, f"no strict-mode summary in the Inspector's stderr:\n{stderr[-3000:]}"
    return int(match.group(1)), int(match.group(2))


TOOL_IS_ERROR_EXIT = 5  # the Inspector CLI's exit code for a tool result with isError: true


def _result(ran: Ran, *, tool_error: bool = False) -> dict[str, Any]:
    """The `result` of a `--format json` run, after checking the Inspector succeeded."""
    expected = TOOL_IS_ERROR_EXIT if tool_error else 0
    assert ran.returncode == expected, (
        f"{ran.command}\nexit {ran.returncode}\n{ran.stdout[-2000:]}\n{ran.stderr[-3000:]}"
    )
    body = ran.json()
    assert "result" in body, f"{ran.command}: no result in {ran.stdout[:2000]}"
    result: dict[str, Any] = body["result"]
    return result


def _tool_ok(ran: Ran) -> dict[str, Any]:
    """A successful tool result with structuredContent and text, as the Inspector got it."""
    result = _result(ran)
    text = " ".join(c.get("text", "") for c in result.get("content", []))
    assert not result.get("isError"), f"{ran.command}\n{text[:2000]}"
    assert text, f"{ran.command}: no text content"
    assert "structuredContent" in result, f"{ran.command}: no structuredContent"
    return result


# --- tools/list in strict mode -------------------------------------------------------------------


@pytest.mark.parametrize("era", ERAS)
@pytest.mark.parametrize("toolsets", ["default", "all"])
def test_stdio_tools_list_is_strict_clean_and_within_budget(
    peers: Peers, toolsets: str, era: str
) -> None:
    extra = [] if toolsets == "default" else ["--toolsets", "all"]
    ran = peers.inspector(
        "--strict", "--protocol-era", era, "--method", "tools/list",
        *server_command(), "--sandbox", *extra,
    )  # fmt: skip
    errors, warnings = _strict_summary(ran.stderr)
    assert errors == 0, f"{ran.command}\n{ran.stderr[-6000:]}"
    assert ran.returncode == 0, f"{ran.command}\n{ran.stderr[-6000:]}"
    tools = ran.json()["tools"]
    most, shown_budget, total_budget = BUDGETS[toolsets]
    shown = sum(_minified({k: t[k] for k in ("name", "description", "inputSchema")}) for t in tools)
    total = _minified({"tools": tools})
    print(
        f"{toolsets}/{era}: {len(tools)} tools, {shown} B shown, {total} B total, {warnings} strict warnings"
    )
    assert len(tools) <= most
    assert shown <= shown_budget
    assert total <= total_budget


# --- Calls over stdio that need no id: each starts its own --sandbox server ---------------------

STDIO_PLAIN_CALLS = ["whoami", "list_agents", "list_tasks", "list_datasets"]


@pytest.mark.parametrize("tool", STDIO_PLAIN_CALLS)
def test_stdio_sandbox_call(peers: Peers, tool: str) -> None:
    ran = peers.inspector(
        "--format", "json", "-q", "--method", "tools/call", "--tool-name", tool,
        *server_command(), "--sandbox",
    )  # fmt: skip
    _tool_ok(ran)


@pytest.mark.parametrize("era", ERAS)
def test_stdio_sandbox_api_keys_toolset(peers: Peers, era: str) -> None:
    ran = peers.inspector(
        "--format", "json", "-q", "--protocol-era", era, "--method", "tools/call",
        "--tool-name", "list_api_keys", *server_command(), "--sandbox", "--toolsets", "all",
    )  # fmt: skip
    _tool_ok(ran)


@pytest.mark.parametrize(
    ("method", "extra", "key"),
    [
        ("resources/list", [], "resources"),
        ("resources/templates/list", [], "resourceTemplates"),
        ("resources/read", ["--uri", "genispace://agents"], "contents"),
        ("prompts/list", [], "prompts"),
    ],
)
def test_stdio_sandbox_resources_and_prompts(
    peers: Peers, method: str, extra: list[str], key: str
) -> None:
    ran = peers.inspector(
        "--format", "json", "-q", "--method", method, *extra, *server_command(), "--sandbox"
    )  # fmt: skip
    result = _result(ran)
    assert result.get(key), f"{ran.command}: empty {key}: {ran.stdout[:1000]}"


# --- Calls with ids: one sandbox behind every call --------------------------------------------


@dataclass
class Target:
    """How the Inspector reaches one shared sandbox: the arguments naming the server."""

    name: str
    server_args: list[str]
    era: str
    secret: str | None = None  # the GeniSpace key the server uses: it must never be shown

    def run(self, peers: Peers, *args: str) -> Ran:
        ran = peers.inspector(
            "--format", "json", "-q", "--protocol-era", self.era, *args, *self.server_args
        )  # fmt: skip
        if self.secret:
            assert self.secret not in ran.stdout + ran.stderr, f"the API key leaked: {ran.command}"
        return ran

    def call(self, peers: Peers, tool: str, arguments: dict[str, Any]) -> dict[str, Any]:
        ran = self.run(
            peers, "--method", "tools/call", "--tool-name", tool,
            "--tool-args-json", json.dumps(arguments),
        )  # fmt: skip
        return _tool_ok(ran)


@pytest.fixture(scope="module", params=["stdio", "http-modern", "sse-legacy"])
def target(request: pytest.FixtureRequest) -> Iterator[Target]:
    """stdio servers against one standalone sandbox, or one `--sandbox` HTTP or SSE server."""
    if request.param == "stdio":
        with serve_sandbox() as sandbox:
            # The key travels by environment (-e), never on a command line a process list shows.
            yield Target(
                "stdio",
                ["-e", f"GENISPACE_API_KEY={SANDBOX_KEY}", "--",
                 *server_command(), "--base-url", sandbox.url, "--toolsets", "all"],
                "legacy",
                secret=SANDBOX_KEY,
            )  # fmt: skip
    else:
        transport, era = request.param.split("-")
        with serve_mcp(transport, "--toolsets", "all") as served:
            yield Target(request.param, ["--transport", transport, "--server-url", served.url], era)


@pytest.fixture(scope="module")
def ids(peers: Peers, target: Target) -> dict[str, str]:
    """Ids of the demo workspace, as the Inspector lists them, plus one run."""
    agents = target.call(peers, "list_agents", {})["structuredContent"]["items"]
    tasks = target.call(peers, "list_tasks", {})["structuredContent"]["items"]
    datasets = target.call(peers, "list_datasets", {})["structuredContent"]["items"]
    keys = target.call(peers, "list_api_keys", {})["structuredContent"]["items"]
    found = {
        "chat_agent": next(a["id"] for a in agents if a["name"] == "Support Assistant"),
        "task_agent": next(a["id"] for a in agents if a["name"] == "Report Writer"),
        "task": next(t["id"] for t in tasks if t["name"] == "Daily ticket digest"),
        "dataset": next(d["id"] for d in datasets if d["name"] == "Product FAQ"),
        "key": keys[0]["id"],
    }
    run = target.call(peers, "run_task", {"task_id": found["task"], "wait_seconds": 20})
    found["run"] = run["structuredContent"]["id"]
    return found


Args = Callable[[dict[str, str]], dict[str, Any]]
ID_CALLS: list[tuple[str, Args]] = [
    ("get_agent", lambda i: {"agent_id": i["chat_agent"]}),
    (
        "chat_with_agent",
        lambda i: {"agent_id": i["chat_agent"], "message": "How do I get a refund?"},
    ),
    (
        "chat_with_agent",
        lambda i: {
            "agent_id": i["chat_agent"],
            "messages": [{"role": "user", "content": "Hi"}],
            "temperature": 0.2,
            "max_tokens": 200,
        },
    ),
    (
        "execute_agent",
        lambda i: {
            "agent_id": i["task_agent"],
            "inputs": {"topic": "refunds", "audience": "support"},
        },
    ),
    ("get_agent_logs", lambda i: {"agent_id": i["chat_agent"]}),
    ("get_task", lambda i: {"task_id": i["task"]}),
    ("get_task_run", lambda i: {"run_id": i["run"]}),
    ("list_task_runs", lambda i: {"task_id": i["task"]}),
    ("get_dataset", lambda i: {"dataset_id": i["dataset"]}),
    ("query_dataset", lambda i: {"dataset_id": i["dataset"], "query": "refund", "top_k": 3}),
    (
        "query_dataset",
        lambda i: {"dataset_id": i["dataset"], "query": "warranty", "fields": ["question"]},
    ),
    ("export_dataset", lambda i: {"dataset_id": i["dataset"], "preview": 2}),
    ("get_api_key", lambda i: {"key_id": i["key"]}),
    ("get_api_key_usage", lambda i: {"key_id": i["key"]}),
]


@pytest.mark.parametrize(
    ("tool", "args"), ID_CALLS, ids=[f"{t}-{n}" for n, (t, _) in enumerate(ID_CALLS)]
)
def test_call_with_ids(
    peers: Peers, target: Target, ids: dict[str, str], tool: str, args: Args
) -> None:
    target.call(peers, tool, args(ids))


def test_delete_without_confirmation_is_refused(
    peers: Peers, target: Target, ids: dict[str, str]
) -> None:
    ran = target.run(
        peers, "--method", "tools/call", "--tool-name", "delete_agent",
        "--tool-args-json", json.dumps({"agent_id": ids["chat_agent"]}),
    )  # fmt: skip
    result = _result(ran, tool_error=True)
    assert result.get("isError") is True, ran.stdout[:2000]
    assert "structuredContent" not in result
    target.call(peers, "get_agent", {"agent_id": ids["chat_agent"]})  # still there


@pytest.mark.parametrize(
    "uri",
    [
        "genispace://agents/{chat_agent}",
        "genispace://tasks/{task}/runs",
        "genispace://runs/{run}",
        "genispace://datasets/{dataset}/export?format=jsonl",
    ],
)
def test_read_resource_template(
    peers: Peers, target: Target, ids: dict[str, str], uri: str
) -> None:
    ran = target.run(peers, "--method", "resources/read", "--uri", uri.format(**ids))
    contents = _result(ran)["contents"]
    assert contents, ran.stdout[:2000]
    assert "text" in contents[0] or "blob" in contents[0], ran.stdout[:2000]


def test_prompts_get(peers: Peers, target: Target, ids: dict[str, str]) -> None:
    prompts = _result(target.run(peers, "--method", "prompts/list"))["prompts"]
    assert prompts
    for prompt in prompts:
        args = []
        for arg in prompt.get("arguments", []):
            name = arg["name"]
            value = (
                ids["task"] if "task" in name
                else ids["dataset"] if "dataset" in name
                else ids["chat_agent"] if "agent" in name
                else "How do refunds work?"
            )  # fmt: skip
            if arg.get("required") or value != "How do refunds work?":
                args.append(f"{name}={value}")
        extra = ["--prompt-args", *args] if args else []
        ran = target.run(peers, "--method", "prompts/get", "--prompt-name", prompt["name"], *extra)
        assert _result(ran)["messages"], ran.stdout[:2000]
