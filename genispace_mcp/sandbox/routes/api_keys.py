"""API keys: list, create (the secret shown once), get, update, revoke, usage statistics."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from genispace_mcp.sandbox.auth import (
    KEY_PREFIX_CHARS,
    PERMISSIONS,
    generate_secret,
    hash_secret,
    holds,
    normalize,
    require_all,
)
from genispace_mcp.sandbox.context import Context, caller, context
from genispace_mcp.sandbox.errors import invalid, not_found
from genispace_mcp.sandbox.ids import iso, new_id, parse_iso
from genispace_mcp.sandbox.params import MISSING, Fields, json_body, page_body, pagination
from genispace_mcp.sandbox.routes.registry import Routes

routes = Routes("api-keys")

TOP_ENDPOINTS = 10
USAGE_DAYS = 30


def _load(ctx: Context, key_id: str) -> dict[str, Any]:
    key = ctx.store.get_key(key_id)
    if key is None:
        raise not_found("api_key", key_id)
    return key


def _expiry(f: Fields) -> Any:
    value = f.text("expiresAt", nullable=True, max_len=64)
    if value is MISSING or value is None:
        return value
    try:
        return iso(parse_iso(value))
    except (ValueError, OverflowError, OSError):
        raise invalid(
            "expiresAt", "must be an ISO 8601 date-time, e.g. 2027-01-01T00:00:00Z"
        ) from None


def create_key(
    ctx: Context,
    name: str,
    permissions: list[str],
    *,
    application: str | None = None,
    expires_at: str | None = None,
    secret: str | None = None,
) -> tuple[dict[str, Any], str]:
    """Store a new key; its document and the plain secret (returned only here)."""
    secret = secret or generate_secret()
    now = iso(ctx.now())
    doc = {
        "id": new_id("key"),
        "name": name,
        "application": application,
        "permissions": permissions,
        "prefix": secret[:KEY_PREFIX_CHARS],
        "expiresAt": expires_at,
        "lastUsedAt": None,
        "isRevoked": False,
        "created_at": now,
        "updated_at": now,
    }
    ctx.store.insert_key(doc, hash_secret(secret))
    return doc, secret


@routes.add(
    "GET",
    "/api-keys",
    permission="read:api_keys",
    summary="List API keys (never their secrets)",
    returns="Page:ApiKey",
    query=("page", "limit"),
)
async def list_keys(request: Request) -> Response:
    ctx = context(request)
    page, limit = pagination(request)
    items, total = ctx.store.list_keys(page, limit)
    return JSONResponse(page_body(items, total, page, limit))


@routes.add(
    "POST",
    "/api-keys",
    permission="write:api_keys",
    summary="Create an API key (the secret is in this answer only)",
    status=201,
    returns="ApiKeyCreated",
    body="ApiKeyCreate",
)
async def create(request: Request) -> Response:
    ctx = context(request)
    me = caller(request)
    f = Fields(await json_body(request))
    name = f.text("name", required=True, max_len=200)
    raw = f.raw("permissions")
    if raw is None:
        # Default: the read permissions the creating key holds (least privilege).
        permissions = [
            p for p in PERMISSIONS if p.startswith("read:") and holds(me["permissions"], p)
        ]
    else:
        permissions = normalize(raw)
    require_all(me["permissions"], permissions)
    application = f.text("application", nullable=True, max_len=200)
    expires = _expiry(f)
    doc, secret = create_key(
        ctx,
        name,
        permissions,
        application=None if application is MISSING else application,
        expires_at=None if expires is MISSING else expires,
    )
    return JSONResponse({**doc, "key": secret}, status_code=201)


@routes.add(
    "GET", "/api-keys/{id}", permission="read:api_keys", summary="Get an API key", returns="ApiKey"
)
async def get_key(request: Request) -> Response:
    return JSONResponse(_load(context(request), request.path_params["id"]))


@routes.add(
    "PUT",
    "/api-keys/{id}",
    permission="write:api_keys",
    summary="Update an API key's name, permissions, application or expiry",
    returns="ApiKey",
    body="ApiKeyUpdate",
)
async def update_key(request: Request) -> Response:
    ctx = context(request)
    doc = _load(ctx, request.path_params["id"])
    f = Fields(await json_body(request))
    name = f.text("name", max_len=200)
    if name is not MISSING:
        if not name.strip():
            raise invalid("name", "required", "'name' must not be empty")
        doc["name"] = name
    if f.has("permissions"):
        permissions = normalize(f.raw("permissions"))
        require_all(caller(request)["permissions"], permissions)
        doc["permissions"] = permissions
    application = f.text("application", nullable=True, max_len=200)
    if application is not MISSING:
        doc["application"] = application
    expires = _expiry(f)
    if expires is not MISSING:
        doc["expiresAt"] = expires
    doc["updated_at"] = iso(ctx.now())
    doc.pop("lastUsedAt", None)  # kept in its own column
    ctx.store.update_key(doc)
    return JSONResponse(_load(ctx, doc["id"]))


@routes.add(
    "DELETE",
    "/api-keys/{id}",
    permission="write:api_keys",
    summary="Revoke an API key (refused from then on)",
    status=204,
)
async def delete_key(request: Request) -> Response:
    ctx = context(request)
    doc = _load(ctx, request.path_params["id"])
    doc.update(isRevoked=True, updated_at=iso(ctx.now()))
    doc.pop("lastUsedAt", None)
    if not ctx.store.revoke_key(doc["id"], doc):
        raise not_found("api_key", doc["id"])
    return Response(status_code=204)


@routes.add(
    "GET",
    "/api-keys/{id}/usage",
    permission="read:api_keys",
    summary="Usage statistics of an API key",
    returns="ApiKeyUsage",
)
async def usage(request: Request) -> Response:
    ctx = context(request)
    doc = _load(ctx, request.path_params["id"])
    now = ctx.now()
    today = datetime.fromtimestamp(now, tz=UTC).date()
    since = today - timedelta(days=USAGE_DAYS - 1)
    rows = ctx.store.usage_rows(doc["id"], since.isoformat())
    week_start = (today - timedelta(days=6)).isoformat()
    by_day: dict[str, list[int]] = {}
    endpoints: Counter[str] = Counter()
    for day_, endpoint, requests, errors in rows:
        totals = by_day.setdefault(day_, [0, 0])
        totals[0] += requests
        totals[1] += errors
        endpoints[endpoint] += requests
    window = ctx.limiter.hit(doc["id"], consume=False)
    today_s = today.isoformat()
    return JSONResponse(
        {
            "keyId": doc["id"],
            "requestsLastDay": by_day.get(today_s, [0, 0])[0],
            "requestsLastWeek": sum(v[0] for d, v in by_day.items() if d >= week_start),
            "requestsLastMonth": sum(v[0] for v in by_day.values()),
            "errorsLastDay": by_day.get(today_s, [0, 0])[1],
            "lastUsedAt": doc.get("lastUsedAt"),
            "lastUsedIp": ctx.store.key_last_ip(doc["id"]),
            "topEndpoints": [
                {"path": path, "count": count}
                for path, count in sorted(endpoints.items(), key=lambda e: (-e[1], e[0]))[
                    :TOP_ENDPOINTS
                ]
            ],
            "byDay": [
                {"date": d, "requests": v[0], "errors": v[1]} for d, v in sorted(by_day.items())
            ],
            "rateLimit": {
                "limit": window.limit,
                "remaining": window.remaining,
                "reset": window.reset,
            },
        }
    )
