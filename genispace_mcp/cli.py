"""The `genispace-mcp` command: the only place that reads arguments and the environment."""

from __future__ import annotations

import argparse
import dataclasses
import logging
import os
import secrets
import select
import signal
import socket
import sys
import threading
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from genispace_mcp import __version__
from genispace_mcp.server.settings import Settings

if TYPE_CHECKING:
    from mcp.server import MCPServer

DESCRIPTION = (
    "MCP server for the GeniSpace platform: agents, tasks, datasets and API keys as tools "
    "and resources for AI assistants."
)

# Sub-commands other than the default (serving MCP). Each builds its own parser below.
COMMANDS = ("sandbox", "doctor", "tools")

# The API key is read from the environment only: a flag would show it in every process list.
API_KEY_ENV = "GENISPACE_API_KEY"

_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off", "")


class UsageError(Exception):
    """A flag or variable with a value that cannot work; the message says which and why."""


# --- Every Settings field: its flag, its variable, how to read it ----------------------------------


def _csv(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())


def _bool(text: str) -> bool:
    value = text.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(f"expected one of {', '.join(_TRUE + _FALSE[:-1])}")


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise ValueError("must be at least 1")
    return value


def _non_negative_int(text: str) -> int:
    value = int(text)
    if value < 0:
        raise ValueError("must be 0 or more")
    return value


