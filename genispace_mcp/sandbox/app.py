"""create_app: the Starlette application over an opened store (no configuration at import time)."""

from __future__ import annotations

import json
import logging
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route

from genispace_mcp.sandbox import auth, openapi
from genispace_mcp.sandbox.context import Context, caller
from genispace_mcp.sandbox.embed import Embedder, HashingEmbedder
from genispace_mcp.sandbox.errors import ApiError
from genispace_mcp.sandbox.faults import FaultInjector
from genispace_mcp.sandbox.gate import Gate
from genispace_mcp.sandbox.ratelimit import RateLimiter
from genispace_mcp.sandbox.routes import Endpoint, endpoints
from genispace_mcp.sandbox.runner import Runner
from genispace_mcp.sandbox.search import RecordIndex
from genispace_mcp.sandbox.settings import SandboxSettings
from genispace_mcp.sandbox.store import Store

logger = logging.getLogger("genispace_mcp.sandbox")


def build_context(
    store: Store, settings: SandboxSettings, embedder: Embedder | None = None
) -> Context:
    """The shared state of one sandbox (also what seed.py and tests use without HTTP)."""
    embedder = embedder or HashingEmbedder()
    index = RecordIndex(store, embedder)
    runner = Runner(settings, store, index, embedder)
    return Context(
        settings=settings,
        store=store,
        embedder=embedder,
        index=index,
        runner=runner,
        limiter=RateLimiter(settings.rate_limit, settings.rate_window, settings.clock),
        faults=FaultInjector(settings.faults)
        if settings.faults and settings.faults.rate > 0
        else None,
    )


def create_app(
    store: Store,
    settings: SandboxSettings | None = None,
    *,
    embedder: Embedder | None = None,
    ctx: Context | None = None,
) -> Starlette:
    """The sandbox ASGI app over `store`. The caller owns the store; call `close_app(app)` to
    stop the task runner (httpx.ASGITransport runs no lifespan, so this is explicit)."""
    settings = settings or SandboxSettings()
    ctx = ctx or build_context(store, settings, embedder)
    ctx.runner.recover()
    table = endpoints()
    routes: list[Route | Mount] = [
        Route("/healthz", _healthz, methods=["GET"]),
        Mount(
            "/v1",
            routes=[
                Route("/openapi.json", _openapi_route(table), methods=["GET"]),
                *_routes(table),
            ],
        ),
    ]
    app = Starlette(
        routes=routes,
        middleware=[Middleware(Gate, context=ctx)],
        exception_handlers={ApiError: _api_error, HTTPException: _http_error},
    )
    app.state.sandbox = ctx
    return app


def close_app(app: Starlette) -> None:
    """Stop the app's task runner (cancels unfinished runs). The store stays open."""
    ctx: Context = app.state.sandbox
    ctx.runner.close()
    ctx.index.close()


def _routes(table: list[Endpoint]) -> list[Route]:
    """One Starlette route per path, dispatching on the method, so a 405 lists every method."""
    by_path: dict[str, dict[str, Any]] = {}
    for endpoint in table:
        by_path.setdefault(endpoint.path, {})[endpoint.method] = _guarded(endpoint)
    routes = []
    for path, handlers in by_path.items():

        async def dispatch(request: Request, handlers: dict[str, Any] = handlers) -> Response:
            method = "GET" if request.method == "HEAD" else request.method
            response: Response = await handlers[method](request)
            return response

        routes.append(Route(path, dispatch, methods=list(handlers)))
    return routes


def _guarded(endpoint: Endpoint) -> Any:
    name = f"{endpoint.method} /v1{endpoint.path}"

    async def handle(request: Request) -> Response:
        request.scope["genispace.sandbox.endpoint"] = name
        if endpoint.permission is not None:
            auth.require(caller(request)["permissions"], endpoint.permission)
        return await endpoint.handler(request)

    handle.__name__ = endpoint.handler.__name__
    return handle


def _openapi_route(table: list[Endpoint]) -> Any:
    # Built and encoded once: the document only changes with the code.
    body = json.dumps(openapi.build(table), ensure_ascii=False, separators=(",", ":")).encode()

    async def serve(request: Request) -> Response:
        return Response(body, media_type="application/json")

    return serve


async def _healthz(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return exc.response()


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    headers = dict(exc.headers or {})
    if exc.status_code == 404:
        error = ApiError(
            404, f"No route for {request.method} {request.url.path}", {"path": request.url.path}
        )
    elif exc.status_code == 405:
        allowed = headers.get("Allow", "")
        error = ApiError(
            405,
            f"{request.method} is not allowed on {request.url.path}; allowed: {allowed}",
            {"allowed": [m.strip() for m in allowed.split(",") if m.strip()]},
            headers=headers,
        )
    else:
        error = ApiError(
            exc.status_code, exc.detail if isinstance(exc.detail, str) else None, headers=headers
        )
    return error.response()
