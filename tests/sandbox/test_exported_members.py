"""The sandbox's public surface, and that it stands alone (nothing from the client or server)."""

from __future__ import annotations

import ast
from pathlib import Path

import genispace_mcp.sandbox as sandbox

PACKAGE = Path(sandbox.__file__).parent


def test_public_surface() -> None:
    assert sandbox.__all__ == [
        "Embedder",
        "FaultConfig",
        "HashingEmbedder",
        "SandboxServer",
        "SandboxSettings",
        "Store",
        "close_app",
        "create_app",
    ]
    for name in sandbox.__all__:
        assert getattr(sandbox, name).__doc__


def test_imports_nothing_of_the_client_or_the_server() -> None:
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        assert ast.get_docstring(tree), f"{path.name} needs a module docstring"
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            for name in names:
                assert not name.startswith(("genispace_mcp.client", "genispace_mcp.server")), (
                    path,
                    name,
                )
