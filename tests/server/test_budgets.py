"""Budgets from issue 5, measured on what tools/list answers (fails when exceeded)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from mcp.client import Client

from genispace_mcp.server import create_server, tool_surface
from genispace_mcp.server.settings import Settings


def minified(value: Any) -> int:
    return len(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode())


def shown_to_model(tools: list[dict[str, Any]]) -> int:
    """What a model is shown of the tools: name, description and input schema."""
    return sum(
        minified({key: tool[key] for key in ("name", "description", "inputSchema")})
        for tool in tools
    )


@pytest.mark.parametrize(
    ("toolsets", "max_tools", "max_shown", "max_whole"),
    [(None, 16, 12_000, 40_000), (("all",), 40, 28_000, 96_000)],
    ids=["default", "all"],
)
@pytest.mark.parametrize("mode", ["legacy", "auto"])
async def test_budgets(
    toolsets: tuple[str, ...] | None, max_tools: int, max_shown: int, max_whole: int, mode: str
) -> None:
    settings = Settings(api_key="sk-unused", toolsets=toolsets)
    async with Client(create_server(settings), mode=mode) as client:
        listed = await client.list_tools()
    tools = [
        tool.model_dump(mode="json", by_alias=True, exclude_none=True) for tool in listed.tools
    ]
    assert tools == tool_surface(settings)  # `genispace-mcp tools --json` prints exactly this
    whole = minified({"tools": tools})
    print(
        f"{toolsets or 'default'}: {len(tools)} tools, {shown_to_model(tools)} B shown, {whole} B"
    )
    assert len(tools) <= max_tools
    assert shown_to_model(tools) <= max_shown
    assert whole <= max_whole
