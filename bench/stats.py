"""Timing statistics: percentiles, a summary with spread, and ratios against a baseline."""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any


def percentile(values: Iterable[float], q: float) -> float:
    """The q-th percentile (0..100) with linear interpolation between closest ranks."""
    ordered = sorted(values)
    if not ordered:
        raise ValueError("percentile of an empty sample")
    if not 0 <= q <= 100:
        raise ValueError(f"percentile must be within 0..100, got {q}")
    position = (len(ordered) - 1) * q / 100
    low = math.floor(position)
    high = math.ceil(position)
    if low == high:
        return ordered[low]
    weight = position - low
    return ordered[low] * (1 - weight) + ordered[high] * weight


@dataclass(frozen=True, slots=True)
class Summary:
    """A sample reduced to its median and spread; `unit` says what the numbers measure."""

    unit: str
    n: int
    median: float
    p5: float
    p25: float
    p75: float
    p95: float
    p99: float
    minimum: float
    maximum: float

    @property
    def iqr(self) -> float:
        """Interquartile range: the spread of the middle half of the sample."""
        return self.p75 - self.p25

    def to_dict(self) -> dict[str, Any]:
        """The summary as plain JSON-ready numbers."""
        return {
            "unit": self.unit,
            "n": self.n,
            "median": self.median,
            "p5": self.p5,
            "p25": self.p25,
            "p75": self.p75,
            "p95": self.p95,
            "p99": self.p99,
            "min": self.minimum,
            "max": self.maximum,
            "iqr": self.iqr,
        }


def summarize(values: Iterable[float], unit: str) -> Summary:
    """Summarise a non-empty sample: median, quartiles, p5/p95/p99, extremes."""
    sample = sorted(values)
    if not sample:
        raise ValueError("cannot summarise an empty sample")
    return Summary(
        unit=unit,
        n=len(sample),
        median=percentile(sample, 50),
        p5=percentile(sample, 5),
        p25=percentile(sample, 25),
        p75=percentile(sample, 75),
        p95=percentile(sample, 95),
        p99=percentile(sample, 99),
        minimum=sample[0],
        maximum=sample[-1],
    )


def ratio(value: Summary, baseline: Summary) -> float:
    """Median over baseline median (1.0 means equal; above 1 means bigger than the baseline)."""
    if baseline.median == 0:
        return math.inf
    return value.median / baseline.median


def paired_ratio(values: list[float], baselines: list[float]) -> Summary:
    """Ratios of runs measured side by side (run i against baseline run i), summarised.

    Pairing cancels the drift of a noisy machine: each ratio compares two runs taken moments apart.
    """
    if len(values) != len(baselines) or not values:
        raise ValueError("paired_ratio needs two non-empty samples of the same length")
    return summarize((v / b for v, b in zip(values, baselines, strict=True) if b > 0), "x")


@contextmanager
def stopwatch() -> Iterator[list[float]]:
    """Time a block: the yielded list receives the elapsed seconds when the block ends."""
    box: list[float] = []
    start = time.perf_counter()
    try:
        yield box
    finally:
        box.append(time.perf_counter() - start)


def single(value: float, unit: str) -> Summary:
    """A derived figure (a difference of medians, a count) as a one-value summary."""
    return summarize([value], unit)
