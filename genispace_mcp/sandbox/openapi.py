"""The OpenAPI 3.1 document of everything the sandbox serves, built from the route table."""

from __future__ import annotations

import re

from genispace_mcp import __version__
from genispace_mcp.sandbox.routes.registry import Endpoint
from genispace_mcp.sandbox.schemas import (
    ERROR_TEXT,
    HEADERS,
    INT,
    QUERY,
    RESPONSE_HEADERS,
    SCHEMAS,
    STR,
    Schema,
    arr,
    obj,
    ref,
)

_PATH_PARAM = re.compile(r"\{(\w+)\}")


def _error(status: int) -> Schema:
    headers = dict(RESPONSE_HEADERS)
    if status == 429:
        headers["Retry-After"] = {"schema": INT, "required": True}
    return {
        "description": ERROR_TEXT[status],
        "headers": headers,
        "content": {"application/json": {"schema": ref("Error")}},
    }


def _success(endpoint: Endpoint) -> Schema:
    response: Schema = {"description": endpoint.summary, "headers": dict(RESPONSE_HEADERS)}
    if endpoint.returns is None:
        return response
    if endpoint.returns == "stream":
        response["content"] = {
            "application/x-ndjson": {"schema": STR},
            "text/csv": {"schema": STR},
        }
        return response
    if endpoint.returns.startswith("Page:"):
        schema = obj({"data": arr(ref(endpoint.returns[5:])), "pagination": ref("Pagination")})
    else:
        schema = ref(endpoint.returns)
    response["content"] = {"application/json": {"schema": schema}}
    return response


def _operation(endpoint: Endpoint) -> Schema:
    params: list[Schema] = [
        {"name": name, "in": "path", "required": True, "schema": STR}
        for name in _PATH_PARAM.findall(endpoint.path)
    ]
    params += [QUERY[name] for name in endpoint.query]
    params += [HEADERS[name] for name in endpoint.headers]
    description = endpoint.description or endpoint.summary
    if endpoint.permission:
        description += f"\n\nRequires the `{endpoint.permission}` permission."
    operation: Schema = {
        "operationId": _operation_id(endpoint),
        "summary": endpoint.summary,
        "description": description,
        "tags": [endpoint.tag],
        "security": [{"bearerAuth": []}],
        "parameters": params,
        "responses": {str(endpoint.status): _success(endpoint)},
    }
    if endpoint.permission:
        operation["x-permission"] = endpoint.permission
    if endpoint.deprecated:
        operation["deprecated"] = True
    if endpoint.body:
        if endpoint.body == "ImportBody":
            content = {
                "application/json": {"schema": ref("ImportBody")},
                "application/x-ndjson": {"schema": STR},
                "text/csv": {"schema": STR},
            }
        else:
            content = {"application/json": {"schema": ref(endpoint.body)}}
        operation["requestBody"] = {"required": endpoint.body_required, "content": content}
    statuses = {400, 401, 404, 413, 429, 500, 503, *endpoint.errors}
    if endpoint.permission:
        statuses.add(403)
    for status in sorted(statuses):
        operation["responses"][str(status)] = _error(status)
    return operation


def _operation_id(endpoint: Endpoint) -> str:
    words = re.findall(r"[a-z]+", endpoint.path.replace("api-keys", "apikeys"))
    return endpoint.method.lower() + "".join(w.capitalize() for w in words if w not in ("id",))


def build(endpoints: list[Endpoint]) -> Schema:
    """The whole document: every endpoint under `/v1`, plus `/v1/openapi.json` and `/healthz`."""
    paths: dict[str, Schema] = {}
    for endpoint in endpoints:
        paths.setdefault("/v1" + endpoint.path, {})[endpoint.method.lower()] = _operation(endpoint)
    open_headers = {"X-Request-Id": RESPONSE_HEADERS["X-Request-Id"]}
    paths["/v1/openapi.json"] = {
        "get": {
            "operationId": "getOpenapi",
            "summary": "This document",
            "tags": ["meta"],
            "security": [],
            "responses": {
                "200": {
                    "description": "The OpenAPI document",
                    "headers": open_headers,
                    "content": {"application/json": {"schema": {"type": "object"}}},
                }
            },
        }
    }
    paths["/healthz"] = {
        "get": {
            "operationId": "getHealthz",
            "summary": "Liveness check",
            "tags": ["meta"],
            "security": [],
            "responses": {
                "200": {
                    "description": "The sandbox is up",
                    "headers": open_headers,
                    "content": {"application/json": {"schema": ref("Health")}},
                }
            },
        }
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "GeniSpace sandbox API",
            "version": __version__,
            "description": "A local, GeniSpace-compatible API (agents, tasks, datasets, API keys) "
            "served by `genispace-mcp sandbox`. Errors are always "
            '`{"error": {"code", "message", "details"}}`.',
        },
        "servers": [{"url": "/"}],
        "security": [{"bearerAuth": []}],
        "tags": [{"name": t} for t in ("agents", "tasks", "datasets", "api-keys", "users", "meta")],
        "paths": paths,
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "An API key, sk-...",
                }
            },
        },
    }
