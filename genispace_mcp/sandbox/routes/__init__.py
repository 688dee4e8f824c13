"""Every endpoint the sandbox serves, one module per noun (agents, tasks, datasets, api_keys, users)."""

from __future__ import annotations

from genispace_mcp.sandbox.routes import agents, api_keys, datasets, tasks, users
from genispace_mcp.sandbox.routes.registry import Endpoint, Routes

__all__ = ["Endpoint", "Routes", "endpoints"]


def endpoints() -> list[Endpoint]:
    """All endpoints, in documentation order."""
    return [
        *agents.routes.endpoints,
        *tasks.routes.endpoints,
        *datasets.routes.endpoints,
        *api_keys.routes.endpoints,
        *users.routes.endpoints,
    ]
