"""The option table: every Settings field as a flag and a variable, parsed into Settings."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from genispace_mcp.server.settings import Settings

if TYPE_CHECKING:
    from mcp.server import MCPServer

DESCRIPTION = (
    "MCP server for the GeniSpace platform: agents, tasks, datasets and API keys as tools "
    "and resources for AI assistants."
)

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
    Option("max_retries", "--max-retries", "GENISPACE_MAX_RETRIES", _non_negative_int, "retries after a connection error or a 408, 429, 502, 503 or 504 (not a plain 500)", "N"),
    Option("toolsets", "--toolsets", "GENISPACE_TOOLSETS", _csv, "comma-separated toolsets to enable, 'all', or '' for none (only --tools)", "LIST"),
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


def add_options(parser: argparse.ArgumentParser, *, serving: bool) -> None:
    """Add a flag for every option (the serving-only ones when `serving`), help naming its variable."""
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
        # An empty value means "unset", except for a list: there it is an explicit empty list
        # (`--toolsets ''` enables no toolset, only what --tools names).
        if raw is None or (raw == "" and option.parse not in (_bool, _csv)):
            continue
        try:
            values[option.field] = option.parse(raw)
        except ValueError as exc:
            shown = "<hidden>" if option.field in ("api_key", "auth_token") else repr(raw)
            detail = str(exc) if "invalid literal" not in str(exc) else "not a number"
            raise UsageError(f"{source}={shown}: {detail}") from None
    return Settings(**values)


def build_server(settings: Settings) -> MCPServer[Any]:
    """The configured server; an unknown toolset or tool name becomes a UsageError listing the valid ones."""
    from genispace_mcp.server import create_server

    try:
        return create_server(settings)
    except (ValueError, LookupError) as exc:
        raise UsageError(str(exc)) from None
