"""The baseline: a bare `MCPServer` hello-world, started the same way as genispace-mcp.

Run over stdio with `python -m bench.hello`, or over Streamable HTTP with
`python -m bench.hello --transport http --port P`. It registers one trivial tool, so it measures
what the MCP SDK alone costs (imports, start-up, per-call framing, memory).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from mcp.server import MCPServer


def build() -> MCPServer:
    """The hello-world server: one tool that greets."""
    server = MCPServer("hello-world")

    @server.tool()
    def hello(name: str = "world") -> str:
        """Say hello."""
        return f"Hello, {name}!"

    return server


def main(argv: Sequence[str] | None = None) -> int:
    """Serve the hello-world over stdio (default) or Streamable HTTP."""
    parser = argparse.ArgumentParser(prog="python -m bench.hello")
    parser.add_argument("--transport", choices=("stdio", "http"), default="stdio")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args(argv)
    server = build()
    if args.transport == "stdio":
        server.run("stdio")
    else:
        import anyio

        anyio.run(
            lambda: server.run_streamable_http_async(
                host=args.host, port=args.port, stateless_http=True, json_response=True
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
