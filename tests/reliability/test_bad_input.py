"""Bad input: every tool, given arguments of every wrong shape, answers with a result or an
isError that says what is wrong; never a protocol failure, never a traceback."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest
from anyio.from_thread import BlockingPortal, start_blocking_portal
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mcp import Client
from mcp.shared.exceptions import MCPError
from mcp_types import CallToolResult

from genispace_mcp.sandbox import SandboxServer
from genispace_mcp.server import create_server, tool_surface
from genispace_mcp.server.settings import Settings
from tests.reliability.conftest import assert_clear_error, server_settings
from tests.reliability.shapes import random_arguments, wrong_values

CALL_DEADLINE = 15.0
# The tool surface is known without serving (tool_surface makes no network call).
TOOLS = {
    tool["name"]: tool["inputSchema"]
    for tool in tool_surface(Settings(api_key="sk-collection-only", toolsets=("all",)))
}
# Ids that exist nowhere: a call that gets past validation is refused by GeniSpace (404), so
# wrong-shaped arguments never change the workspace.
PLAUSIBLE: dict[str, Any] = {
    "agent_id": "agt_reliability_missing",
    "task_id": "tsk_reliability_missing",
    "run_id": "run_reliability_missing",
    "dataset_id": "ds_reliability_missing",
    "key_id": "key_reliability_missing",
    "name": "reliability-bad-input",
    "records": [{"text": "a record"}],
    "permissions": ["read:agents"],
    "inputs": {},
}


def baseline(schema: dict[str, Any]) -> dict[str, Any]:
    """Well-shaped values for the required arguments (ids that do not exist)."""
    out = {}
    for name in schema.get("required", []):
        kind = schema["properties"][name].get("type")
        fallback = {"integer": 1, "number": 1.0, "array": [], "object": {}, "boolean": False}
        out[name] = PLAUSIBLE.get(name, fallback.get(kind, "x"))
    return out


def shapes(name: str, schema: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(label, arguments) for one tool: each property with each wrong value, required ones
    missing, unknown keys, and JSON strings where objects or arrays belong."""
    defs = schema.get("$defs", {})
    base = baseline(schema)
    for prop, prop_schema in schema.get("properties", {}).items():
        for value in wrong_values(prop_schema, defs):
            yield f"{prop}={json.dumps(value)[:30]}", {**base, prop: value}
        if prop_schema.get("type") in ("object", "array"):
            yield f"{prop} as a broken JSON string", {**base, prop: "{not json"}
    for required in schema.get("required", []):
        yield f"without {required}", {k: v for k, v in base.items() if k != required}
    yield "an unknown argument", {**base, "no_such_argument": 1}


@pytest.fixture(scope="module")
def portal(
    canary_sandbox: SandboxServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[BlockingPortal, Client]]:
    """An in-memory MCP client on a server with every toolset, driven from sync tests."""
    tmp: Path = tmp_path_factory.mktemp("bad-input")
    server = create_server(
        server_settings(canary_sandbox, tmp, max_retries=0, run_wait_seconds=0.0, timeout=10.0)
    )
    with (
        start_blocking_portal() as running,
        running.wrap_async_context_manager(Client(server)) as client,
    ):
        yield running, client


def call(
    portal: tuple[BlockingPortal, Client], tool: str, arguments: dict[str, Any]
) -> CallToolResult:
    """One tool call, bounded in time; a protocol-level failure fails the test."""
    running, client = portal

    async def bounded() -> CallToolResult:
        with anyio.fail_after(CALL_DEADLINE):
            return await client.call_tool(tool, arguments)

    try:
        return running.call(bounded)
    except MCPError as exc:  # pragma: no cover - what the test exists to catch
        raise AssertionError(
            f"{tool}({arguments!r:.200}) failed at the protocol level: {exc}"
        ) from exc


def check(result: CallToolResult, tool: str) -> None:
    """A result, or a clear isError."""
    if result.is_error:
        assert_clear_error(result, tool)
    else:
        assert result.structured_content is not None or result.content, f"{tool}: an empty result"


@pytest.mark.parametrize("tool", sorted(TOOLS))
def test_every_wrong_shape_is_refused_clearly(
    portal: tuple[BlockingPortal, Client], tool: str
) -> None:
    for label, arguments in shapes(tool, TOOLS[tool]):
        result = call(portal, tool, arguments)
        try:
            check(result, tool)
        except AssertionError as exc:
            raise AssertionError(f"{tool} with {label}: {exc}") from None


@settings(
    max_examples=80,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_random_arguments_never_break_the_protocol(
    portal: tuple[BlockingPortal, Client], data: st.DataObject
) -> None:
    tool = data.draw(st.sampled_from(sorted(TOOLS)), label="tool")
    arguments = data.draw(random_arguments(TOOLS[tool]), label="arguments")
    # Ids drawn at random could name real objects; keep destructive calls on ids that exist nowhere.
    for key, value in PLAUSIBLE.items():
        if key.endswith("_id") and key in arguments and isinstance(arguments[key], str):
            arguments[key] = value
    check(call(portal, tool, arguments), tool)


def test_json_strings_where_objects_belong_are_accepted(
    portal: tuple[BlockingPortal, Client], canary_sandbox: SandboxServer
) -> None:
    import httpx

    headers = {"authorization": f"Bearer {canary_sandbox.admin_key}"}
    datasets = httpx.get(f"{canary_sandbox.base_url}/datasets", headers=headers).json()["data"]
    dataset_id = datasets[0]["id"]
    as_object = call(
        portal, "query_dataset", {"dataset_id": dataset_id, "filter": {"no_such_field": 1}}
    )
    as_string = call(
        portal, "query_dataset", {"dataset_id": dataset_id, "filter": '{"no_such_field": 1}'}
    )
    assert not as_object.is_error
    assert not as_string.is_error
    assert as_string.structured_content == as_object.structured_content
