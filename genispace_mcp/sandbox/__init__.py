"""The GeniSpace sandbox: a local, GeniSpace-compatible API server (Starlette on SQLite).

It stands in for the live platform, so it is written from docs/wire-contract.md and imports
nothing from `genispace_mcp.client` or `genispace_mcp.server`.
"""

from genispace_mcp.sandbox.app import close_app, create_app
from genispace_mcp.sandbox.embed import Embedder, HashingEmbedder
from genispace_mcp.sandbox.faults import FaultConfig
from genispace_mcp.sandbox.server import SandboxServer
from genispace_mcp.sandbox.settings import SandboxSettings
from genispace_mcp.sandbox.store import Store

__all__ = [
    "Embedder",
    "FaultConfig",
    "HashingEmbedder",
    "SandboxServer",
    "SandboxSettings",
    "Store",
    "close_app",
    "create_app",
]
