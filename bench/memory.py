"""Memory: resident size of the stdio server idle, and after thousands of tool calls."""

from __future__ import annotations

from bench.harness import Bench
from bench.procs import StdioPeer, child_env, hello_command, rss_mib, server_command
from bench.report import Figure
from bench.stats import single, summarize

TARGET_IDLE_DELTA_MIB = 20.0
# Growth under this between the first thousand calls and the last is what we call noise: the
# allocator's arenas and the interpreter's caches move by a few MiB on their own.
NOISE_MIB = 5.0
WINDOW = 20  # requests in flight at once over the pipe, so 10,000 calls take seconds, not minutes


def idle_rss(command: tuple[str, ...], env: dict[str, str]) -> float:
    """RSS (MiB) of a freshly started server after the handshake and one tools/list."""
    with StdioPeer(command, env=env) as peer:
        peer.handshake()
        peer.request("tools/list")
        return rss_mib(peer.pid)


def run(bench: Bench) -> list[Figure]:
    """Idle RSS against hello-world, and RSS growth over N get_agent calls."""
    sandbox = bench.sandbox()
    env = sandbox.server_env()
    hello: list[float] = []
    ours: list[float] = []
    for _ in range(bench.rounds(full=5, quick=2)):
        hello.append(idle_rss(hello_command(), child_env()))
        ours.append(idle_rss(server_command(), env))
    hello_s = summarize(hello, "MiB")
    ours_s = summarize(ours, "MiB")
    delta = ours_s.median - hello_s.median
    figures = [
        Figure("memory", "hello-world idle RSS", hello_s),
        Figure(
            "memory",
            "genispace-mcp idle RSS",
            ours_s,
            baseline_name="hello-world",
            baseline=hello_s,
            ratio=ours_s.median / hello_s.median,
        ),
        Figure(
            "memory",
            "genispace-mcp idle RSS above hello-world",
            single(delta, "MiB"),
            target=f"<= {TARGET_IDLE_DELTA_MIB:g} MiB",
            met=delta <= TARGET_IDLE_DELTA_MIB,
        ),
    ]
    calls = bench.rounds(full=10_000, quick=2_000)
    agent_id = bench.demo["agent_id"]
    for label, command, run_env, tool, arguments in (
        ("hello-world", hello_command(), child_env(), "hello", {"name": "bench"}),
        ("genispace-mcp", server_command(), env, "get_agent", {"agent_id": agent_id}),
    ):
        with StdioPeer(command, env=run_env) as peer:
            peer.handshake()
            samples: list[tuple[int, float]] = []
            params = {"name": tool, "arguments": arguments}
            done = 0
            while done < calls:
                answers = peer.request_many("tools/call", [params] * WINDOW)
                for answer in answers:
                    if "error" in answer or answer["result"].get("isError"):
                        raise RuntimeError(f"{tool} failed during the memory run: {answer}")
                done += WINDOW
                if done % (calls // 10) == 0:
                    samples.append((done, rss_mib(peer.pid)))
        warm = next(rss for n, rss in samples if n >= calls // 10)
        end = samples[-1][1]
        growth = end - warm
        figures.append(
            Figure(
                "memory",
                f"{label} RSS after {calls:,} calls",
                single(end, "MiB"),
                note=f"RSS every {calls // 10:,} calls: "
                + ", ".join(f"{r:.1f}" for _, r in samples),
            )
        )
        figures.append(
            Figure(
                "memory",
                f"{label} RSS growth, call {calls // 10:,} to {calls:,}",
                single(growth, "MiB"),
                target=f"< {NOISE_MIB:g} MiB (noise)",
                met=growth < NOISE_MIB,
            )
        )
    return figures
