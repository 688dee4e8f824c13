"""`genispace-mcp doctor` against the sandbox: passes with a good key, fails clearly otherwise.

Run in-process through `main()` (the command's own entry point) to keep the suite fast; the
subprocess tests pin what only a real process shows (stdout hygiene, exit on end of input).
"""

from __future__ import annotations

import os
import socket
from typing import Any

import pytest

from genispace_mcp.cli import main


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in list(os.environ):
        if name.startswith("GENISPACE_"):
            monkeypatch.delenv(name)
    return monkeypatch


def test_passes_with_a_good_key(
    sandbox: Any, env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env.setenv("GENISPACE_API_KEY", sandbox.admin_key)
    env.setenv("GENISPACE_BASE_URL", sandbox.base_url)
    code = main(["doctor"])
    out, err = capsys.readouterr()
    assert code == 0, out + err
    assert "all checks passed" in out
    assert "permissions  *" in out
    assert "[ok  ] rate limit" in out
    assert "list_agents" in out  # the tools this configuration enables
    assert sandbox.admin_key not in out + err


def test_warns_about_tools_the_key_may_not_use(
    sandbox: Any, env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from genispace_mcp.client import GeniSpace

    async def reader_key() -> str:
        async with GeniSpace(api_key=sandbox.admin_key, base_url=sandbox.base_url) as admin:
            created = await admin.api_keys.create(name="doctor reader", permissions=["read:agents"])
        assert created.key is not None
        return created.key.get_secret_value()

    import anyio

    env.setenv("GENISPACE_API_KEY", anyio.run(reader_key))
    env.setenv("GENISPACE_BASE_URL", sandbox.base_url)
    assert main(["doctor", "--toolsets", "agents"]) == 0
    out = capsys.readouterr().out
    assert "permissions  read:agents" in out
    assert "chat_with_agent (write:agents)" in out


def test_fails_on_a_refused_key(
    sandbox: Any, env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env.setenv("GENISPACE_API_KEY", "sk-wrong-0123456789")
    env.setenv("GENISPACE_BASE_URL", sandbox.base_url)
    assert main(["doctor"]) == 1
    out, err = capsys.readouterr()
    assert "GENISPACE_API_KEY" in out
    assert "401" in out
    assert "sk-wrong-0123456789" not in out + err


def test_fails_without_a_key(env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["doctor"]) == 1
    assert "not set: export GENISPACE_API_KEY" in capsys.readouterr().out


def test_fails_when_unreachable(
    env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # A port held bound but not listening: connections are refused, deterministically.
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        env.setenv("GENISPACE_API_KEY", "sk-x-0123456789")
        env.setenv("GENISPACE_BASE_URL", f"http://127.0.0.1:{held.getsockname()[1]}/v1")
        code = main(["doctor"])
    out, err = capsys.readouterr()
    assert code == 1
    assert "could not reach" in out
    assert "Traceback" not in err


def test_sandbox_flag(env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["doctor", "--sandbox"]) == 0
    out, err = capsys.readouterr()
    assert "SANDBOX" in err
    assert "all checks passed" in out
