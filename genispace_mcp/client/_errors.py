"""The client's one error hierarchy, and error_for(), the one place a failed reply becomes an error.

```
GeniSpaceError
├── ConfigurationError            no API key (names GENISPACE_API_KEY), bad base URL
├── APIConnectionError            could not reach GeniSpace (after retries)
│   └── APITimeoutError
├── APIResponseError              a 2xx whose body is not what the API promises
├── RunWaitTimeout                wait_for_run ran out of time (.run is the last state)
└── APIStatusError                .status_code .code .message .details .request_id
    ├── BadRequestError           400, 422
    ├── AuthenticationError       401
    ├── InsufficientTokensError   402
    ├── PermissionDeniedError     403
    ├── NotFoundError             404
    ├── ConflictError             409
    ├── RateLimitError            429 (.retry_after seconds or None)
    └── InternalServerError       5xx
```

No message, repr or attribute of these errors carries the API key: every text taken from a reply
goes through `redact()` first, and no error keeps the request (whose headers hold the key).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httpx

    from genispace_mcp.client.types.task import TaskRun

__all__ = [
    "APIConnectionError",
    "APIResponseError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConfigurationError",
    "ConflictError",
    "GeniSpaceError",
    "InsufficientTokensError",
    "InternalServerError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "RunWaitTimeout",
    "error_for",
    "redact",
]

# Anything shaped like a GeniSpace secret is masked, not only the key in use: an error body could
# echo another key (a proxy's, or one just created).
_SECRET_PATTERN = re.compile(r"sk-[A-Za-z0-9_\-]{6,}")
_MASK = "sk-***"
_MAX_MESSAGE = 500


class GeniSpaceError(Exception):
    """Base class of every error the GeniSpace client raises."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r})"


class ConfigurationError(GeniSpaceError):
    """The client is not configured to talk to GeniSpace (no API key, a malformed base URL)."""


class APIConnectionError(GeniSpaceError):
    """GeniSpace could not be reached, or the connection broke, and retrying did not help."""


class APITimeoutError(APIConnectionError):
    """GeniSpace did not answer in time."""


