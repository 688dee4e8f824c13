"""The `genispace-mcp` command: the only place that reads arguments and the environment.

One module per sub-command (serve, tools, doctor, sandbox); `options` turns flags and variables
into Settings.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from genispace_mcp.cli.options import OPTIONS, UsageError, build_settings

__all__ = ["OPTIONS", "UsageError", "build_settings", "main"]

# Sub-commands other than the default (serving MCP). Each module builds its own parser.
COMMANDS = ("sandbox", "doctor", "tools")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    # Imported per command: serving MCP never pays for the sandbox or the doctor.
    if args and args[0] == "sandbox":
        from genispace_mcp.cli.sandbox import sandbox_command

        return sandbox_command(args[1:])
    if args and args[0] == "doctor":
        from genispace_mcp.cli.doctor import doctor_command

        return doctor_command(args[1:])
    if args and args[0] == "tools":
        from genispace_mcp.cli.tools import tools_command

        return tools_command(args[1:])
    from genispace_mcp.cli.serve import serve_command

    return serve_command(args)
