"""The bench harness itself: statistics by table, and the raw stdio peer against hello-world."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.procs import StdioPeer, child_env, hello_command, rss_mib
from bench.report import Figure, Report, figures_from_json, render_markdown, render_text, table
from bench.startup import time_to_first_tools_list
from bench.stats import paired_ratio, percentile, single, summarize


@pytest.mark.parametrize(
    ("values", "q", "expected"),
    [
        ([5.0], 50, 5.0),
        ([1.0, 2.0, 3.0, 4.0], 50, 2.5),
        ([1.0, 2.0, 3.0, 4.0], 0, 1.0),
        ([1.0, 2.0, 3.0, 4.0], 100, 4.0),
        ([4.0, 1.0, 3.0, 2.0], 25, 1.75),
        (list(map(float, range(101))), 95, 95.0),
        (list(map(float, range(101))), 99, 99.0),
    ],
)
def test_percentile(values: list[float], q: float, expected: float) -> None:
    assert percentile(values, q) == pytest.approx(expected)


def test_percentile_refuses_nonsense() -> None:
    with pytest.raises(ValueError, match="empty"):
        percentile([], 50)
    with pytest.raises(ValueError, match=r"0\.\.100"):
        percentile([1.0], 101)


def test_summary_spread_and_paired_ratio() -> None:
    summary = summarize([float(v) for v in range(1, 101)], "ms")
    assert summary.median == pytest.approx(50.5)
    assert summary.iqr == pytest.approx(49.5)
    assert (summary.minimum, summary.maximum, summary.n) == (1.0, 100.0, 100)
    ratios = paired_ratio([2.0, 4.0, 9.0], [1.0, 2.0, 3.0])
    assert ratios.median == pytest.approx(2.0)
    with pytest.raises(ValueError, match="same length"):
        paired_ratio([1.0], [1.0, 2.0])


def test_table_renders_targets() -> None:
    figures = [
        Figure("s", "a", summarize([1.0, 2.0, 3.0], "ms")),
        Figure("s", "b", single(3.0, "ms"), "a", summarize([1.0], "ms"), 3.0, "<= 1.2x", False),
    ]
    rows = table(figures)
    assert rows[2][7] == "NO"
    assert rows[2][5] == "3.00x"
    assert "| s | b |" in render_markdown(rows)
    assert render_text(rows).splitlines()[1].startswith("---")


def test_hello_world_answers_tools_list_over_raw_stdio() -> None:
    seconds, count = time_to_first_tools_list(hello_command(), child_env())
    assert count == 1
    assert 0 < seconds < 60
    with StdioPeer(hello_command(), env=child_env()) as peer:
        assert peer.handshake()["result"]["serverInfo"]["name"] == "hello-world"
        answers = peer.request_many(
            "tools/call", [{"name": "hello", "arguments": {"name": str(i)}} for i in range(5)]
        )
        texts = [a["result"]["content"][0]["text"] for a in answers]
        assert texts == [f"Hello, {i}!" for i in range(5)]
        assert rss_mib(peer.pid) > 10
    assert peer.process.returncode is not None


def test_results_file_round_trips(tmp_path: Path) -> None:
    report = Report(quick=True)
    report.figures.append(
        Figure("s", "b", summarize([1.0, 2.0], "ms"), "a", single(1.0, "ms"), 1.5, "t", True, "n")
    )
    path = report.write(tmp_path)
    assert (tmp_path / "latest-quick.json").read_text() == path.read_text()
    assert figures_from_json(path) == report.figures
