"""Tools: one module per noun, each with `register(tools, settings)`, collected here in one list.

A module registers every tool it has; the `ToolRegistry` keeps only those the configuration
enables (toolsets, --tools, --exclude-tools, --read-only), wraps each in the one error translator,
and leans its schemas. `build_tools(settings)` returns the SDK `Tool` objects `create_server` hands
to `MCPServer(tools=...)`.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

from mcp.server.mcpserver.tools import Tool
from mcp_types import ToolAnnotations

from genispace_mcp.server.errors import translating
from genispace_mcp.server.settings import Settings
from genispace_mcp.server.shaping import inline_refs, lean_schema
from genispace_mcp.server.toolsets import ALL_TOOLS, selected_tools


class ToolRegistry:
    """Collects the tools one configuration enables, in the order of the toolsets table."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.selected = set(selected_tools(settings))  # raises SelectionError with the valid names
        self._tools: dict[str, Tool] = {}
        self.seen: set[str] = set()

    def add(
        self,
        fn: Callable[..., Awaitable[Any]],
        *,
        title: str,
        annotations: ToolAnnotations,
    ) -> None:
        """Register `fn` under its own name, with its docstring as the description."""
        name = fn.__name__
        if name not in ALL_TOOLS:
            raise ValueError(f"tool {name!r} is missing from the toolsets table")
        self.seen.add(name)
        if name not in self.selected:
            return
        if self.settings.read_only and not annotations.read_only_hint:
            return
        self._tools[name] = _build(fn, title, annotations)

    @property
    def tools(self) -> list[Tool]:
        """The registered tools in table order."""
        return [self._tools[name] for name in ALL_TOOLS if name in self._tools]


# A tool's SDK object depends on its function alone (settings are read per call), so each is built
# once per process: building means generating pydantic models and schemas, the bulk of start-up.
_BUILT: dict[Callable[..., Awaitable[Any]], Tool] = {}


def _build(fn: Callable[..., Awaitable[Any]], title: str, annotations: ToolAnnotations) -> Tool:
    tool = _BUILT.get(fn)
    if tool is None:
        tool = Tool.from_function(
            translating(fn, fn.__name__),
            name=fn.__name__,
            title=title,
            description=_one_paragraph(fn.__doc__ or ""),
            annotations=annotations,
            structured_output=True,
        )
        tool.parameters = lean_schema(inline_refs(tool.parameters))
        metadata = tool.fn_metadata
        metadata.output_schema = lean_schema(inline_refs(metadata.output_schema))
        _BUILT[fn] = tool
    return tool


def build_tools(settings: Settings) -> list[Tool]:
    """Every tool this configuration enables, ready for `MCPServer(tools=...)`."""
    from genispace_mcp.server.tools import account, agents, api_keys, datasets, tasks

    registry = ToolRegistry(settings)
    for module in (account, agents, tasks, datasets, api_keys):
        module.register(registry, settings)
    return registry.tools


def _one_paragraph(doc: str) -> str:
    """A docstring as the one paragraph a model reads (source line breaks are not meaning)."""
    return re.sub(r"\s+", " ", doc).strip()
