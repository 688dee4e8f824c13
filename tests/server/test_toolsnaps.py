"""The committed snapshot of the whole tool surface: any change to it shows in review.

Regenerate after a deliberate change with `UPDATE_TOOLSNAPS=1 uv run pytest tests/server/test_toolsnaps.py`.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from genispace_mcp.server import tool_surface
from genispace_mcp.server.settings import Settings
from genispace_mcp.server.toolsets import ALL_TOOLS

SNAPS = Path(__file__).parent / "__toolsnaps__"
TOOLS = {tool["name"]: tool for tool in tool_surface(Settings(toolsets=("all",)))}


@pytest.mark.parametrize("name", ALL_TOOLS)
def test_tool_matches_its_snapshot(name: str) -> None:
    path = SNAPS / f"{name}.json"
    current = json.dumps(TOOLS[name], indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    if os.environ.get("UPDATE_TOOLSNAPS") == "1":
        path.write_text(current, encoding="utf-8")
    assert path.exists(), f"no snapshot for {name}: run with UPDATE_TOOLSNAPS=1"
    assert path.read_text(encoding="utf-8") == current, (
        f"{name} changed; if deliberate, regenerate with UPDATE_TOOLSNAPS=1 and review the diff"
    )


def test_no_stale_snapshots() -> None:
    assert sorted(path.stem for path in SNAPS.glob("*.json")) == sorted(ALL_TOOLS)
