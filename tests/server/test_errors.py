"""Errors: each client error becomes text saying what went wrong and what to do."""

from __future__ import annotations

import pytest

from genispace_mcp.client import (
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    ConflictError,
    GeniSpaceError,
    InsufficientTokensError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
)
from genispace_mcp.server.errors import explain
from genispace_mcp.server.settings import Settings

SETTINGS = Settings(base_url="http://127.0.0.1:9/v1", max_retries=2)


def status(cls: type, code: int, **details: object) -> GeniSpaceError:
    return cls("failed", status_code=code, code="x", details=details or None, request_id="req_1")


@pytest.mark.parametrize(
    ("exc", "tool", "arguments", "wanted"),
    [
        (ConfigurationError("no API key"), "list_agents", {}, ["GENISPACE_API_KEY"]),
        (status(AuthenticationError, 401), "list_agents", {}, ["401", "GENISPACE_API_KEY"]),
        (
            status(PermissionDeniedError, 403, required="write:agents"),
            "create_agent",
            {},
            ["write:agents", "whoami"],
        ),
        (status(PermissionDeniedError, 403), "query_dataset", {}, ["read:datasets"]),
        (status(PermissionDeniedError, 403), "delete_task", {}, ["write:tasks"]),
        (
            status(NotFoundError, 404, resource="agent", id="agt_9"),
            "get_agent",
            {"agent_id": "agt_9"},
            ["'agt_9'", "list_agents"],
        ),
        (
            status(NotFoundError, 404),
            "get_task_run",
            {"run_id": "run_9"},
            ["'run_9'", "list_task_runs"],
        ),
        (
            status(NotFoundError, 404),
            "list_task_runs",
            {"task_id": "tsk_9"},
            ["'tsk_9'", "list_tasks"],
        ),
        (
            RateLimitError("slow", retry_after=42, status_code=429),
            "list_agents",
            {},
            ["429", "42 s"],
        ),
        (RateLimitError("slow", status_code=429), "list_agents", {}, ["429", "minute"]),
        (status(InternalServerError, 503), "list_agents", {}, ["503", "up to 2 retries"]),
        (status(InternalServerError, 500), "list_agents", {}, ["500", "request id"]),
        (APIConnectionError("refused"), "list_agents", {}, ["127.0.0.1:9", "up to 2 retries"]),
        (APITimeoutError("slow"), "list_agents", {}, ["up to 2 retries"]),
        (
            status(BadRequestError, 400, field="name", reason="required"),
            "create_agent",
            {},
            ["field name", "required"],
        ),
        (status(ConflictError, 409), "cancel_task_run", {}, ["409"]),
        (status(InsufficientTokensError, 402), "chat_with_agent", {}, ["402", "Top up"]),
    ],
)
def test_explain(exc: GeniSpaceError, tool: str, arguments: dict, wanted: list[str]) -> None:
    text = explain(exc, tool, arguments, SETTINGS)
    for part in wanted:
        assert part in text, text


def test_request_id_is_kept_for_support() -> None:
    text = explain(status(InternalServerError, 500), "list_agents", {}, SETTINGS)
    assert "req_1" in text


def test_multi_tenant_401_points_at_the_bearer_token() -> None:
    settings = Settings(multi_tenant=True)
    text = explain(status(AuthenticationError, 401), "list_agents", {}, settings)
    assert "bearer token" in text