def _positive_float(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise ValueError("must be more than 0")
    return value


def _port(text: str) -> int:
    value = int(text)
    if not 0 <= value <= 65535:
        raise ValueError("must be between 0 and 65535 (0: any free port)")
    return value


def _choice(*choices: str) -> Callable[[str], str]:
    def parse(text: str) -> str:
        value = text.strip()
        if value.upper() in choices:
            return value.upper()
        if value.lower() in choices:
            return value.lower()
        raise ValueError(f"expected one of {', '.join(choices)}")

    return parse


@dataclass(frozen=True, slots=True)
class Option:
    """One Settings field as the command line and the environment spell it."""

    field: str
    flag: str | None  # None: environment only
    env: str
    parse: Callable[[str], Any]
    help: str
    metavar: str | None = None
    is_switch: bool = False  # a flag without a value (the variable still takes true/false)
    serve_only: bool = False  # only meaningful when serving (not for doctor / tools)


OPTIONS: tuple[Option, ...] = (
    Option("api_key", None, API_KEY_ENV, str, "GeniSpace API key (environment only, never a flag)"),
    Option("base_url", "--base-url", "GENISPACE_BASE_URL", str, "GeniSpace API base URL, with its version prefix", "URL"),
    Option("timeout", "--timeout", "GENISPACE_TIMEOUT", _positive_float, "seconds per GeniSpace request", "SECONDS"),
    Option("max_retries", "--max-retries", "GENISPACE_MAX_RETRIES", _non_negative_int, "retries on network errors, 429 and 5xx", "N"),
    Option("toolsets", "--toolsets", "GENISPACE_TOOLSETS", _csv, "comma-separated toolsets to enable, or 'all'", "LIST"),
    Option("tools", "--tools", "GENISPACE_TOOLS", _csv, "comma-separated single tools to enable as well", "LIST"),
    Option("exclude_tools", "--exclude-tools", "GENISPACE_EXCLUDE_TOOLS", _csv, "comma-separated tools to remove (wins over every include)", "LIST"),
    Option("read_only", "--read-only", "GENISPACE_READ_ONLY", _bool, "expose only read-only tools, whatever else is asked", is_switch=True),
    Option("result_budget", "--result-budget", "GENISPACE_RESULT_BUDGET", _positive_int, "characters of text per tool result before it is cut", "CHARS"),
    Option("run_wait_seconds", "--run-wait-seconds", "GENISPACE_RUN_WAIT_SECONDS", _positive_float, "how long run_task waits for a final state", "SECONDS"),
    Option("reveal_secrets", "--reveal-secrets", "GENISPACE_REVEAL_SECRETS", _bool, "show a new API key's secret to the model (default: write it to a private file)", is_switch=True),
    Option("secrets_dir", "--secrets-dir", "GENISPACE_SECRETS_DIR", Path, "where new API key secrets are written", "DIR"),
    Option("transport", "--transport", "GENISPACE_MCP_TRANSPORT", _choice("stdio", "http", "sse"), "stdio, http (Streamable HTTP at /mcp) or sse (legacy)", "NAME", serve_only=True),
    Option("host", "--host", "GENISPACE_MCP_HOST", str, "address to bind for http/sse; non-loopback needs an auth token or --multi-tenant", "HOST", serve_only=True),
    Option("port", "--port", "GENISPACE_MCP_PORT", _port, "port to bind for http/sse (0: any free port)", "PORT", serve_only=True),
    Option("auth_token", "--auth-token", "GENISPACE_MCP_AUTH_TOKEN", str, "bearer token HTTP clients must send (prefer the variable: flags show in process lists)", "TOKEN", serve_only=True),
    Option("multi_tenant", "--multi-tenant", "GENISPACE_MCP_MULTI_TENANT", _bool, "each HTTP client sends its own GeniSpace API key as its bearer token", is_switch=True, serve_only=True),
    Option("allowed_hosts", "--allowed-hosts", "GENISPACE_MCP_ALLOWED_HOSTS", _csv, "extra Host header values accepted (DNS-rebinding protection); '*' turns the check off", "LIST", serve_only=True),
    Option("allowed_origins", "--allowed-origins", "GENISPACE_MCP_ALLOWED_ORIGINS", _csv, "extra Origin header values accepted", "LIST", serve_only=True),
    Option("sandbox", "--sandbox", "GENISPACE_SANDBOX", _bool, "start a local sandbox with demo data and serve against it (no account needed)", is_switch=True),
    Option("log_level", "--log-level", "GENISPACE_LOG_LEVEL", _choice("DEBUG", "INFO", "WARNING", "ERROR"), "log level (logs go to stderr)", "LEVEL"),
)  # fmt: skip


def _add_options(parser: argparse.ArgumentParser, *, serving: bool) -> None:
    defaults = Settings()
    group = parser.add_argument_group(
        "configuration", f"Each flag has a variable; the flag wins. The key: {API_KEY_ENV}."
    )
    for option in OPTIONS:
        if option.flag is None or (option.serve_only and not serving):
            continue
        default = getattr(defaults, option.field)
        if isinstance(default, tuple):
            default = ",".join(default) or None
        shown = f"; default {default}" if default not in (None, False, "") else ""
        help_text = f"{option.help} [{option.env}{shown}]"
        if option.is_switch:
            group.add_argument(
                option.flag, dest=option.field, action="store_const", const="true", help=help_text
            )
        else:
            group.add_argument(
                option.flag, dest=option.field, metavar=option.metavar, help=help_text
            )


def build_settings(args: argparse.Namespace, environ: Mapping[str, str]) -> Settings:
    """Settings from parsed flags over `GENISPACE_*` variables over the defaults."""
    values: dict[str, Any] = {}
    for option in OPTIONS:
        raw = getattr(args, option.field, None)
        source = option.flag
        if raw is None:
            raw = environ.get(option.env)
            source = option.env
        if raw is None or (raw == "" and option.parse is not _bool):
            continue
        try:
            values[option.field] = option.parse(raw)
        except ValueError as exc:
            shown = "<hidden>" if option.field in ("api_key", "auth_token") else repr(raw)
            detail = str(exc) if "invalid literal" not in str(exc) else "not a number"
            raise UsageError(f"{source}={shown}: {detail}") from None
    if "toolsets" in values and not values["toolsets"]:
        del values["toolsets"]
    return Settings(**values)


# --- Output, logging -------------------------------------------------------------------------------


def _error(message: str) -> None:
    print(f"genispace-mcp: error: {message}", file=sys.stderr)


class _RedactingFormatter(logging.Formatter):
    """Formats, then blanks every configured secret: a key must never reach a log line."""

    def __init__(self, fmt: str, secrets: Sequence[str]) -> None:
        super().__init__(fmt)
        self._secrets = [s for s in secrets if s and len(s) >= 4]

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is at the time (stdout is the MCP wire in stdio mode)."""

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, value: Any) -> None:
        pass


def configure_logging(settings: Settings) -> None:
    """Every log record to stderr (stdout is the MCP wire), with secrets redacted."""
    handler = _StderrHandler()
    handler.setFormatter(
        _RedactingFormatter(
            "%(asctime)s %(levelname)s %(name)s: %(message)s",
            [s for s in (settings.api_key, settings.auth_token) if s],
        )
    )
    root = logging.getLogger()
    # Replace only a handler of ours (the command may run more than once in one process).
    root.handlers[:] = [h for h in root.handlers if not isinstance(h, _StderrHandler)] + [handler]
    root.setLevel(settings.log_level)


# --- Building the server ---------------------------------------------------------------------------


def _create_server(settings: Settings) -> MCPServer[Any]:
    """The configured server; an unknown toolset or tool name becomes a UsageError listing the valid ones."""
    from genispace_mcp.server import create_server

    try:
        return create_server(settings)
    except (ValueError, LookupError) as exc:
        raise UsageError(str(exc)) from None


# --- genispace-mcp [options]: serve ----------------------------------------------------------------


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
    _add_options(parser, serving=True)
    return parser


def _serve(argv: Sequence[str]) -> int:
    args = _serve_parser().parse_args(argv)
    from genispace_mcp.server.transports import TransportConfigError, check_settings, serve

    try:
        settings = build_settings(args, os.environ)
        check_settings(settings)
    except (UsageError, TransportConfigError) as exc:
        _error(str(exc))
        return 2
    configure_logging(settings)

    import anyio

    def banner(url: str) -> None:
        kind = "Streamable HTTP" if settings.transport == "http" else "legacy SSE"
        print(f"genispace-mcp: serving {kind} at {url}", file=sys.stderr, flush=True)

    if settings.transport == "stdio" and sys.stdin.isatty():
        # A person ran it in a terminal: say what it is waiting for instead of sitting silent.
        print(
            "genispace-mcp: serving MCP over stdio, for an MCP client to start (see mcp.json.example); "
            "--transport http serves over HTTP; Ctrl-C quits",
            file=sys.stderr,
            flush=True,
        )

    async def run() -> None:
        async with _maybe_sandbox(settings) as current:
            server = _create_server(current)
            await serve(server, current, on_ready=banner)

    try:
        anyio.run(run)
    except UsageError as exc:
        _error(str(exc))
        return 2
    except OSError as exc:
        where = "stdio" if settings.transport == "stdio" else f"{settings.host}:{settings.port}"
        _error(f"cannot serve on {where}: {exc.strerror or exc}")
        return 1
    except KeyboardInterrupt:
        return 130
    return 0


class LazySandbox:
    """The in-process sandbox behind `--sandbox`: its port listens at once, it starts on first use.

    The socket is bound and listening before the server answers anything, so the base URL and
    the admin key are known up front; the sandbox itself (its imports, its SQLite store, the demo
    workspace) is only built when the first connection arrives, which waits in the listen backlog
    meanwhile. So the MCP handshake and tools/list pay nothing for it.
    """

    def __init__(self, *, rate_limit: int = 10_000) -> None:
        from genispace_mcp.server.transports import bind_socket

        self._socket = bind_socket("127.0.0.1", 0)
        self.port: int = self._socket.getsockname()[1]
        self.admin_key = "sk-" + secrets.token_urlsafe(32)
        self._rate_limit = rate_limit
        self._wake_r, self._wake_w = socket.socketpair()
        self._lock = threading.Lock()
        self._stopping = False
        self._sandbox: Any = None
        self._server: Any = None
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="genispace-sandbox", daemon=True)

    @property
    def base_url(self) -> str:
        """The sandbox API's base URL, with its /v1 prefix."""
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self) -> LazySandbox:
        """Start watching the socket; returns at once."""
        self._thread.start()
        return self

    def _run(self) -> None:
        readable, _, _ = select.select([self._socket, self._wake_r], [], [])
        if self._wake_r in readable:
            return
        try:
            import uvicorn

            from genispace_mcp.sandbox import SandboxServer, SandboxSettings

            with self._lock:
                if self._stopping:
                    return
                self._sandbox = SandboxServer(
                    SandboxSettings(
                        port=self.port,
                        admin_key=self.admin_key,
                        seed_demo=True,
                        rate_limit=self._rate_limit,
                    )
                )
                app = self._sandbox.prepare()
                config = uvicorn.Config(app, lifespan="off", log_config=None, access_log=False)
                self._server = uvicorn.Server(config)
            self._server.run(sockets=[self._socket])
        except BaseException as exc:  # reported by the banner's owner; the port then refuses
            self.error = exc
            logging.getLogger(__name__).error("the sandbox could not start: %s", exc)

    def stop(self) -> None:
        """Stop serving and close the store (idempotent, bounded)."""
        with self._lock:
            self._stopping = True
            if self._server is not None:
                self._server.should_exit = True
        self._wake_w.send(b"x")
        if self._thread.is_alive():
            self._thread.join(timeout=10)
        if self._sandbox is not None:
            self._sandbox.stop()
        for sock in (self._socket, self._wake_r, self._wake_w):
            sock.close()