class APIResponseError(GeniSpaceError):
    """A successful HTTP status whose body is not what the API promises (not JSON, wrong shape)."""

    def __init__(
        self, message: str, *, status_code: int | None = None, request_id: str | None = None
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.request_id = request_id


class RunWaitTimeout(GeniSpaceError):
    """wait_for_run() ran out of time before the run reached a final state; `.run` is the last seen."""

    def __init__(self, message: str, *, run: TaskRun) -> None:
        super().__init__(message)
        self.run = run


class APIStatusError(GeniSpaceError):
    """GeniSpace answered with an error: an HTTP error status, or `success: false`."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        code: str | None = None,
        details: Any = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.code = code
        self.details = details
        self.request_id = request_id

    def __str__(self) -> str:
        parts = [f"HTTP {self.status_code}"]
        if self.code:
            parts.append(f"code {self.code}")
        if self.request_id:
            parts.append(f"request {self.request_id}")
        return f"{self.message} ({', '.join(parts)})"

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status_code={self.status_code}, code={self.code!r}, "
            f"message={self.message!r}, request_id={self.request_id!r})"
        )


class BadRequestError(APIStatusError):
    """400 or 422: the request was malformed or a parameter is invalid (see `.details`)."""


class AuthenticationError(APIStatusError):
    """401: the API key is missing, unknown, revoked or expired."""


class InsufficientTokensError(APIStatusError):
    """402: the account's token balance is used up."""


class PermissionDeniedError(APIStatusError):
    """403: the API key lacks the permission this call needs."""


class NotFoundError(APIStatusError):
    """404: no such resource (or route)."""


class ConflictError(APIStatusError):
    """409: the request conflicts with the resource's state (e.g. cancelling a finished run)."""


class RateLimitError(APIStatusError):
    """429: over the key's rate limit; `.retry_after` is how many seconds to wait, when known."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class InternalServerError(APIStatusError):
    """5xx: GeniSpace failed (and retrying, where allowed, did not help)."""


_BY_STATUS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    402: InsufficientTokensError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: BadRequestError,
    429: RateLimitError,
}

# For `success: false` on HTTP 200 the status says nothing: the platform's code picks the class.
_BY_CODE: dict[str, type[APIStatusError]] = {
    "invalid_parameter": BadRequestError,
    "invalid_request": BadRequestError,
    "bad_request": BadRequestError,
    "validation_error": BadRequestError,
    "unauthorized": AuthenticationError,
    "invalid_api_key": AuthenticationError,
    "insufficient_tokens": InsufficientTokensError,
    "forbidden": PermissionDeniedError,
    "permission_denied": PermissionDeniedError,
    "not_found": NotFoundError,
    "conflict": ConflictError,
    "rate_limit_exceeded": RateLimitError,
    "internal_error": InternalServerError,
    "service_unavailable": InternalServerError,
}


def redact(value: Any, secrets: Iterable[str] = ()) -> Any:
    """Return `value` with every secret (and anything shaped like a key) masked, recursively."""
    if isinstance(value, str):
        for secret in secrets:
            if secret:
                value = value.replace(secret, _MASK)
        return _SECRET_PATTERN.sub(_MASK, value)
    if isinstance(value, Mapping):
        return {redact(k, secrets): redact(v, secrets) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact(v, secrets) for v in value]
    return value


def normalize_code(code: Any) -> str | None:
    """Error codes come upper- and lower-case: `INVALID_PARAMETER` and `invalid_parameter` are one."""
    if code is None or code == "":
        return None
    return str(code).strip().lower()


def _class_for(status_code: int, code: str | None) -> type[APIStatusError]:
    if status_code in _BY_STATUS:
        return _BY_STATUS[status_code]
    if status_code >= 500:
        return InternalServerError
    if code is not None:
        if code in _BY_CODE:
            return _BY_CODE[code]
        if code.endswith("_not_found"):  # AGENT_NOT_FOUND, TASK_NOT_FOUND, ...
            return NotFoundError
    return APIStatusError


def _parse_body(response: httpx.Response) -> Any:
    try:
        return json.loads(response.content) if response.content else None
    except ValueError:
        return None


def error_for(
    response: httpx.Response,
    *,
    body: Any = None,
    secrets: Iterable[str] = (),
    retry_after: float | None = None,
) -> APIStatusError:
    """Build the error for a failed reply; reads both body forms the platform sends.

    `{"error": {"code", "message", "details"}}` (the seed's) and the flat
    `{"success": false, "error": "text", "code": "CODE"}`; anything else falls back to the status.
    `body` is the already-decoded JSON body, when the caller has it.
    """
    secrets = tuple(secrets)
    if body is None:
        body = _parse_body(response)
    code: Any = None
    message: Any = None
    details: Any = None
    request_id: Any = response.headers.get("x-request-id")
    if isinstance(body, Mapping):
        error = body.get("error")
        if isinstance(error, Mapping):
            code = error.get("code")
            message = error.get("message")
            details = error.get("details")
        elif isinstance(error, str):
            message = error
        errors = body.get("errors")
        if not message and isinstance(errors, list) and errors and isinstance(errors[0], Mapping):
            # `{"errors": [{"message", "code"}]}`, as some gateways answer.
            message = errors[0].get("message")
            code = code or errors[0].get("code")
            details = details if details is not None else {"errors": errors}
        code = code or body.get("code") or body.get("errorCode")
        message = message or body.get("message") or body.get("msg")
        details = details if details is not None else body.get("details")
        request_id = request_id or body.get("requestId") or body.get("request_id")
    elif response.content and not isinstance(body, list):
        # Not JSON: a proxy's HTML or plain-text page. A short excerpt is still useful.
        text = response.content[:_MAX_MESSAGE].decode("utf-8", "replace").strip()
        message = " ".join(text.split()) if text else None
    if not isinstance(message, str) or not message.strip():
        message = response.reason_phrase or f"HTTP {response.status_code}"
    message = str(redact(message, secrets))[:_MAX_MESSAGE]
    norm_code = normalize_code(code)
    cls = _class_for(response.status_code, norm_code)
    kwargs: dict[str, Any] = {
        "status_code": response.status_code,
        "code": redact(norm_code, secrets),
        "details": redact(details, secrets),
        "request_id": str(request_id) if request_id is not None else None,
    }
    if cls is RateLimitError:
        return RateLimitError(message, retry_after=retry_after, **kwargs)
    return cls(message, **kwargs)
