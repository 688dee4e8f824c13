"""The sandbox's shared state, built once by create_app and reached by handlers from the request."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from starlette.requests import Request

from genispace_mcp.sandbox.embed import Embedder
from genispace_mcp.sandbox.errors import ApiError
from genispace_mcp.sandbox.faults import FaultInjector
from genispace_mcp.sandbox.ratelimit import RateLimiter
from genispace_mcp.sandbox.settings import SandboxSettings
from genispace_mcp.sandbox.store import Store

if TYPE_CHECKING:
    from genispace_mcp.sandbox.runner import Runner
    from genispace_mcp.sandbox.search import RecordIndex


@dataclass
class Context:
    """Everything a handler needs: settings, the store, the embedder, search, the runner."""

    settings: SandboxSettings
    store: Store
    embedder: Embedder
    index: RecordIndex
    runner: Runner
    limiter: RateLimiter
    faults: FaultInjector | None

    def now(self) -> float:
        """The current time by the configured clock."""
        return self.settings.clock()


def context(request: Request) -> Context:
    """The Context of the app serving `request`."""
    ctx: Context = request.app.state.sandbox
    return ctx


def caller(request: Request) -> dict[str, Any]:
    """The API key document of the request (the gate has authenticated it)."""
    key = request.scope.get("genispace.sandbox.key")
    if not isinstance(key, dict):  # only reachable if a route is mounted outside the gate
        raise ApiError(401)
    return key
