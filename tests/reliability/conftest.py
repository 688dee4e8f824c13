"""Shared setup for the reliability tests: the repository root on sys.path for `bench` helpers."""

from __future__ import annotations

import sys
from pathlib import Path

# The bench package (process and load helpers the tests reuse) lives at the repository root,
# which pytest does not put on sys.path by itself.
_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)
