"""The account behind the calling key: `GET /v1/users/me`."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from genispace_mcp.sandbox.context import caller, context
from genispace_mcp.sandbox.errors import ApiError
from genispace_mcp.sandbox.routes.registry import Routes

routes = Routes("users")


@routes.add(
    "GET", "/users/me", permission=None, summary="The owner of the calling API key", returns="User"
)
async def me(request: Request) -> Response:
    ctx = context(request)
    key = caller(request)
    user = ctx.store.get_user(ctx.store.get_meta("owner_id") or "")
    if user is None:  # only if the database was edited by hand
        raise ApiError(500, "The sandbox has no owner account")
    api_key = {k: key.get(k) for k in ("id", "name", "permissions", "expiresAt")}
    return JSONResponse({**user, "apiKey": api_key})
