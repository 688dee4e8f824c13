"""error_for(): both error body forms, the status and code mapping, and that no key ever shows."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from genispace_mcp.client import (
    APIConnectionError,
    APIResponseError,
    APIStatusError,
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
    RunWaitTimeout,
    TaskRun,
)
from genispace_mcp.client._errors import error_for, redact
from tests.client.conftest import KEY


def _response(
    status: int, body: Any = None, text: str | None = None, **headers: str
) -> httpx.Response:
    request = httpx.Request("GET", "https://api.test/v1/agents")
    if text is not None:
        return httpx.Response(status, text=text, headers=headers, request=request)
    return httpx.Response(status, json=body, headers=headers, request=request)


SEED = {
    "error": {
        "code": "invalid_parameter",
        "message": "Invalid parameter",
        "details": {"field": "name"},
    }
}
PLATFORM_NESTED = {"error": {"code": "INVALID_PARAMETER", "message": "Invalid parameter"}}
PLATFORM_FLAT = {"success": False, "error": "API Key invalid or expired", "code": "INVALID_API_KEY"}


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, BadRequestError),
        (422, BadRequestError),
        (401, AuthenticationError),
        (402, InsufficientTokensError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (409, ConflictError),
        (429, RateLimitError),
        (500, InternalServerError),
        (502, InternalServerError),
        (503, InternalServerError),
        (405, APIStatusError),
        (413, APIStatusError),
    ],
)
def test_status_picks_the_class(status: int, cls: type[APIStatusError]) -> None:
    error = error_for(_response(status, {"error": {"code": "x", "message": "m"}}))
    assert type(error) is cls
    assert error.status_code == status


def test_seed_form() -> None:
    error = error_for(_response(400, SEED, **{"X-Request-Id": "req_1"}))
    assert isinstance(error, BadRequestError)
    assert (error.code, error.message, error.details, error.request_id) == (
        "invalid_parameter",
        "Invalid parameter",
        {"field": "name"},
        "req_1",
    )
    assert str(error) == "Invalid parameter (HTTP 400, code invalid_parameter, request req_1)"


def test_upper_case_codes_are_normalised() -> None:
    assert error_for(_response(400, PLATFORM_NESTED)).code == "invalid_parameter"


def test_flat_platform_form() -> None:
    error = error_for(_response(401, PLATFORM_FLAT))
    assert isinstance(error, AuthenticationError)
    assert error.message == "API Key invalid or expired"
    assert error.code == "invalid_api_key"


@pytest.mark.parametrize(
    ("code", "cls"),
    [
        ("INVALID_API_KEY", AuthenticationError),
        ("UNAUTHORIZED", AuthenticationError),
        ("FORBIDDEN", PermissionDeniedError),
        ("AGENT_NOT_FOUND", NotFoundError),
        ("NOT_FOUND", NotFoundError),
        ("INVALID_PARAMETER", BadRequestError),
        ("INSUFFICIENT_TOKENS", InsufficientTokensError),
        ("RATE_LIMIT_EXCEEDED", RateLimitError),
        ("INTERNAL_ERROR", InternalServerError),
        ("SOMETHING_NEW", APIStatusError),
        (None, APIStatusError),
    ],
)
def test_success_false_on_http_200_is_classified_by_its_code(
    code: str | None, cls: type[APIStatusError]
) -> None:
    body: dict[str, Any] = {"success": False, "message": "nope"}
    if code:
        body["code"] = code
    error = error_for(_response(200, body))
    assert type(error) is cls
    assert error.status_code == 200
    assert error.message == "nope"


def test_not_json_bodies_fall_back_to_text_or_reason() -> None:
    html = error_for(_response(502, text="<html><body>Bad   gateway</body></html>"))
    assert isinstance(html, InternalServerError)
    assert "Bad gateway" in html.message
    empty = error_for(_response(503, text=""))
    assert empty.message == "Service Unavailable"


def test_gateway_errors_list() -> None:
    error = error_for(
        _response(422, {"errors": [{"message": "name is required", "code": "REQUIRED"}]})
    )
    assert isinstance(error, BadRequestError)
    assert (error.message, error.code) == ("name is required", "required")


def test_request_id_from_the_body_when_no_header() -> None:
    error = error_for(_response(500, {"message": "boom", "requestId": "req_9"}))
    assert error.request_id == "req_9"


def test_rate_limit_error_carries_retry_after() -> None:
    error = error_for(_response(429, {"error": {"code": "rate_limit_exceeded"}}), retry_after=12.0)
    assert isinstance(error, RateLimitError)
    assert error.retry_after == 12.0


def test_key_echoed_by_the_server_is_masked_everywhere() -> None:
    body = {
        "error": {
            "code": "unauthorized",
            "message": f"API key {KEY} is invalid",
            "details": {"key": KEY, "seen": [f"Bearer {KEY}"], "other": "sk-someotherkey123"},
        }
    }
    error = error_for(_response(401, body), secrets=[KEY])
    for text in (str(error), repr(error), error.message, str(error.details), str(error.args)):
        assert KEY not in text
        assert "sk-someotherkey123" not in text
    assert "sk-***" in error.message


def test_redact_walks_nested_values() -> None:
    assert redact({"a": [f"x {KEY}", {"b": KEY}], "n": 3}, [KEY]) == {
        "a": ["x sk-***", {"b": "sk-***"}],
        "n": 3,
    }


@pytest.mark.parametrize(
    ("cls", "parent"),
    [
        (ConfigurationError, GeniSpaceError),
        (APIConnectionError, GeniSpaceError),
        (APITimeoutError, APIConnectionError),
        (APIResponseError, GeniSpaceError),
        (RunWaitTimeout, GeniSpaceError),
        (APIStatusError, GeniSpaceError),
        (BadRequestError, APIStatusError),
        (AuthenticationError, APIStatusError),
        (InsufficientTokensError, APIStatusError),
        (PermissionDeniedError, APIStatusError),
        (NotFoundError, APIStatusError),
        (ConflictError, APIStatusError),
        (RateLimitError, APIStatusError),
        (InternalServerError, APIStatusError),
    ],
)
def test_hierarchy(cls: type[Exception], parent: type[Exception]) -> None:
    assert issubclass(cls, parent)


def test_run_wait_timeout_keeps_the_run() -> None:
    run = TaskRun(id="run_1", status="RUNNING")
    error = RunWaitTimeout("still running", run=run)
    assert error.run is run
    assert repr(error) == "RunWaitTimeout('still running')"
