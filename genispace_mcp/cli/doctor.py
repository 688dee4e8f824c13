"""`genispace-mcp doctor`: check the configuration, reach GeniSpace, validate the key and its permissions."""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence
from typing import Any

from genispace_mcp.cli.options import (
    API_KEY_ENV,
    UsageError,
    add_options,
    build_server,
    build_settings,
)
from genispace_mcp.cli.output import configure_logging, print_error
from genispace_mcp.cli.serve import maybe_sandbox
from genispace_mcp.cli.tools import tools_payload
from genispace_mcp.server.settings import Settings


def doctor_parser() -> argparse.ArgumentParser:
    """The parser of `genispace-mcp doctor`."""
    parser = argparse.ArgumentParser(
        prog="genispace-mcp doctor",
        description="Check the configuration, reach GeniSpace, validate the key and show what it may do.",
    )
    add_options(parser, serving=False)
    return parser


class _Report:
    """The doctor's checklist: one line per check, on stdout (deliberate CLI output)."""

    def __init__(self) -> None:
        self.ok = True

    def line(self, status: str, what: str, detail: str) -> None:
        if status == "FAIL":
            self.ok = False
        print(f"[{status:<4}] {what:<12} {detail}")  # stdout-ok


async def _doctor_checks(settings: Settings, report: _Report) -> None:
    """Configuration, reachability, the key, its permissions and rate limit, the tool surface."""
    import time

    key_source = "the sandbox's admin key" if settings.sandbox else f"from {API_KEY_ENV}"
    api_key = settings.api_key or os.environ.get(API_KEY_ENV)
    report.line("ok", "base URL", settings.base_url)
    if not api_key:
        report.line(
            "FAIL", "API key", f"not set: export {API_KEY_ENV}=sk-... (create one in GeniSpace)"
        )
    else:
        report.line("ok", "API key", f"set ({key_source})")

    try:
        server = build_server(settings)
    except UsageError as exc:
        report.line("FAIL", "tools", str(exc))
        server = None
    tools: list[dict[str, Any]] = []
    if server is not None:
        tools = await tools_payload(server)
        names = [t["name"] for t in tools]
        detail = f"{len(names)} enabled: {', '.join(names)}" if names else "none enabled"
        report.line("ok" if names else "FAIL", "tools", detail)

    if not api_key:
        return
    from genispace_mcp.client import (
        APIConnectionError,
        AuthenticationError,
        GeniSpace,
        GeniSpaceError,
    )

    started = time.perf_counter()
    try:
        async with GeniSpace(
            api_key=api_key,
            base_url=settings.base_url,
            timeout=min(settings.timeout, 20.0),
            max_retries=1,
        ) as gs:
            profile = await gs.users.get_profile()
            rate = gs.rate_limit
    except AuthenticationError:
        report.line("ok", "reach", f"GeniSpace answered at {settings.base_url}")
        report.line(
            "FAIL",
            "key",
            f"refused by GeniSpace (401): set {API_KEY_ENV} to a valid, unexpired key",
        )
        return
    except APIConnectionError as exc:
        # The client's message already names the base URL and the attempts: say it once.
        report.line("FAIL", "reach", str(exc))
        return
    except GeniSpaceError as exc:
        report.line("FAIL", "key", f"GeniSpace answered GET /users/me with an error: {exc}")
        return
    elapsed_ms = (time.perf_counter() - started) * 1000
    report.line("ok", "reach", f"GeniSpace answered in {elapsed_ms:.0f} ms")
    who = " ".join(
        str(v)
        for v in (
            getattr(profile, "name", None),
            f"<{profile.email}>" if getattr(profile, "email", None) else None,
        )
        if v
    )
    report.line("ok", "key", f"valid: {who or profile.id}")
    permissions = _key_permissions(profile)
    if permissions is None:
        report.line("warn", "permissions", "GeniSpace did not say what this key may do")
    else:
        report.line(
            "ok" if permissions else "warn", "permissions", ", ".join(permissions) or "none"
        )
        lacking = _tools_lacking(tools, permissions)
        if lacking:
            report.line(
                "warn",
                "tools",
                f"{len(lacking)} enabled tools need a permission this key lacks: "
                f"{', '.join(lacking)} (narrow with --read-only, --toolsets or --exclude-tools)",
            )
    if rate is not None and rate.remaining is not None:
        resets = ""
        if rate.reset:
            resets = f"; the window resets in {max(0, round((rate.reset - time.time()) / 60))} min"
        report.line(
            "ok" if rate.remaining else "warn",
            "rate limit",
            f"{rate.remaining} of {rate.limit} requests left{resets}",
        )
    else:
        report.line("warn", "rate limit", "GeniSpace sent no rate-limit headers")


def _tools_lacking(tools: list[dict[str, Any]], permissions: list[str]) -> list[str]:
    """'tool (permission)' for each enabled tool whose permission the key does not hold."""
    from genispace_mcp.server.toolsets import AREAS, TOOLSET_OF

    held = set(permissions)
    # The platform's knowledge permissions are aliases of the dataset ones.
    held |= {p.replace(":knowledge", ":datasets") for p in permissions}
    if "*" in held:
        return []
    lacking = []
    for tool in tools:
        area = AREAS.get(TOOLSET_OF.get(tool["name"], ""))
        if area is None:
            continue
        mode = "read" if tool.get("annotations", {}).get("readOnlyHint") else "write"
        if f"{mode}:{area}" not in held:
            lacking.append(f"{tool['name']} ({mode}:{area})")
    return lacking


def _key_permissions(profile: Any) -> list[str] | None:
    """The permissions of the key that asked, as GET /users/me describes it (apiKey.permissions)."""
    key = getattr(profile, "api_key", None)
    if key is None:
        key = (getattr(profile, "model_extra", None) or {}).get("apiKey")
    if key is None:
        return None
    permissions = (
        key.get("permissions") if isinstance(key, dict) else getattr(key, "permissions", None)
    )
    return None if permissions is None else [str(p) for p in permissions]


def doctor_command(argv: Sequence[str]) -> int:
    """Run every check and print the checklist; returns 0 when all pass, 1 otherwise."""
    args = doctor_parser().parse_args(argv)
    try:
        settings = build_settings(args, os.environ)
    except UsageError as exc:
        print_error(str(exc))
        return 2
    configure_logging(settings)

    import anyio

    report = _Report()

    async def run() -> None:
        async with maybe_sandbox(settings) as current:
            await _doctor_checks(current, report)

    anyio.run(run)
    print("\nall checks passed" if report.ok else "\nsome checks failed")  # stdout-ok
    return 0 if report.ok else 1
