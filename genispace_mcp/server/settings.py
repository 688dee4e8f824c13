"""Settings: everything the MCP server is configured by, built once by the CLI (or by an embedder)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

Transport = Literal["stdio", "http", "sse"]

DEFAULT_BASE_URL = "https://api.genispace.ai/v1"


@dataclass(frozen=True, slots=True)
class Settings:
    """The server's configuration. The CLI fills it from flags and `GENISPACE_*` variables."""

    # GeniSpace connection. api_key None: the client falls back to GENISPACE_API_KEY and, failing
    # that, every tool answers with an error naming the variable to set.
    api_key: str | None = field(default=None, repr=False)
    base_url: str = DEFAULT_BASE_URL
    timeout: float = 60.0
    max_retries: int = 3

    # The tool surface. toolsets None means the default toolsets; ("all",) enables every one.
    toolsets: tuple[str, ...] | None = None
    tools: tuple[str, ...] = ()  # extra single tools to enable
    exclude_tools: tuple[str, ...] = ()  # exclude wins over every include
    read_only: bool = False  # removes every tool that is not read-only, whatever else is asked

    # Results and safety.
    result_budget: int = 25_000  # characters of text per tool result
    # How long run_task waits for a final state before handing back the run id. Under the 60 s
    # request timeout many clients use (not all of them reset it on progress notifications).
    run_wait_seconds: float = 25.0
    reveal_secrets: bool = (
        False  # show a new API key's secret to the model (off: written to a file)
    )
    secrets_dir: Path | None = None  # where new secrets are written; None: a per-user default

    # Transport.
    transport: Transport = "stdio"
    host: str = "127.0.0.1"
    port: int = 8000
    auth_token: str | None = field(default=None, repr=False)
    multi_tenant: bool = False  # each HTTP client brings its own GeniSpace key as its bearer token
    allowed_hosts: tuple[str, ...] = ()  # extra Host values accepted (DNS-rebinding protection)
    allowed_origins: tuple[str, ...] = ()

    # Start an in-process sandbox and serve against it (no account needed).
    sandbox: bool = False

    log_level: str = "WARNING"
