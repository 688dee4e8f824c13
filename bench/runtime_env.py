"""A runtime-only virtualenv (no dev tools) for the server processes the benchmarks start.

Users run `uvx genispace-mcp`, whose environment holds the runtime dependencies only. The dev
environment also holds `rich` (pulled in by schemathesis), and both `httpx` (its CLI module) and
`MCPServer` (its logging set-up) import `rich` when it is present, which makes start-up and memory
look worse than what a user gets. So the servers are measured in an environment built from the
lock file without the dev group (cached per lock file; built by uv in a few seconds).
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import tempfile
from pathlib import Path

from bench.procs import REPO_ROOT


def runtime_python() -> Path:
    """The interpreter of the runtime-only environment, built on first use for this uv.lock."""
    lock = (REPO_ROOT / "uv.lock").read_bytes() + (REPO_ROOT / "pyproject.toml").read_bytes()
    digest = hashlib.sha256(lock + b"compile-bytecode").hexdigest()[:12]
    root = Path(tempfile.gettempdir()) / f"genispace-bench-runtime-{digest}"
    python = root / "venv" / "bin" / "python"
    if (root / "ready").exists() and python.exists():
        return python
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    requirements = root / "requirements.txt"
    uv = shutil.which("uv") or "uv"
    steps = (
        [
            uv,
            "export",
            "--frozen",
            "--no-dev",
            "--no-hashes",
            "--no-emit-project",
            "-q",
            "-o",
            str(requirements),
        ],
        [uv, "venv", "-q", "--python", str(_base_python()), str(root / "venv")],
        # Bytecode compiled at install, as `uv tool install --compile-bytecode` does; otherwise
        # the first start after install compiles every module (later starts reuse the cache).
        [
            uv,
            "pip",
            "install",
            "-q",
            "--compile-bytecode",
            "--python",
            str(python),
            "-r",
            str(requirements),
        ],
    )
    for step in steps:
        subprocess.run(step, check=True, cwd=REPO_ROOT, capture_output=True, timeout=600)
    (root / "ready").write_text("ok\n")
    return python


def _base_python() -> Path:
    """The interpreter the project venv was made from (same version, same build)."""
    import sys

    return Path(sys.base_prefix) / "bin" / f"python{sys.version_info[0]}.{sys.version_info[1]}"
