"""What the command writes besides its deliberate output: errors and log records, on stderr."""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from typing import Any

from genispace_mcp.server.settings import Settings


def print_error(message: str) -> None:
    """One error line on stderr, prefixed with the command's name."""
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
