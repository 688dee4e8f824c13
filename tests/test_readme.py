"""The README stays true: its tool table is the registry's, its embedding snippet runs."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from genispace_mcp.server import tool_table

README = Path(__file__).resolve().parents[1] / "README.md"


def _between(text: str, name: str) -> re.Match[str]:
    match = re.search(rf"(<!-- {name}:start -->\n)(.*?)(<!-- {name}:end -->)", text, re.S)
    assert match, f"README.md lost its {name} markers"
    return match


def test_the_tool_table_is_the_registrys() -> None:
    text = README.read_text()
    match = _between(text, "tools")
    if os.environ.get("GENISPACE_UPDATE_README") == "1":
        README.write_text(text[: match.start(2)] + tool_table() + text[match.end(2) :])
        return
    assert match.group(2) == tool_table(), (
        "README.md's tool table is stale: GENISPACE_UPDATE_README=1 uv run pytest tests/test_readme.py"
    )


def test_the_embedding_snippet_runs() -> None:
    snippet = _between(README.read_text(), "embed").group(2)
    code = snippet.removeprefix("```python\n").removesuffix("```\n")
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "['list_datasets', 'get_dataset', 'query_dataset']"
