"""Processes for the benchmarks: spawning servers, raw JSON-RPC over pipes, ports and memory."""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
HANDSHAKE_VERSION = "2025-11-25"

# How each server under test is started: the same interpreter, `python -m <module>`, from the
# repository root, so the baseline and genispace-mcp pay exactly the same launch costs. The bench
# points this at a runtime-only environment (bench.runtime_env); tests keep the current one.
_python = sys.executable
_bytecode = False


def use_python(path: str | Path, *, bytecode: bool = True) -> None:
    """Start every server under test with this interpreter from now on, and (by default) let
    it read and write cached bytecode, as it does on a user's machine."""
    global _python, _bytecode
    _python = str(path)
    _bytecode = bytecode


def python() -> str:
    """The interpreter servers under test are started with."""
    return _python


def hello_command() -> tuple[str, ...]:
    """The bare MCPServer hello-world over stdio."""
    return (_python, "-m", "bench.hello")


def server_command() -> tuple[str, ...]:
    """genispace-mcp (over stdio unless flags say otherwise)."""
    return (_python, "-m", "genispace_mcp.cli")


class ServerExited(RuntimeError):
    """The server process ended (or stopped answering) before it answered."""


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def rss_mib(pid: int) -> float:
    """Resident set size of a process in MiB, read from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def child_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment for a server process: ours, minus any GeniSpace settings, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GENISPACE_")}
    env["PYTHONUNBUFFERED"] = "1"
    if _bytecode:
        # Some machines set PYTHONDONTWRITEBYTECODE: then every start compiles every module
        # from source again, which no user's second start pays.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
    if extra:
        env.update(extra)
    return env


def initialize_message(request_id: int = 1) -> dict[str, Any]:
    """A handshake-era `initialize` request, as today's desktop clients send it."""
    return {
        "jsonrpc": "2.0",
        "id": request_id,
        "method": "initialize",
        "params": {
            "protocolVersion": HANDSHAKE_VERSION,
            "capabilities": {},
            "clientInfo": {"name": "genispace-bench", "version": "1"},
        },
    }


INITIALIZED = {"jsonrpc": "2.0", "method": "notifications/initialized"}


