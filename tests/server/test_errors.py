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
from tests.server.conftest import MODES, Connect, failed

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


# Argument errors: what the SDK's pydantic validation rejects, as the model reads it.
ARGUMENT_CASES = [
    ("list_agents", {"type": "NOPE"}, ["type must be one of CHAT, TASK (got 'NOPE')."]),
    (
        "query_dataset",
        {"dataset_id": "ds_x", "top_k": 1000},
        ["top_k must be at most 100 (got 1000)."],
    ),
    ("get_agent", {}, ["agent_id is required."]),
    ("list_agents", {"limit": 0}, ["limit must be at least 1 (got 0)."]),
    ("list_agents", {"page": "two"}, ["page must be an integer (got 'two')."]),
    ("list_agents", {"limit": 1.5}, ["limit must be a whole number (got 1.5)."]),
    (
        "execute_agent",
        {"agent_id": "", "inputs": [1, 2]},
        [
            "agent_id must not be empty (got '').",
            "inputs must be a JSON object (got [1,2]).",
        ],
    ),
    (
        "query_dataset",
        {"dataset_id": "ds_x", "filter": "{not json"},
        [
            "filter must be a JSON object; a string is accepted only if it holds valid JSON, and "
            "this one does not (got '{not json').",
        ],
    ),
    (
        "get_agent",
        {"agentId": "agt_1"},
        [
            "agent_id is required.",
            "agentId is not an argument of get_agent (ignored); check the spelling.",
        ],
    ),
    (
        "chat_with_agent",
        {"agent_id": "agt_1", "messages": [{"role": "bot"}], "temperature": 9},
        [
            "messages[0].role must be one of system, user, assistant (got 'bot').",
            "messages[0].content is required.",
            "temperature must be at most 2 (got 9).",
        ],
    ),
    (
        "create_api_key",
        {"name": "ci", "permissions": ["read:agents"], "expires_at": "next week"},
        [
            "expires_at must be an ISO 8601 date-time such as 2027-01-31T00:00:00Z "
            "(got 'next week')."
        ],
    ),
    (
        "create_agent",
        {"name": "x" * 500},
        [
            "name must be at most 200 characters long (got 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…').",
        ],
    ),
]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(("tool", "arguments", "lines"), ARGUMENT_CASES)
async def test_bad_arguments_read_as_a_fix_it_list(
    connect: Connect, mode: str, tool: str, arguments: dict, lines: list[str]
) -> None:
    async with connect(mode=mode) as client:
        text = failed(await client.call_tool(tool, arguments))
    assert text == f"Invalid arguments for {tool}: " + "\n".join(lines)
    for jargon in ("pydantic", "validation error", "Arguments", "type=", "input_value", "http"):
        assert jargon not in text


async def test_unknown_arguments_alone_are_ignored(connect: Connect) -> None:
    # Lenient by design: clients add fields of their own; only a call that fails names them.
    async with connect() as client:
        result = await client.call_tool("list_agents", {"limit": 1, "verbose": True})
    assert not result.is_error


async def test_json_string_arguments_that_parse_are_accepted(connect: Connect) -> None:
    async with connect() as client:
        result = await client.call_tool(
            "query_dataset", {"dataset_id": "ds_missing", "filter": '{"a": 1}', "fields": '["a"]'}
        )
    # It reaches GeniSpace (a 404 for the made-up id), so the arguments were accepted.
    assert "No dataset with id 'ds_missing'" in failed(result)


def test_a_missing_key_names_the_variable_not_library_arguments() -> None:
    from genispace_mcp.client import ConfigurationError

    text = explain(
        ConfigurationError(
            "No GeniSpace API key: set the GENISPACE_API_KEY environment variable "
            "or pass api_key= to GeniSpace()"
        ),
        "whoami",
        {},
        Settings(),
    )
    assert "GENISPACE_API_KEY" in text
    assert "api_key=" not in text
    assert "--api-key" not in text