@asynccontextmanager
async def _maybe_sandbox(settings: Settings) -> AsyncIterator[Settings]:
    """The settings to serve with: pointed at a fresh in-process sandbox when --sandbox asks."""
    if not settings.sandbox:
        yield settings
        return
    sandbox = LazySandbox().start()
    try:
        print(
            f"genispace-mcp: SANDBOX mode: a local sandbox with demo data serves {sandbox.base_url} "
            "(not GeniSpace; nothing leaves this machine)",
            file=sys.stderr,
            flush=True,
        )
        yield dataclasses.replace(settings, base_url=sandbox.base_url, api_key=sandbox.admin_key)
    finally:
        sandbox.stop()


# --- genispace-mcp tools ---------------------------------------------------------------------------


def _tools_parser() -> argparse.ArgumentParser:
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
    _add_options(parser, serving=False)
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


def _tools(argv: Sequence[str]) -> int:
    args = _tools_parser().parse_args(argv)
    try:
        settings = build_settings(args, os.environ)
        configure_logging(settings)
        server = _create_server(settings)
    except UsageError as exc:
        _error(str(exc))
        return 2

    import json

    import anyio

    try:
        tools = anyio.run(tools_payload, server, args.protocol_version)
    except ValueError as exc:
        _error(f"--protocol-version: {exc}")
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
    print(
        f"\n{len(tools)} tools; {size:,} bytes of name, description and input schema"
    )  # stdout-ok
    return 0


