"""The registry: every tool is named, titled, annotated, described and typed as the rules say."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from jsonschema import Draft202012Validator  # type: ignore[import-untyped]

from genispace_mcp.server import tool_surface
from genispace_mcp.server.settings import Settings
from genispace_mcp.server.tools import ToolRegistry, build_tools
from genispace_mcp.server.toolsets import ALL_TOOLS, TOOLSET_OF

TOOLS = tool_surface(Settings(toolsets=("all",)))
HINTS = ("readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint")


def ids(tool: dict[str, Any]) -> str:
    return tool["name"]


def test_the_table_and_the_modules_agree() -> None:
    registry = ToolRegistry(Settings(toolsets=("all",)))
    from genispace_mcp.server.tools import account, agents, api_keys, datasets, tasks

    for module in (account, agents, tasks, datasets, api_keys):
        module.register(registry, registry.settings)
    assert registry.seen == set(ALL_TOOLS)
    assert [tool.name for tool in build_tools(Settings(toolsets=("all",)))] == list(ALL_TOOLS)


@pytest.mark.parametrize("tool", TOOLS, ids=ids)
def test_name_and_title(tool: dict[str, Any]) -> None:
    assert re.fullmatch(r"[a-z][a-z_]{2,39}", tool["name"])
    assert tool["title"]
    assert tool["title"][0].isupper()
    assert len(tool["title"]) <= 40


@pytest.mark.parametrize("tool", TOOLS, ids=ids)
def test_all_four_annotations_are_set(tool: dict[str, Any]) -> None:
    hints = tool["annotations"]
    assert all(isinstance(hints.get(name), bool) for name in HINTS), hints
    if hints["readOnlyHint"]:
        assert not hints["destructiveHint"]
        assert hints["idempotentHint"]
    if tool["name"].startswith("delete_"):
        assert hints["destructiveHint"]
        assert not hints["readOnlyHint"]
        assert "confirm" in tool["inputSchema"]["properties"]
    if tool["name"].startswith(("list_", "get_", "query_")) or tool["name"] == "whoami":
        assert hints["readOnlyHint"]


@pytest.mark.parametrize("tool", TOOLS, ids=ids)
def test_description_is_written_for_a_model(tool: dict[str, Any]) -> None:
    description = tool["description"]
    assert 40 <= len(description) <= 420, len(description)
    assert "\n" not in description
    assert description.endswith(".")


@pytest.mark.parametrize("tool", TOOLS, ids=ids)
def test_arguments_are_documented_and_bounded(tool: dict[str, Any]) -> None:
    schema = tool["inputSchema"]
    assert schema["type"] == "object"
    for name, prop in schema.get("properties", {}).items():
        assert "title" not in prop, name
        assert prop.get("description"), f"{name} is documented"
        if prop.get("type") == "integer":
            assert {"minimum", "maximum"} <= prop.keys(), name
        if prop.get("type") == "string" and "enum" not in prop and "format" not in prop:
            assert "maxLength" in prop, name


@pytest.mark.parametrize("tool", TOOLS, ids=ids)
def test_schemas_are_valid_json_schema(tool: dict[str, Any]) -> None:
    # Strict clients (the Inspector in strict mode) refuse a tool whose schema is not valid.
    Draft202012Validator.check_schema(tool["inputSchema"])
    Draft202012Validator.check_schema(tool["outputSchema"])
    assert "$ref" not in json.dumps(tool), "references are inlined"


@pytest.mark.parametrize("tool", TOOLS, ids=ids)
def test_output_schema_is_real(tool: dict[str, Any]) -> None:
    schema = tool["outputSchema"]
    assert schema["type"] == "object"
    assert schema["properties"], "a typed object, not a bare one"
    assert schema.get("required"), "at least one field is always there"


@pytest.mark.parametrize("tool", TOOLS, ids=ids)
def test_untrusted_data_is_announced(tool: dict[str, Any]) -> None:
    carries = {
        "chat_with_agent",
        "execute_agent",
        "get_agent_logs",
        "run_task",
        "get_task_run",
        "list_task_runs",
        "query_dataset",
        "export_dataset",
    }
    if tool["name"] in carries:
        assert "untrusted" in tool["description"].lower()


def test_every_tool_has_a_toolset() -> None:
    assert all(tool["name"] in TOOLSET_OF for tool in TOOLS)
