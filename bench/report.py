"""Figures, the printed table and the JSON results file."""

from __future__ import annotations

import json
import os
import platform
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from bench.stats import Summary

RESULTS_DIR = Path(__file__).resolve().parent / "results"


@dataclass
class Figure:
    """One measured figure, with its baseline (measured in the same run) and target, if any."""

    section: str
    name: str
    value: Summary
    baseline_name: str | None = None
    baseline: Summary | None = None
    # Median of the paired per-round ratios when the runs were paired, else median over median.
    ratio: float | None = None
    target: str | None = None
    met: bool | None = None
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "section": self.section,
            "name": self.name,
            "value": self.value.to_dict(),
            "baseline_name": self.baseline_name,
            "baseline": self.baseline.to_dict() if self.baseline else None,
            "ratio": self.ratio,
            "target": self.target,
            "met": self.met,
            "note": self.note,
        }


@dataclass
class Report:
    """Everything one bench run produced."""

    quick: bool
    started_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))
    machine: dict[str, Any] = field(default_factory=lambda: machine_info())
    figures: list[Figure] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    durations: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "started_at": self.started_at,
            "quick": self.quick,
            "machine": self.machine,
            "durations_s": self.durations,
            "figures": [f.to_dict() for f in self.figures],
            "problems": self.problems,
        }

    def write(self, directory: Path = RESULTS_DIR) -> Path:
        """Write the JSON results; returns the path (also copied to latest[-quick].json)."""
        directory.mkdir(parents=True, exist_ok=True)
        stamp = self.started_at.replace(":", "").replace("+0000", "Z").replace("+00:00", "Z")
        kind = "quick" if self.quick else "full"
        text = json.dumps(self.to_dict(), indent=2) + "\n"
        path = directory / f"{kind}-{stamp}.json"
        path.write_text(text)
        (directory / f"latest-{kind}.json").write_text(text)
        return path


def _package_version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def machine_info() -> dict[str, Any]:
    """The machine the figures were taken on: CPUs, memory, load, Python and key packages."""
    memory_mib = None
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        for line in meminfo.read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_mib = int(line.split()[1]) // 1024
    return {
        "nproc": os.cpu_count(),
        "memory_mib": memory_mib,
        "loadavg_at_start": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
        "python": sys.version.split()[0],
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "mcp": _package_version("mcp"),
        "httpx": _package_version("httpx"),
        "genispace-mcp": _package_version("genispace-mcp"),
    }


def _fmt(value: float, unit: str) -> str:
    if unit in ("ms", "s", "x"):
        return f"{value:.3g}" if abs(value) < 10 else f"{value:,.1f}"
    if unit in ("MiB",):
        return f"{value:.1f}"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"


def _cell(summary: Summary) -> str:
    if summary.n == 1:
        return f"{_fmt(summary.median, summary.unit)} {summary.unit}"
    return (
        f"{_fmt(summary.median, summary.unit)} {summary.unit} "
        f"[{_fmt(summary.p25, summary.unit)}-{_fmt(summary.p75, summary.unit)}]"
    )


def table(figures: list[Figure]) -> list[list[str]]:
    """Rows of the results table (header first)."""
    rows = [
        ["section", "figure", "median [IQR]", "p95", "baseline", "ratio", "target", "met", "note"]
    ]
    for f in figures:
        rows.append(
            [
                f.section,
                f.name,
                _cell(f.value),
                _fmt(f.value.p95, f.value.unit) if f.value.n > 1 else "",
                f"{f.baseline_name}: {_cell(f.baseline)}" if f.baseline and f.baseline_name else "",
                f"{f.ratio:.2f}x" if f.ratio is not None else "",
                f.target or "",
                {True: "yes", False: "NO", None: ""}[f.met],
                f.note,
            ]
        )
    return rows


def render_text(rows: list[list[str]]) -> str:
    """A fixed-width text table."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for index, row in enumerate(rows):
        lines.append("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
        if index == 0:
            lines.append("  ".join("-" * width for width in widths))
    return "\n".join(line.rstrip() for line in lines)


def figures_from_json(path: Path) -> list[Figure]:
    """Read back the figures of a results file (to render it again, e.g. as Markdown)."""
    data = json.loads(path.read_text())

    def summary(d: dict[str, Any] | None) -> Summary | None:
        if d is None:
            return None
        return Summary(
            unit=d["unit"],
            n=d["n"],
            median=d["median"],
            p5=d["p5"],
            p25=d["p25"],
            p75=d["p75"],
            p95=d["p95"],
            p99=d["p99"],
            minimum=d["min"],
            maximum=d["max"],
        )

    figures = []
    for f in data["figures"]:
        value = summary(f["value"])
        assert value is not None
        figures.append(
            Figure(
                section=f["section"],
                name=f["name"],
                value=value,
                baseline_name=f["baseline_name"],
                baseline=summary(f["baseline"]),
                ratio=f["ratio"],
                target=f["target"],
                met=f["met"],
                note=f["note"],
            )
        )
    return figures


def render_markdown(rows: list[list[str]]) -> str:
    """The same table as Markdown (for BENCHMARKS.md)."""
    out = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * len(rows[0])]
    out += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows[1:]]
    return "\n".join(out)
