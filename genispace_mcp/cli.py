"""The `genispace-mcp` command: the only place that reads arguments and the environment."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from genispace_mcp import __version__

DESCRIPTION = (
    "MCP server for the GeniSpace platform: agents, tasks, datasets and API keys as tools "
    "and resources for AI assistants."
)

# Sub-commands other than the default (serving MCP). Each builds its own parser below.
COMMANDS = ("sandbox", "doctor", "tools")


def _serve_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="genispace-mcp",
        description=DESCRIPTION,
        epilog=(
            "commands:\n"
            "  genispace-mcp [options]            serve MCP (stdio by default)\n"
            "  genispace-mcp sandbox [options]    run the local GeniSpace-compatible sandbox API\n"
            "  genispace-mcp doctor               check configuration, key and permissions\n"
            "  genispace-mcp tools                print the tool surface this configuration exposes\n"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"genispace-mcp {__version__}")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in COMMANDS:
        print(f"genispace-mcp: '{args[0]}' is not available yet", file=sys.stderr)
        return 2
    _serve_parser().parse_args(args)
    print("genispace-mcp: the MCP server is not available yet", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
