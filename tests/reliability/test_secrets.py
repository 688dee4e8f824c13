"""Secrets: the configured API key never appears in a tool result, an error, a log record, the
HTTP answers, or what the commands print (the stdio and fault tests check stdout and stderr of
the served protocol; the autouse fixture checks every log record of every reliability test)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import httpx
from mcp import Client

from bench.loadgen import mcp_tool_call, new_client
from bench.procs import REPO_ROOT, child_env, server_command
from genispace_mcp.sandbox import SandboxServer
from genispace_mcp.server import create_server
from tests.reliability.conftest import (
    CANARY_KEY,
    assert_no_secret,
    server_settings,
    text_of,
    watch_secret,
)
from tests.reliability.test_bad_input import PLAUSIBLE, TOOLS, baseline
from tests.reliability.test_load import serving

# A key no sandbox knows, built around the canary: every 401 path, and no echo of it anywhere.
WRONG_KEY = watch_secret(f"{CANARY_KEY}-revoked-or-never-issued")


def real_arguments(sandbox: SandboxServer) -> dict[str, dict[str, Any]]:
    """For every tool, arguments naming real demo objects where a read can use them."""
    headers = {"authorization": f"Bearer {sandbox.admin_key}"}
    with httpx.Client(base_url=sandbox.base_url, headers=headers) as http:
        ids = {
            "agent_id": http.get("/agents").json()["data"][0]["id"],
            "task_id": http.get("/tasks").json()["data"][0]["id"],
            "dataset_id": http.get("/datasets").json()["data"][0]["id"],
            "key_id": http.get("/api-keys").json()["data"][0]["id"],
        }
    out = {}
    for tool, schema in TOOLS.items():
        arguments = baseline(schema)
        # Reads and queries see real objects; anything that changes state keeps the missing ids.
        if tool.startswith(("get_", "list_", "query_", "export_")) or tool == "chat_with_agent":
            arguments.update({k: v for k, v in ids.items() if k in arguments})
        if tool == "chat_with_agent":
            arguments["message"] = "Hello"
        out[tool] = arguments
    return out


def answers_text(result: Any) -> str:
    return text_of(result) + json.dumps(result.structured_content or {})


async def test_no_tool_result_or_error_shows_the_key(
    canary_sandbox: SandboxServer, tmp_path: Path
) -> None:
    server = create_server(server_settings(canary_sandbox, tmp_path, run_wait_seconds=1.0))
    outcomes = {"ok": 0, "error": 0}
    async with Client(server) as client:
        for tool, arguments in real_arguments(canary_sandbox).items():
            result = await client.call_tool(tool, arguments)
            outcomes["error" if result.is_error else "ok"] += 1
            assert_no_secret(answers_text(result), f"the answer of {tool}")
        for resource in (await client.list_resources()).resources:
            contents = await client.read_resource(str(resource.uri))
            assert_no_secret(contents.model_dump_json(), f"the resource {resource.uri}")
    assert outcomes["ok"] >= 10, outcomes  # the reads really ran against the sandbox


async def test_a_wrong_key_is_never_echoed(canary_sandbox: SandboxServer, tmp_path: Path) -> None:
    server = create_server(server_settings(canary_sandbox, tmp_path, api_key=WRONG_KEY))
    async with Client(server) as client:
        for tool in ("whoami", "list_agents", "get_agent", "query_dataset", "run_task"):
            result = await client.call_tool(tool, {**baseline(TOOLS[tool])})
            assert result.is_error
            text = text_of(result)
            assert "401" in text or "GENISPACE_API_KEY" in text, text
            assert_no_secret(text, f"the error of {tool}")


async def test_a_limited_key_is_never_echoed(canary_sandbox: SandboxServer, tmp_path: Path) -> None:
    headers = {"authorization": f"Bearer {canary_sandbox.admin_key}"}
    async with httpx.AsyncClient(base_url=canary_sandbox.base_url, headers=headers) as http:
        created = await http.post(
            "/api-keys", json={"name": "reliability-read-agents", "permissions": ["read:agents"]}
        )
    created.raise_for_status()
    limited = watch_secret(created.json()["key"])
    server = create_server(server_settings(canary_sandbox, tmp_path, api_key=limited))
    async with Client(server) as client:
        refused = await client.call_tool("list_datasets", {})
        allowed = await client.call_tool("list_agents", {})
    assert refused.is_error
    assert "read:datasets" in text_of(refused)
    assert not allowed.is_error
    assert_no_secret(answers_text(refused) + answers_text(allowed), "the answers of a limited key")


async def test_http_answers_never_show_the_key(
    canary_sandbox: SandboxServer, tmp_path: Path
) -> None:
    call = ("get_agent", {"agent_id": PLAUSIBLE["agent_id"]})
    async with serving(canary_sandbox, tmp_path) as (base_url, _):
        http = new_client(base_url)
        request = mcp_tool_call(*call)
        single = await http.post(request.path, headers=dict(request.headers), content=request.body)
        await http.aclose()
    async with serving(canary_sandbox, tmp_path, multi_tenant=True, api_key=None) as (base_url, _):
        http = new_client(base_url)
        answers = []
        for key in (canary_sandbox.admin_key, WRONG_KEY):
            request = mcp_tool_call(*call, bearer=key)
            answers.append(
                await http.post(request.path, headers=dict(request.headers), content=request.body)
            )
        await http.aclose()
    assert [r.status_code for r in (single, *answers)] == [200, 200, 401]
    for response in (single, *answers):
        assert_no_secret(response.text + repr(response.headers), "an HTTP answer")


def test_commands_never_print_the_key(canary_sandbox: SandboxServer) -> None:
    env = child_env(
        {
            "GENISPACE_API_KEY": CANARY_KEY,
            "GENISPACE_BASE_URL": canary_sandbox.base_url,
            "GENISPACE_LOG_LEVEL": "DEBUG",
        }
    )
    # Both at once: each is a fresh interpreter, most of whose time is imports.
    runs = [
        subprocess.Popen(
            [*server_command(), "doctor"],
            env=env_used,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=REPO_ROOT,
        )
        for env_used in (env, {**env, "GENISPACE_API_KEY": WRONG_KEY})
    ]
    outputs = [run.communicate(timeout=120) for run in runs]
    assert [run.returncode for run in runs] == [0, 1], outputs
    for stdout, stderr in outputs:
        assert stdout.strip(), "doctor printed nothing"
        assert_no_secret(stdout + stderr, "the output of genispace-mcp doctor")
        assert "Traceback" not in stderr