# --- genispace-mcp doctor --------------------------------------------------------------------------


def _doctor_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="genispace-mcp doctor",
        description="Check the configuration, reach GeniSpace, validate the key and show what it may do.",
    )
    _add_options(parser, serving=False)
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
        server = _create_server(settings)
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
        report.line("FAIL", "reach", f"could not reach {settings.base_url}: {exc}")
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


def _doctor(argv: Sequence[str]) -> int:
    args = _doctor_parser().parse_args(argv)
    try:
        settings = build_settings(args, os.environ)
    except UsageError as exc:
        _error(str(exc))
        return 2
    configure_logging(settings)

    import anyio

    report = _Report()

    async def run() -> None:
        async with _maybe_sandbox(settings) as current:
            await _doctor_checks(current, report)

    anyio.run(run)
    print("\nall checks passed" if report.ok else "\nsome checks failed")  # stdout-ok
    return 0 if report.ok else 1


# --- genispace-mcp sandbox ------------------------------------------------------------------------


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
    options = _sandbox_parser().parse_args(args)
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


# --- Entry point -----------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] == "sandbox":
        return _sandbox(args[1:])
    if args and args[0] == "doctor":
        return _doctor(args[1:])
    if args and args[0] == "tools":
        return _tools(args[1:])
    return _serve(args)


if __name__ == "__main__":
    sys.exit(main())
