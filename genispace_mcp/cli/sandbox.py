"""`genispace-mcp sandbox`: run the local GeniSpace-compatible sandbox API on its own."""

from __future__ import annotations

import argparse
import os
import signal
import sys
from pathlib import Path
from typing import Any


def sandbox_parser() -> argparse.ArgumentParser:
    """The parser of `genispace-mcp sandbox`."""
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


def sandbox_command(args: list[str]) -> int:
    """Run the sandbox until Ctrl-C or SIGTERM; returns the exit code."""
    options = sandbox_parser().parse_args(args)
    if not 0 <= options.port <= 65535:
        print("genispace-mcp sandbox: --port must be 0..65535", file=sys.stderr)
        return 2
    if options.rate_limit < 1:
        print("genispace-mcp sandbox: --rate-limit must be at least 1", file=sys.stderr)
        return 2
    # Imported here: serving MCP never pays for the sandbox's imports.
    from genispace_mcp.sandbox import FaultConfig, SandboxServer, SandboxSettings

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

    def terminate(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    # SIGTERM stops as Ctrl-C does (installed first: a stop may come at any moment).
    signal.signal(signal.SIGTERM, terminate)
    server = SandboxServer(settings)
    try:
        server.prepare(generate_admin_key=False)
        server.start()
    except KeyboardInterrupt:
        server.stop()
        return 0
    except (OSError, RuntimeError, ValueError) as exc:
        server.stop()
        print(f"genispace-mcp sandbox: {exc}", file=sys.stderr)
        return 1
    try:
        print(_banner(server, options, spec, bool(admin_key)), file=sys.stderr, flush=True)
        server.wait()
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # one stop is enough
        server.stop()
    return 0


def _banner(server: Any, options: argparse.Namespace, spec: str | None, fixed_key: bool) -> str:
    if fixed_key:
        key_line = f"{server.admin_key_prefix}... (from GENISPACE_SANDBOX_ADMIN_KEY)"
    elif server.admin_key:
        key_line = f"{server.admin_key}  (shown once: only its hash is stored)"
    else:
        key_line = (
            f"{server.admin_key_prefix}... (created on an earlier start and printed then; "
            "set GENISPACE_SANDBOX_ADMIN_KEY to choose one)"
        )
    data = f"{options.data / 'sandbox.db'}" if options.data else "in memory (gone when stopped)"
    demo = "seeded" if server.demo_seeded else "on" if options.seed_demo else "off"
    lines = [
        f"GeniSpace sandbox listening on {server.base_url}",
        f"  admin API key: {key_line}",
        f"  data:          {data}",
        f"  demo:          {demo}",
        f"  OpenAPI:       {server.base_url}/openapi.json",
        f"  rate limit:    {options.rate_limit} requests per key per hour",
    ]
    if spec:
        lines.append(f"  faults:        {spec}")
    started = server.startup_seconds + server.prepare_seconds
    lines.append(f"  started in {started:.2f} s; Ctrl-C to stop")
    return "\n".join(lines)
