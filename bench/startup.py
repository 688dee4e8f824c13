"""Start-up: process spawn to the first answered `tools/list` over stdio, and import times."""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Mapping, Sequence

from bench.harness import Bench
from bench.procs import (
    INITIALIZED,
    REPO_ROOT,
    StdioPeer,
    child_env,
    hello_command,
    initialize_message,
    python,
    server_command,
)
from bench.report import Figure
from bench.stats import paired_ratio, summarize

TARGET_RATIO = 1.2


def time_to_first_tools_list(command: Sequence[str], env: Mapping[str, str]) -> tuple[float, int]:
    """Seconds from spawn to the answer of the first `tools/list`, and how many tools it listed.

    The three opening messages are written at once, right after the spawn, as a client that
    launches a server does: the clock stops when the `tools/list` answer is read.
    """
    start = time.perf_counter()
    with StdioPeer(command, env=env) as peer:
        peer.send(
            initialize_message(1),
            INITIALIZED,
            {"jsonrpc": "2.0", "id": 2, "method": "tools/list", "params": {}},
        )
        answer = peer.receive(2)
        elapsed = time.perf_counter() - start
        if "error" in answer:
            raise RuntimeError(f"tools/list failed: {answer['error']}")
        return elapsed, len(answer["result"]["tools"])


def run(bench: Bench) -> list[Figure]:
    """Start-up of genispace-mcp (with --sandbox, and against a running sandbox) vs hello-world."""
    sandbox = bench.sandbox()
    variants: dict[str, tuple[Sequence[str], Mapping[str, str]]] = {
        "hello-world": (hello_command(), child_env()),
        "genispace-mcp --sandbox": ((*server_command(), "--sandbox"), child_env()),
        "genispace-mcp (running sandbox)": (server_command(), sandbox.server_env()),
    }
    times: dict[str, list[float]] = {name: [] for name in variants}
    rounds = bench.rounds(full=10, quick=4)
    names = list(variants)
    for command, env in variants.values():
        # Untimed first start: writes the bytecode cache of our own modules and warms the OS
        # file cache, so every timed start is a user's usual (not first-ever) start.
        time_to_first_tools_list(command, env)
    for index in range(rounds):
        # Rotate the order every round so no variant always runs on a cold or a warm cache.
        shift = index % len(names)
        for name in names[shift:] + names[:shift]:
            command, env = variants[name]
            elapsed, _ = time_to_first_tools_list(command, env)
            times[name].append(elapsed * 1000)
    hello = summarize(times["hello-world"], "ms")
    figures = [Figure("start-up", "hello-world (bare MCPServer), spawn to tools/list", hello)]
    for name in names[1:]:
        ratios = paired_ratio(times[name], times["hello-world"])
        figures.append(
            Figure(
                "start-up",
                f"{name}, spawn to tools/list",
                summarize(times[name], "ms"),
                baseline_name="hello-world",
                baseline=hello,
                ratio=ratios.median,
                target=f"<= {TARGET_RATIO}x",
                met=ratios.median <= TARGET_RATIO,
            )
        )
    figures += import_times(bench)
    return figures


_IMPORT_PROBE = (
    "import sys, time\n"
    "t = time.perf_counter()\n"
    "import {module}\n"
    "e = time.perf_counter() - t\n"
    "import json\n"
    "print(json.dumps({{'s': e, 'mcp_loaded': 'mcp' in sys.modules, 'modules': len(sys.modules)}}))\n"
)


def import_time(module: str) -> tuple[float, bool]:
    """Seconds to import `module` in a fresh interpreter, and whether it pulled in `mcp`."""
    out = subprocess.run(
        (python(), "-c", _IMPORT_PROBE.format(module=module)),
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO_ROOT,
        env=child_env(),
        timeout=120,
    )
    data = json.loads(out.stdout)
    return float(data["s"]), bool(data["mcp_loaded"])


def import_times(bench: Bench) -> list[Figure]:
    """Import time of genispace_mcp.client alone against the MCP SDK's and httpx's."""
    modules = ("genispace_mcp.client", "mcp", "httpx")
    times: dict[str, list[float]] = {m: [] for m in modules}
    pulls_mcp = False
    for module in modules:
        import_time(module)  # untimed: bytecode cache and file cache, as above
    for _ in range(bench.rounds(full=8, quick=3)):
        for module in modules:
            seconds, mcp_loaded = import_time(module)
            times[module].append(seconds * 1000)
            if module == "genispace_mcp.client":
                pulls_mcp = pulls_mcp or mcp_loaded
    mcp_summary = summarize(times["mcp"], "ms")
    client = summarize(times["genispace_mcp.client"], "ms")
    return [
        Figure("import", "import mcp (the SDK)", mcp_summary),
        Figure("import", "import httpx", summarize(times["httpx"], "ms")),
        Figure(
            "import",
            "import genispace_mcp.client",
            client,
            baseline_name="import mcp",
            baseline=mcp_summary,
            ratio=paired_ratio(times["genispace_mcp.client"], times["mcp"]).median,
            note="imports the MCP SDK too" if pulls_mcp else "does not import the MCP SDK",
        ),
    ]
