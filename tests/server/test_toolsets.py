"""Toolsets: defaults, `all`, --tools / --exclude-tools (exclude wins), unknown names, read-only."""

from __future__ import annotations

import pytest

from genispace_mcp.server import tool_surface
from genispace_mcp.server.settings import Settings
from genispace_mcp.server.toolsets import (
    ALL_TOOLS,
    DEFAULT_TOOLSETS,
    TOOLSETS,
    SelectionError,
    enabled_toolsets,
    selected_tools,
)
from tests.server.conftest import Connect, failed


def names(settings: Settings) -> list[str]:
    return [tool["name"] for tool in tool_surface(settings)]


def test_default_toolsets() -> None:
    assert enabled_toolsets(Settings()) == DEFAULT_TOOLSETS
    expected = [name for toolset in DEFAULT_TOOLSETS for name in TOOLSETS[toolset]]
    assert sorted(names(Settings())) == sorted(expected)
    assert "create_api_key" not in names(Settings())
    assert "delete_agent" not in names(Settings())


def test_all_enables_every_tool_in_table_order() -> None:
    assert names(Settings(toolsets=("all",))) == list(ALL_TOOLS)


def test_chosen_toolsets_only() -> None:
    assert names(Settings(toolsets=("datasets",))) == list(TOOLSETS["datasets"])


def test_single_tools_add_and_exclude_wins() -> None:
    settings = Settings(
        toolsets=("datasets",),
        tools=("whoami", "delete_agent"),
        exclude_tools=("delete_agent", "query_dataset"),
    )
    assert names(settings) == ["whoami", "list_datasets", "get_dataset"]


@pytest.mark.parametrize(
    ("settings", "bad"),
    [
        (Settings(toolsets=("agents", "agnets")), "'agnets'"),
        (Settings(tools=("list_agent",)), "'list_agent'"),
        (Settings(exclude_tools=("nope",)), "'nope'"),
    ],
)
def test_unknown_names_fail_with_the_valid_list(settings: Settings, bad: str) -> None:
    with pytest.raises(SelectionError) as raised:
        selected_tools(settings)
    message = str(raised.value)
    assert bad in message
    valid = TOOLSETS if "toolset" in message else ALL_TOOLS
    assert all(name in message for name in valid)


def test_read_only_removes_every_tool_that_is_not_read_only() -> None:
    tools = tool_surface(Settings(toolsets=("all",), tools=("delete_agent",), read_only=True))
    assert tools, "read-only keeps the reading tools"
    assert all(tool["annotations"]["readOnlyHint"] for tool in tools)
    kept = {tool["name"] for tool in tools}
    assert {"list_agents", "query_dataset", "export_dataset", "whoami"} <= kept
    assert not kept & {"chat_with_agent", "run_task", "delete_agent", "create_api_key"}


async def test_a_tool_that_is_not_enabled_cannot_be_called(connect: Connect) -> None:
    async with connect(toolsets=("datasets",), read_only=True) as client:
        listed = [tool.name for tool in (await client.list_tools()).tools]
        assert listed == ["list_datasets", "get_dataset", "query_dataset"]
        result = await client.call_tool("delete_dataset", {"dataset_id": "ds_1", "confirm": "ds_1"})
    assert "Unknown tool" in failed(result)
