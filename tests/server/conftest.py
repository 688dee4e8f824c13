"""Fixtures for the server tests: the real server, a real client, the sandbox on a free port."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from mcp.client import Client
from mcp_types import CallToolResult, ElicitRequestParams, ElicitResult, TextContent

from genispace_mcp.server import create_server
from genispace_mcp.server.settings import Settings

BOUNDARY = re.compile(r"<(untrusted-[0-9a-f]{32})>\n(.*?)\n</\1>", re.S)
MODES = ["legacy", "auto"]  # the handshake era and the 2026-07-28 per-request era


def text_of(result: CallToolResult) -> str:
    """The one text block of a result."""
    blocks = [block for block in result.content if isinstance(block, TextContent)]
    assert len(blocks) == 1, result.content
    return blocks[0].text


def ok(result: CallToolResult) -> dict[str, Any]:
    """The structured content of a successful result, checked against its compact text."""
    assert not result.is_error, text_of(result)
    assert result.structured_content is not None
    text = text_of(result)
    assert "null" not in text.split("\n")[0], "the text carries no nulls"
    return result.structured_content


def failed(result: CallToolResult) -> str:
    """The text of an error result (isError, no structuredContent)."""
    assert result.is_error, result
    assert result.structured_content is None
    return text_of(result)


def untrusted_blocks(text: str) -> list[str]:
    """The payloads of the untrusted-data blocks in a text."""
    return [match.group(2) for match in BOUNDARY.finditer(text)]


def jsonl(payload: str) -> list[Any]:
    return [json.loads(line) for line in payload.split("\n") if line.startswith("{")]


@dataclass
class Elicitor:
    """A client-side elicitation answer, recording every question it was asked."""

    action: str = "accept"
    content: dict[str, Any] | None = field(default_factory=lambda: {"confirm": True})
    asked: list[str] = field(default_factory=list)

    async def __call__(self, context: Any, params: ElicitRequestParams) -> ElicitResult:
        self.asked.append(params.message)
        content = self.content if self.action == "accept" else None
        return ElicitResult(action=self.action, content=content)  # type: ignore[arg-type]


Connect = Callable[..., Any]


@pytest.fixture
def settings_for(sandbox: Any, tmp_path: Path) -> Callable[..., Settings]:
    """Settings against the sandbox (every toolset on), with any field overridden."""

    def make(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "api_key": sandbox.admin_key,
            "base_url": sandbox.base_url,
            "toolsets": ("all",),
            "secrets_dir": tmp_path / "secrets",
            "run_wait_seconds": 20.0,
            "max_retries": 0,
        }
        values.update(overrides)
        return Settings(**values)

    return make


@pytest.fixture
def connect(settings_for: Callable[..., Settings]) -> Connect:
    """Open the in-memory MCP client on a server built from `settings_for(**overrides)`."""

    @asynccontextmanager
    async def open_client(
        mode: str = "auto", elicit: Elicitor | None = None, **overrides: Any
    ) -> AsyncIterator[Client]:
        server = create_server(settings_for(**overrides))
        async with Client(server, mode=mode, elicitation_callback=elicit) as client:
            yield client

    return open_client


@pytest.fixture
async def mcp(connect: Connect) -> AsyncIterator[Client]:
    """A client on the default test server (every toolset, no elicitation)."""
    async with connect() as client:
        yield client


Call = Callable[[str, dict[str, Any]], Awaitable[CallToolResult]]


async def first_id(client: Client, tool: str, **arguments: Any) -> str:
    """The id of the first item a list tool answers."""
    items = ok(await client.call_tool(tool, {"limit": 100, **arguments}))["items"]
    assert items, f"{tool} answered no items"
    return items[0]["id"]
