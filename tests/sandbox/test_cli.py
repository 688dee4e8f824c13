"""`genispace-mcp sandbox`: starts, prints its URL and admin key to stderr, serves, stops cleanly."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

FIXED_KEY = "sk-cli-test-key-0123456789abcdef"


@contextmanager
def sandbox_process(
    *args: str, env: dict[str, str] | None = None
) -> Iterator[tuple[str, list[str]]]:
    """Run the command; yield (base URL, stderr lines up to the ready line); stop it after."""
    process = subprocess.Popen(
        [sys.executable, "-m", "genispace_mcp.cli", "sandbox", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )
    try:
        lines: list[str] = []
        assert process.stderr is not None
        for line in process.stderr:  # blocks until the process prints or exits
            lines.append(line.rstrip("\n"))
            if "Ctrl-C to stop" in line:
                break
        match = re.search(r"listening on (http://\S+/v1)", "\n".join(lines))
        assert match, "\n".join(lines)
        yield match.group(1), lines
    finally:
        process.send_signal(signal.SIGTERM)
        stdout, _ = process.communicate(timeout=20)
        assert process.returncode == 0
        assert stdout == ""  # nothing on stdout: it is the MCP wire in stdio mode


def test_prints_url_and_a_working_admin_key() -> None:
    with sandbox_process("--no-seed-demo", "--rate-limit", "50") as (base_url, lines):
        key = re.search(r"admin API key: (sk-\S+)", "\n".join(lines))
        assert key
        headers = {"Authorization": f"Bearer {key.group(1)}"}
        me = httpx.get(base_url + "/users/me", headers=headers)
        assert me.status_code == 200
        assert me.headers["x-ratelimit-limit"] == "50"
        assert httpx.get(base_url + "/agents", headers=headers).json()["data"] == []
        assert httpx.get(base_url + "/agents").status_code == 401


def test_data_dir_keeps_the_key_and_prints_it_once(tmp_path: Path) -> None:
    with sandbox_process("--data", str(tmp_path)) as (base_url, lines):
        text = "\n".join(lines)
        key = re.search(r"admin API key: (sk-\S+)  \(shown once", text)
        assert key
        assert "demo:          seeded" in text
        headers = {"Authorization": f"Bearer {key.group(1)}"}
        assert len(httpx.get(base_url + "/agents", headers=headers).json()["data"]) == 3
    with sandbox_process("--data", str(tmp_path)) as (base_url, lines):
        text = "\n".join(lines)
        assert key.group(1) not in text
        assert "created on an earlier start" in text
        assert len(httpx.get(base_url + "/agents", headers=headers).json()["data"]) == 3


def test_fixed_admin_key_from_the_environment() -> None:
    env = {"GENISPACE_SANDBOX_ADMIN_KEY": FIXED_KEY}
    with sandbox_process("--no-seed-demo", env=env) as (base_url, lines):
        assert FIXED_KEY not in "\n".join(lines)  # never echo a secret it was given
        me = httpx.get(base_url + "/users/me", headers={"Authorization": f"Bearer {FIXED_KEY}"})
        assert me.json()["apiKey"]["permissions"] == ["*"]


def test_bad_arguments_exit_2() -> None:
    for args in (["--faults", "rate=5"], ["--rate-limit", "0"], ["--port", "70000"]):
        result = subprocess.run(
            [sys.executable, "-m", "genispace_mcp.cli", "sandbox", *args],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert result.returncode == 2, args
        assert "genispace-mcp sandbox:" in result.stderr
        assert "Traceback" not in result.stderr
