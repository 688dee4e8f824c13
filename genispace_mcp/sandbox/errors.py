"""The one error type of the sandbox and its rendering in the seed's form.

Every failure a client can see is `{"error": {"code", "message", "details"}}` with the seed's
status codes; handlers raise `ApiError` (or use the helpers below) and never build error bodies.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse

# Status -> (code, default message), as in docs/wire-contract.md.
CODES: dict[int, tuple[str, str]] = {
    400: ("invalid_parameter", "Invalid parameter"),
    401: ("unauthorized", "Authentication failed or invalid API key"),
    403: ("forbidden", "Insufficient permissions"),
    404: ("not_found", "Requested resource does not exist"),
    405: ("method_not_allowed", "Method not allowed"),
    409: ("conflict", "Conflict"),
    413: ("payload_too_large", "Request body too large"),
    429: ("rate_limit_exceeded", "API request limit exceeded"),
    500: ("internal_error", "Internal server error"),
    503: ("service_unavailable", "Service temporarily unavailable"),
}


class ApiError(Exception):
    """An error answer: HTTP status, seed error code, message, details and extra headers."""

    def __init__(
        self,
        status: int,
        message: str | None = None,
        details: dict[str, Any] | None = None,
        *,
        code: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        default_code, default_message = CODES.get(status, ("error", "Error"))
        self.status = status
        self.code = code or default_code
        self.message = message or default_message
        self.details = details or {}
        self.headers = headers or {}
        super().__init__(self.message)

    def body(self) -> dict[str, Any]:
        """The JSON body in the seed's form."""
        return {"error": {"code": self.code, "message": self.message, "details": self.details}}

    def response(self) -> JSONResponse:
        """The full HTTP response."""
        return JSONResponse(self.body(), status_code=self.status, headers=self.headers)


def invalid(field: str, reason: str, message: str | None = None) -> ApiError:
    """400 naming the offending field."""
    return ApiError(
        400, message or f"Invalid parameter '{field}': {reason}", {"field": field, "reason": reason}
    )


def not_found(resource: str, id_: str) -> ApiError:
    """404 for an unknown id."""
    return ApiError(404, f"{resource} '{id_}' not found", {"resource": resource, "id": id_})


def conflict(message: str, **details: Any) -> ApiError:
    """409 with a reason."""
    return ApiError(409, message, dict(details))
