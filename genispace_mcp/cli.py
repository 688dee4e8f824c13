"""The `genispace-mcp` command: the only place that reads arguments and the environment."""

from __future__ import annotations

import argparse
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

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


def _sandbox_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="genispace-mcp sandbox",
        description=(
            "Run the local GeniSpace-compatible API (agents, tasks, datasets, API keys) on SQLite. "
            "Prints its base URL and admin API key to stderr."
        ),
        epilog=(
            "environment:\n"
            "  GENISPACE_SANDBOX_ADMIN_KEY   use this sk-... secret as the admin key\n"
            "  GENISPACE_SANDBOX_FAULTS      fault injection spec, as --faults\n"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8900, help="port (default 8900; 0: any free)")
    parser.add_argument(
        "--data", type=Path, metavar="DIR", help="keep data in DIR/sandbox.db (default: in memory)"
    )
    parser.add_argument(
        "--seed-demo",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="create the demo workspace on first start (default: on)",
    )
    parser.add_argument(
        "--rate-limit",
        type=int,
        default=100,
        metavar="N",
        help="requests per key per hour (default 100)",
    )
    parser.add_argument(
        "--faults",
        metavar="SPEC",
        help="inject faults, e.g. rate=0.3,seed=7,kinds=slow,429,500,503,reset,truncate",
    )
    return parser


def _sandbox(args: list[str]) -> int:
    # Imported here: serving MCP never pays for the sandbox's imports.
    from genispace_mcp.sandbox import FaultConfig, SandboxServer, SandboxSettings

    options = _sandbox_parser().parse_args(args)
    if not 0 <= options.port <= 65535:
        print("genispace-mcp sandbox: --port must be 0..65535", file=sys.stderr)
        return 2
    if options.rate_limit < 1:
        print("genispace-mcp sandbox: --rate-limit must be at least 1", file=sys.stderr)
        return 2
    spec = options.faults or os.environ.get("GENISPACE_SANDBOX_FAULTS") or None
    try:
        faults = FaultConfig.parse(spec) if spec else None
    except ValueError as exc:
        print(f"genispace-mcp sandbox: bad fault spec: {exc}", file=sys.stderr)
        return 2
    admin_key = os.environ.get("GENISPACE_SANDBOX_ADMIN_KEY") or None
    settings = SandboxSettings(
        host=options.host,
        port=options.port,
        data_dir=options.data,
        seed_demo=options.seed_demo,
        admin_key=admin_key,
        rate_limit=options.rate_limit,
        faults=faults,
    )
    server = SandboxServer(settings)
    try:
        server.prepare(generate_admin_key=False)
        server.start()
    except (OSError, RuntimeError, ValueError) as exc:
        server.stop()
        print(f"genispace-mcp sandbox: {exc}", file=sys.stderr)
        return 1
    if admin_key:
        key_line = f"{server.admin_key_prefix}... (from GENISPACE_SANDBOX_ADMIN_KEY)"
    elif server.admin_key:
        key_line = f"{server.admin_key}  (shown once: only its hash is stored)"
    else:
        key_line = (
            f"{server.admin_key_prefix}... (created on an earlier start and printed then; "
            "set GENISPACE_SANDBOX_ADMIN_KEY to choose one)"
        )
    data = f"{options.data / 'sandbox.db'}" if options.data else "in memory (gone when stopped)"
    lines = [
        f"GeniSpace sandbox listening on {server.base_url}",
        f"  admin API key: {key_line}",
        f"  data:          {data}",
        f"  demo:          {'seeded' if server.demo_seeded else 'on' if options.seed_demo else 'off'}",
        f"  OpenAPI:       {server.base_url}/openapi.json",
        f"  rate limit:    {options.rate_limit} requests per key per hour",
    ]
    if faults:
        lines.append(f"  faults:        {spec}")
    lines.append(
        f"  started in {server.startup_seconds + server.prepare_seconds:.2f} s; Ctrl-C to stop"
    )
    print("\n".join(lines), file=sys.stderr, flush=True)

    def terminate(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, terminate)
    try:
        server.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] == "sandbox":
        return _sandbox(args[1:])
    if args and args[0] in COMMANDS:
        print(f"genispace-mcp: '{args[0]}' is not available yet", file=sys.stderr)
        return 2
    _serve_parser().parse_args(args)
    print("genispace-mcp: the MCP server is not available yet", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
