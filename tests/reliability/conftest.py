"""Shared setup for the reliability tests: a sandbox whose faults can be switched on, a server
factory, and a watch that fails any test whose logs carry a configured API key."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from mcp_types import CallToolResult, TextContent

from genispace_mcp.sandbox import FaultConfig, SandboxServer, SandboxSettings
from genispace_mcp.sandbox.faults import FaultInjector
from genispace_mcp.server.settings import Settings

# A distinctive admin key: if it leaks anywhere, a plain substring search finds it.
CANARY_KEY = "sk-CANARY-reliability-7f3e9b2c41d84a06b5e1"
# Every key the tests configure; none may appear in a log record, a result or an error.
SECRETS: set[str] = {CANARY_KEY}


def watch_secret(key: str) -> str:
    """Add a key to the secrets no log record, result or error may contain; returns it."""
    SECRETS.add(key)
    return key


def assert_no_secret(text: str, where: str) -> None:
    """Fail if any watched key appears in `text`."""
    for secret in SECRETS:
        assert secret not in text, f"an API key appeared in {where}"


class Faults:
    """Switches a running sandbox's fault injection on (from the start of its seeded sequence)
    and off, so a test can read the truth first and then replay the same faults every run."""

    def __init__(self, server: SandboxServer) -> None:
        self.server = server

    def on(
        self, *, rate: float, seed: int, kinds: tuple[str, ...] | None = None, delay: float = 0.2
    ) -> None:
        """Inject faults into that share of requests, drawn from `seed`."""
        config = FaultConfig(rate=rate, seed=seed, delay=delay)
        if kinds is not None:
            config = FaultConfig(rate=rate, seed=seed, delay=delay, kinds=kinds)
        self.server.context.faults = FaultInjector(config)

    def off(self) -> None:
        """Serve every request normally."""
        self.server.context.faults = None


@pytest.fixture(scope="module")
def canary_sandbox() -> Iterator[SandboxServer]:
    """A demo sandbox of this module's own (faults off), whose admin key is CANARY_KEY."""
    server = SandboxServer(
        SandboxSettings(port=0, seed_demo=True, rate_limit=1_000_000_000, admin_key=CANARY_KEY)
    )
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def faults(canary_sandbox: SandboxServer) -> Iterator[Faults]:
    """Fault switch for the module's sandbox; always off again after the test."""
    switch = Faults(canary_sandbox)
    switch.off()
    try:
        yield switch
    finally:
        switch.off()


def server_settings(sandbox: SandboxServer, tmp_path: Path, **overrides: Any) -> Settings:
    """Settings for a server on `sandbox` with every toolset on."""
    values: dict[str, Any] = {
        "api_key": sandbox.admin_key,
        "base_url": sandbox.base_url,
        "toolsets": ("all",),
        "secrets_dir": tmp_path / "secrets",
        "run_wait_seconds": 5.0,
        "timeout": 10.0,
    }
    values.update(overrides)
    return Settings(**values)


def text_of(result: CallToolResult) -> str:
    """All text content of a tool result."""
    return "\n".join(block.text for block in result.content if isinstance(block, TextContent))


def assert_clear_error(result: CallToolResult, tool: str) -> str:
    """An isError result that says what happened in words, never a traceback or the SDK's bare
    "Error executing tool X" with nothing after it; returns its text."""
    assert result.is_error, f"{tool}: expected an error result"
    assert result.structured_content is None, f"{tool}: an error with structuredContent"
    text = text_of(result)
    # The SDK prefixes a ToolError's message with "Error executing tool <name>: "; what follows
    # is ours and must explain.
    explanation = text.split(f"Error executing tool {tool}:", 1)[-1].strip()
    assert len(explanation) >= 15, f"{tool}: an error that explains nothing: {text!r}"
    assert "Traceback" not in text, f"{tool}: a traceback reached the model: {text}"
    assert_no_secret(text, f"the error of {tool}")
    return text


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.texts: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = f"{record.name} {record.getMessage()} {record.args!r}"
        if record.exc_info:
            text += " " + logging.Formatter().formatException(record.exc_info)
        self.texts.append(text)


@pytest.fixture(autouse=True)
def no_key_in_logs() -> Iterator[None]:
    """Every log record of every reliability test, at DEBUG, must be free of the canary key."""
    handler = _Records()
    root = logging.getLogger()
    previous = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield
    finally:
        root.removeHandler(handler)
        root.setLevel(previous)
    leaked = [text for text in handler.texts if any(secret in text for secret in SECRETS)]
    assert not leaked, f"an API key appeared in {len(leaked)} log record(s): {leaked[0][:300]}"
