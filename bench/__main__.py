"""`uv run python -m bench [--quick] [--only SECTION ...]`: run the benchmarks, print, write JSON."""

from __future__ import annotations

import argparse
import importlib
import os
import subprocess
import sys
import time
import traceback
from collections.abc import Sequence
from pathlib import Path

from bench.harness import Bench
from bench.procs import use_python
from bench.report import Report, figures_from_json, render_markdown, render_text, table
from bench.runtime_env import runtime_python

# Section -> module with a `run(bench) -> list[Figure]`, in the order they run.
SECTIONS = {
    "startup": "bench.startup",
    "overhead": "bench.overhead",
    "context": "bench.context_cost",
    "memory": "bench.memory",
    "throughput": "bench.throughput",
    "datasets": "bench.datasets",
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the chosen sections; exit 1 if any section failed to run."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (about 2 minutes)")
    parser.add_argument(
        "--only", nargs="+", choices=list(SECTIONS), metavar="SECTION", help=", ".join(SECTIONS)
    )
    parser.add_argument(
        "--markdown",
        type=Path,
        metavar="RESULTS.json",
        help="print the table of a saved results file as Markdown, and run nothing",
    )
    parser.add_argument(
        "--dev-env",
        action="store_true",
        help="start the servers in this (dev) environment, not a runtime-only one",
    )
    args = parser.parse_args(argv)
    if args.markdown:
        print(render_markdown(table(figures_from_json(args.markdown))))  # stdout-ok
        return 0
    report = Report(quick=args.quick)
    bench = Bench(quick=args.quick)
    report.machine["server_environment"] = "dev"
    if not args.dev_env:
        try:
            use_python(runtime_python())
            report.machine["server_environment"] = "runtime-only (uv.lock without the dev group)"
        except (OSError, subprocess.SubprocessError) as exc:
            report.problems.append(f"runtime-only environment unavailable, used the dev one: {exc}")
    try:
        for section in args.only or list(SECTIONS):
            print(f"bench: {section} ...", file=sys.stderr, flush=True)
            start = time.perf_counter()
            try:
                module = importlib.import_module(SECTIONS[section])
                report.figures += module.run(bench)
            except Exception as exc:
                report.problems.append(f"{section}: {type(exc).__name__}: {exc}")
                traceback.print_exc(file=sys.stderr)
            report.durations[section] = round(time.perf_counter() - start, 1)
            print(
                f"bench: {section} done in {report.durations[section]:.0f}s",
                file=sys.stderr,
                flush=True,
            )
    finally:
        bench.close()
    report.machine["loadavg_at_end"] = list(os.getloadavg())
    path = report.write()
    print(render_text(table(report.figures)))  # stdout-ok: the bench's own output
    for problem in report.problems:
        print(f"PROBLEM {problem}")  # stdout-ok
    print(f"\nresults: {path}")  # stdout-ok
    return 1 if report.problems else 0


if __name__ == "__main__":
    sys.exit(main())
