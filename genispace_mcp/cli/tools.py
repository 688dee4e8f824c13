"""`genispace-mcp tools`: print the tool surface a configuration exposes, without serving."""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from genispace_mcp.cli.options import UsageError, add_options, build_server, build_settings
from genispace_mcp.cli.output import configure_logging, print_error

if TYPE_CHECKING:
    from mcp.server import MCPServer


def tools_parser() -> argparse.ArgumentParser:
    """The parser of `genispace-mcp tools`."""
    parser = argparse.ArgumentParser(
        prog="genispace-mcp tools",
        description="Print the tool surface this configuration exposes, without serving.",
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help="print exactly the tools array that tools/list answers",
    )
    parser.add_argument(
        "--protocol-version",
        metavar="VERSION",
        help="the protocol version whose tools/list shape --json prints (default: the latest)",
    )
    add_options(parser, serving=False)
    return parser


async def tools_payload(
    server: MCPServer[Any], protocol_version: str | None = None
) -> list[dict[str, Any]]:
    """The `tools` array of a tools/list answer, serialized as the SDK puts it on the wire."""
    from mcp_types import ListToolsResult
    from mcp_types.methods import serialize_server_result
    from mcp_types.version import LATEST_PROTOCOL_VERSION

    result = ListToolsResult(tools=await server.list_tools())
    dumped = result.model_dump(by_alias=True, mode="json", exclude_none=True)
    wire = serialize_server_result(
        "tools/list", protocol_version or LATEST_PROTOCOL_VERSION, dumped
    )
    return list(wire["tools"])


def tools_command(argv: Sequence[str]) -> int:
    """Print the enabled tools (a table, or --json); returns the exit code."""
    args = tools_parser().parse_args(argv)
    try:
        settings = build_settings(args, os.environ)
        configure_logging(settings)
        server = build_server(settings)
    except UsageError as exc:
        print_error(str(exc))
        return 2

    import json

    import anyio

    try:
        tools = anyio.run(tools_payload, server, args.protocol_version)
    except ValueError as exc:
        print_error(f"--protocol-version: {exc}")
        return 2
    if args.json:
        print(json.dumps(tools, indent=2, ensure_ascii=False))  # stdout-ok
        return 0
    width = max((len(t["name"]) for t in tools), default=0)
    for tool in tools:
        hints = tool.get("annotations", {})
        mode = (
            "read-only"
            if hints.get("readOnlyHint")
            else "destructive"
            if hints.get("destructiveHint")
            else "writes"
        )
        summary = (tool.get("description") or "").strip().splitlines()[0:1] or [""]
        print(f"{tool['name']:<{width}}  {mode:<11}  {summary[0]}")  # stdout-ok
    size = sum(
        len(
            json.dumps(
                {k: t.get(k) for k in ("name", "description", "inputSchema")}, separators=(",", ":")
            )
        )
        for t in tools
    )
    summary = f"\n{len(tools)} tools; {size:,} bytes of name, description and input schema"
    print(summary)  # stdout-ok
    return 0