class StdioPeer:
    """A server subprocess spoken to in raw newline-delimited JSON-RPC over its pipes.

    Deliberately minimal (no SDK client, no validation), so the time it measures is the server's.
    """

    def __init__(
        self,
        command: Sequence[str],
        env: Mapping[str, str] | None = None,
        timeout: float = 60.0,
        *,
        record: bool = False,
    ) -> None:
        self.command = tuple(command)
        self.timeout = timeout
        # Every stdout line, when asked (tests check that stdout carries JSON-RPC and no secret).
        self.transcript: list[bytes] | None = [] if record else None
        # Lives as long as the peer; close() releases it.
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115
        self.started_at = time.perf_counter()
        self.process = subprocess.Popen(
            self.command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            env=dict(env) if env is not None else child_env(),
            cwd=REPO_ROOT,
        )
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        self._stdin = self.process.stdin
        self._stdout_fd = self.process.stdout.fileno()
        os.set_blocking(self._stdout_fd, False)
        self._selector = selectors.DefaultSelector()
        self._selector.register(self._stdout_fd, selectors.EVENT_READ)
        self._buffer = b""
        self._next_id = 100

    @property
    def pid(self) -> int:
        """The server's process id."""
        return self.process.pid

    def send(self, *messages: Mapping[str, Any]) -> None:
        """Write messages, one JSON line each, in a single write."""
        data = b"".join(json.dumps(m, separators=(",", ":")).encode() + b"\n" for m in messages)
        self._stdin.write(data)
        self._stdin.flush()

    def _read_line(self, deadline: float) -> bytes:
        while b"\n" not in self._buffer:
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                raise ServerExited(f"no answer within {self.timeout:.0f}s; stderr: {self.stderr()}")
            if not self._selector.select(remaining):
                continue
            chunk = os.read(self._stdout_fd, 1 << 16)
            if not chunk:
                raise ServerExited(f"server closed stdout; stderr: {self.stderr()}")
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        if self.transcript is not None:
            self.transcript.append(line)
        return line

    def receive(self, request_id: int | str) -> dict[str, Any]:
        """Read lines until the response to `request_id`; notifications on the way are skipped."""
        deadline = time.perf_counter() + self.timeout
        while True:
            line = self._read_line(deadline)
            if not line.strip():
                continue
            message = json.loads(line)
            if message.get("id") == request_id and ("result" in message or "error" in message):
                return message

    def request(self, method: str, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Send one request and wait for its response."""
        self._next_id += 1
        request_id = self._next_id
        self.send(
            {"jsonrpc": "2.0", "id": request_id, "method": method, "params": dict(params or {})}
        )
        return self.receive(request_id)

    def request_many(
        self, method: str, params_list: Sequence[Mapping[str, Any]]
    ) -> list[dict[str, Any]]:
        """Send several requests in one write (pipelined) and collect every answer, in order."""
        ids = []
        messages = []
        for params in params_list:
            self._next_id += 1
            ids.append(self._next_id)
            messages.append(
                {"jsonrpc": "2.0", "id": self._next_id, "method": method, "params": dict(params)}
            )
        self.send(*messages)
        answers: dict[int, dict[str, Any]] = {}
        deadline = time.perf_counter() + self.timeout
        while len(answers) < len(ids):
            line = self._read_line(deadline)
            if not line.strip():
                continue
            message = json.loads(line)
            if message.get("id") in ids and ("result" in message or "error" in message):
                answers[message["id"]] = message
        return [answers[i] for i in ids]

    def handshake(self) -> dict[str, Any]:
        """Initialize (handshake era) and acknowledge; returns the initialize result."""
        self.send(initialize_message(1), INITIALIZED)
        return self.receive(1)

    def call_tool(self, name: str, arguments: Mapping[str, Any]) -> dict[str, Any]:
        """`tools/call` one tool; returns the JSON-RPC response."""
        return self.request("tools/call", {"name": name, "arguments": dict(arguments)})

    def stderr(self) -> str:
        """What the server wrote to stderr so far (for diagnosing a failure)."""
        self._stderr.flush()
        self._stderr.seek(0)
        return self._stderr.read().decode(errors="replace")[-4000:]

    def close(self) -> None:
        """Close stdin (the stdio way to say goodbye), then make sure the process is gone."""
        with contextlib.suppress(OSError):
            self._stdin.close()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.transcript is not None:
            # The process has ended: whatever it still wrote belongs to the transcript too.
            with contextlib.suppress(OSError):
                while chunk := os.read(self._stdout_fd, 1 << 16):
                    self._buffer += chunk
            self.transcript += [line for line in self._buffer.split(b"\n") if line]
            self._buffer = b""
        self._selector.close()
        if self.process.stdout is not None:
            self.process.stdout.close()
        self._stderr.close()

    def __enter__(self) -> StdioPeer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@contextlib.contextmanager
def background(
    command: Sequence[str], env: Mapping[str, str] | None = None
) -> Iterator[subprocess.Popen[bytes]]:
    """Run a long-lived helper process (an HTTP server) for the duration of a block."""
    with tempfile.TemporaryFile() as stderr:
        process = subprocess.Popen(
            tuple(command),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            env=dict(env) if env is not None else child_env(),
            cwd=REPO_ROOT,
        )
        try:
            yield process
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def wait_for_port(port: int, process: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    """Block until something accepts connections on 127.0.0.1:port (or the process dies)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerExited(f"{process.args!r} exited with {process.returncode}")
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.settimeout(0.2)
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)  # polling a port: there is no event to wait on from outside the process
    raise ServerExited(f"nothing listening on port {port} after {timeout:.0f}s")
