"""Reading requests: JSON bodies, camelCase/snake_case fields with type checks, pagination.

Every problem becomes a 400 naming the field, so handlers stay a few lines long.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from starlette.requests import Request

from genispace_mcp.sandbox.errors import invalid

MAX_LIMIT = 100
DEFAULT_LIMIT = 20
_MISSING: Any = object()
_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")


def snake(name: str) -> str:
    """`systemPrompt` -> `system_prompt`."""
    return _CAMEL.sub("_", name).lower()


async def json_body(request: Request, *, optional: bool = False) -> dict[str, Any]:
    """The request body as a JSON object; an empty body is `{}` when `optional`."""
    raw = await request.body()
    if not raw.strip():
        if optional:
            return {}
        raise invalid("body", "required", "A JSON object body is required")
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise invalid("body", f"malformed JSON: {exc}", "The body is not valid JSON") from None
    if not isinstance(data, dict):
        raise invalid("body", "must be a JSON object")
    return data


class Fields:
    """Typed access to a JSON object's fields, by camelCase name or its snake_case twin."""

    def __init__(self, data: dict[str, Any], prefix: str = "") -> None:
        self.data = data
        self.prefix = prefix

    def has(self, name: str) -> bool:
        """Whether the field was sent (under either spelling)."""
        return name in self.data or snake(name) in self.data

    def raw(self, name: str, default: Any = None) -> Any:
        """The value as sent, or `default`."""
        if name in self.data:
            return self.data[name]
        return self.data.get(snake(name), default)

    def _name(self, name: str) -> str:
        return f"{self.prefix}{name}"

    def text(
        self,
        name: str,
        *,
        required: bool = False,
        default: Any = _MISSING,
        nullable: bool = False,
        choices: tuple[str, ...] = (),
        max_len: int = 100_000,
    ) -> Any:
        """A string field (stripped of nothing; empty strings refused when required)."""
        value = self._get(name, required, default)
        if value is _MISSING or (value is None and nullable):
            return value
        if not isinstance(value, str):
            raise invalid(self._name(name), "must be a string")
        if required and not value.strip():
            raise invalid(self._name(name), "required", f"'{self._name(name)}' must not be empty")
        if len(value) > max_len:
            raise invalid(self._name(name), f"longer than {max_len} characters")
        if choices and value not in choices:
            raise invalid(self._name(name), f"must be one of {', '.join(choices)}")
        return value

    def number(
        self,
        name: str,
        *,
        default: Any = _MISSING,
        minimum: float | None = None,
        maximum: float | None = None,
        integer: bool = False,
        nullable: bool = False,
    ) -> Any:
        """A number field (booleans refused), optionally an integer within bounds."""
        value = self._get(name, False, default)
        if value is _MISSING or (value is None and nullable):
            return value
        kinds = (int,) if integer else (int, float)
        if (
            isinstance(value, bool)
            or not isinstance(value, kinds)
            or (isinstance(value, float) and not math.isfinite(value))
        ):
            raise invalid(self._name(name), "must be an integer" if integer else "must be a number")
        if minimum is not None and value < minimum:
            raise invalid(self._name(name), f"must be at least {minimum}")
        if maximum is not None and value > maximum:
            raise invalid(self._name(name), f"must be at most {maximum}")
        return value

    def flag(self, name: str, *, default: Any = _MISSING) -> Any:
        """A boolean field."""
        value = self._get(name, False, default)
        if value is _MISSING:
            return value
        if not isinstance(value, bool):
            raise invalid(self._name(name), "must be a boolean")
        return value

    def obj(self, name: str, *, default: Any = _MISSING, nullable: bool = False) -> Any:
        """An object field."""
        value = self._get(name, False, default)
        if value is _MISSING or (value is None and nullable):
            return value
        if not isinstance(value, dict):
            raise invalid(self._name(name), "must be an object")
        return value

    def strings(self, name: str, *, default: Any = _MISSING) -> Any:
        """A list of strings."""
        value = self._get(name, False, default)
        if value is _MISSING:
            return value
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise invalid(self._name(name), "must be a list of strings")
        return value

    def _get(self, name: str, required: bool, default: Any) -> Any:
        if self.has(name):
            return self.raw(name)
        if required:
            raise invalid(self._name(name), "required", f"'{self._name(name)}' is required")
        return default


MISSING = _MISSING


def query_int(request: Request, name: str, default: int, minimum: int = 1) -> int:
    """An integer query parameter."""
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise invalid(name, "must be an integer") from None
    if value < minimum:
        raise invalid(name, f"must be at least {minimum}")
    return value


def query_choice(request: Request, name: str, choices: tuple[str, ...]) -> str | None:
    """An optional query parameter restricted to `choices` (case-insensitive on input)."""
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None
    for choice in choices:
        if raw.lower() == choice.lower():
            return choice
    raise invalid(name, f"must be one of {', '.join(choices)}")


def pagination(request: Request) -> tuple[int, int]:
    """`page` (from 1) and `limit` (1..100; more is clamped) from the query string."""
    page = query_int(request, "page", 1)
    limit = min(query_int(request, "limit", DEFAULT_LIMIT), MAX_LIMIT)
    if page > 10_000_000:
        raise invalid("page", "must be at most 10000000")
    return page, limit


def page_body(items: list[Any], total: int, page: int, limit: int) -> dict[str, Any]:
    """The list answer: `{"data": [...], "pagination": {...}}`."""
    return {
        "data": items,
        "pagination": {
            "page": page,
            "limit": limit,
            "total": total,
            "pages": math.ceil(total / limit) if total else 0,
        },
    }
