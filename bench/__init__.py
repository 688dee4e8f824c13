"""Benchmarks for genispace-mcp: run them all with `uv run python -m bench` (see BENCHMARKS.md)."""
