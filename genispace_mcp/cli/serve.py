"""`genispace-mcp [options]`: serve MCP over stdio, Streamable HTTP or SSE, maybe on the sandbox."""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from genispace_mcp import __version__
from genispace_mcp.cli.options import (
    DESCRIPTION,
    UsageError,
    add_options,
    build_server,
    build_settings,
)
from genispace_mcp.cli.output import configure_logging, print_error
from genispace_mcp.server.settings import Settings


def serve_parser() -> argparse.ArgumentParser:
    """The parser for serving: every option, plus --version and the list of commands."""
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
    add_options(parser, serving=True)
    return parser


def serve_command(argv: Sequence[str]) -> int:
    """Serve MCP until stopped; returns the exit code (2: bad configuration, 1: cannot serve)."""
    args = serve_parser().parse_args(argv)
    from genispace_mcp.server.transports import TransportConfigError, check_settings, serve

    try:
        settings = build_settings(args, os.environ)
        check_settings(settings)
    except (UsageError, TransportConfigError) as exc:
        print_error(str(exc))
        return 2
    configure_logging(settings)

    import anyio

    def banner(url: str) -> None:
        kind = "Streamable HTTP" if settings.transport == "http" else "legacy SSE"
        print(f"genispace-mcp: serving {kind} at {url}", file=sys.stderr, flush=True)

    if settings.transport == "stdio" and sys.stdin.isatty():
        # A person ran it in a terminal: say what it is waiting for instead of sitting silent.
        hint = (
            "genispace-mcp: serving MCP over stdio, for an MCP client to start (see mcp.json.example); "
            "--transport http serves over HTTP; Ctrl-C quits"
        )
        print(hint, file=sys.stderr, flush=True)

    async def run() -> None:
        async with maybe_sandbox(settings) as current:
            server = build_server(current)
            await serve(server, current, on_ready=banner)

    try:
        anyio.run(run)
    except UsageError as exc:
        print_error(str(exc))
        return 2
    except OSError as exc:
        where = "stdio" if settings.transport == "stdio" else f"{settings.host}:{settings.port}"
        print_error(f"cannot serve on {where}: {exc.strerror or exc}")
        return 1
    except KeyboardInterrupt:
        return 130
    return 0


@asynccontextmanager
async def maybe_sandbox(settings: Settings) -> AsyncIterator[Settings]:
    """The settings to serve with: pointed at a fresh in-process sandbox when --sandbox asks."""
    if not settings.sandbox:
        yield settings
        return
    from genispace_mcp.sandbox.embedded import LazySandbox

    sandbox = LazySandbox().start()
    try:
        banner = (
            f"genispace-mcp: SANDBOX mode: a local sandbox with demo data serves {sandbox.base_url} "
            "(not GeniSpace; nothing leaves this machine)"
        )
        print(banner, file=sys.stderr, flush=True)
        yield dataclasses.replace(settings, base_url=sandbox.base_url, api_key=sandbox.admin_key)
    finally:
        sandbox.stop()
