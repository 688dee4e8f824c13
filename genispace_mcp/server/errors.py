"""Errors: the one place a client error becomes the text the model reads (a ToolError, so isError)."""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from mcp.server.mcpserver.exceptions import ToolError

from genispace_mcp.server.settings import Settings
from genispace_mcp.server.toolsets import AREAS, TOOLSET_OF

if TYPE_CHECKING:
    from genispace_mcp.client import APIStatusError, GeniSpaceError, RateLimitError

logger = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")

# Which argument names an id, what it names, and which tool lists valid ones.
ID_ARGUMENTS: dict[str, tuple[str, str]] = {
    "agent_id": ("agent", "list_agents"),
    "task_id": ("task", "list_tasks"),
    "run_id": ("task run", "list_task_runs"),
    "dataset_id": ("dataset", "list_datasets"),
    "key_id": ("API key", "list_api_keys"),
}
# The sandbox and platform name resources in `details.resource`; map those spellings too.
RESOURCES: dict[str, str] = {
    "agent": "agent_id",
    "agents": "agent_id",
    "task": "task_id",
    "tasks": "task_id",
    "run": "run_id",
    "task_run": "run_id",
    "runs": "run_id",
    "dataset": "dataset_id",
    "datasets": "dataset_id",
    "api_key": "key_id",
    "api-key": "key_id",
    "api_keys": "key_id",
    "key": "key_id",
}


def explain(
    exc: GeniSpaceError,
    tool: str,
    arguments: Mapping[str, Any],
    settings: Settings,
    retries: int | None = None,
) -> str:
    """What went wrong and what to do next, in a sentence or two for the model.

    `retries` is how many times the client retried (default: the configured `max_retries`).
    """
    if retries is not None and retries != settings.max_retries:
        settings = replace(settings, max_retries=retries)
    text = _explain(exc, tool, arguments, settings)
    request_id = getattr(exc, "request_id", None)
    if request_id:
        text += f" (request id {request_id})"
    return text


def _explain(
    exc: GeniSpaceError, tool: str, arguments: Mapping[str, Any], settings: Settings
) -> str:
    # Imported here: the client (and httpx) load with the first call, not with the server.
    from genispace_mcp.client import (
        APIConnectionError,
        APIResponseError,
        APIStatusError,
        APITimeoutError,
        AuthenticationError,
        BadRequestError,
        ConfigurationError,
        ConflictError,
        InsufficientTokensError,
        NotFoundError,
        PermissionDeniedError,
        RateLimitError,
    )

    key_source = (
        "the bearer token this MCP client sends (its own GeniSpace API key)"
        if settings.multi_tenant
        else "GENISPACE_API_KEY (or --api-key) where this MCP server is started"
    )
    if isinstance(exc, ConfigurationError):
        if "base url" in str(exc).lower():
            fix = "Fix GENISPACE_BASE_URL (or --base-url)"
        else:
            fix = f"Set {key_source}"
        reason = str(exc).rstrip(".")
        again = "call again" if settings.multi_tenant else "restart the server"
        return f"genispace-mcp is not configured: {reason}. {fix}, then {again}."
    if isinstance(exc, AuthenticationError):
        return (
            f"GeniSpace rejected the API key (401: missing, unknown, revoked or expired). Set "
            f"{key_source} to a valid key (GeniSpace console > Settings > API Keys)."
        )
    if isinstance(exc, PermissionDeniedError):
        needed = _required_permission(exc, tool)
        return (
            f"The API key lacks the permission {needed} needed by {tool} (403). Use a key that has "
            f"it (whoami shows this key's permissions), or ask the workspace owner to grant it."
        )
    if isinstance(exc, NotFoundError):
        return _not_found(exc, arguments)
    if isinstance(exc, RateLimitError):
        return _rate_limited(exc)
    if isinstance(exc, InsufficientTokensError):
        return (
            "The GeniSpace token balance is used up (402). Top up the account in the GeniSpace "
            "console, then try again."
        )
    if isinstance(exc, BadRequestError):
        return f"GeniSpace refused the arguments ({exc.status_code}): {_message(exc)}. Fix them and call {tool} again."
    if isinstance(exc, ConflictError):
        return f"GeniSpace refused: {_message(exc)} (409 conflict)."
    if isinstance(exc, APIStatusError) and exc.status_code in (502, 503, 504):
        return (
            f"GeniSpace is unavailable ({exc.status_code}: {_message(exc)}) {_retried(settings)}. "
            "Try again in a minute."
        )
    if isinstance(exc, APIStatusError) and exc.status_code >= 500:
        return (
            f"GeniSpace had an internal error ({exc.status_code}: {_message(exc)}). Try again in a "
            "minute; if it keeps failing, report the request id to GeniSpace."
        )
    if isinstance(exc, APIStatusError):
        return f"GeniSpace answered {exc.status_code}: {_message(exc)}."
    if isinstance(exc, APITimeoutError):
        return (
            f"GeniSpace did not answer within {settings.timeout:g} s {_retried(settings)}. "
            "Try again later."
        )
    if isinstance(exc, APIConnectionError):
        return (
            f"Could not reach GeniSpace at {settings.base_url} {_retried(settings)}. Check the "
            "network or GENISPACE_BASE_URL, then try again."
        )
    if isinstance(exc, APIResponseError):
        return f"GeniSpace answered with something this server cannot read: {exc}."
    return f"GeniSpace request failed: {exc}."


def _retried(settings: Settings) -> str:
    """How hard the client tried (it retries only what is safe to repeat, up to max_retries)."""
    if settings.max_retries <= 0:
        return "(retries are off)"
    return f"(after up to {settings.max_retries} retries)"


def _message(exc: APIStatusError) -> str:
    message = str(exc.message or exc.code or "no message").rstrip(".")
    details = exc.details if isinstance(exc.details, dict) else {}
    extra = []
    if details.get("field") and str(details["field"]) not in message:
        extra.append(f"field {details['field']}")
    if details.get("reason"):
        extra.append(str(details["reason"]))
    for error in (details.get("errors") or [])[:5]:
        if isinstance(error, dict):
            extra.append(f"row {error.get('row')}: {error.get('message')}")
    extra = [part for part in extra if str(part).lower() not in message.lower()]
    return f"{message} ({'; '.join(extra)})" if extra else message


def _required_permission(exc: APIStatusError, tool: str) -> str:
    details = exc.details if isinstance(exc.details, dict) else {}
    required = details.get("required") or details.get("permission")
    if isinstance(required, list):
        required = ", ".join(map(str, required))
    if required:
        return str(required)
    area = AREAS.get(TOOLSET_OF.get(tool, ""), "")
    reading = tool.startswith(("list_", "get_", "query_", "export_"))
    return f"{'read' if reading else 'write'}:{area}" if area else "(not named by GeniSpace)"


def _not_found(exc: APIStatusError, arguments: Mapping[str, Any]) -> str:
    details = exc.details if isinstance(exc.details, dict) else {}
    argument = RESOURCES.get(str(details.get("resource", "")).lower())
    if argument is None or argument not in ID_ARGUMENTS:
        # Without details, blame the most specific id argument the tool was given.
        given = [name for name in ID_ARGUMENTS if arguments.get(name)]
        argument = given[-1] if given else None
    if argument is None:
        return f"GeniSpace found nothing there (404): {_message(exc)}."
    kind, lister = ID_ARGUMENTS[argument]
    item_id = details.get("id") or arguments.get(argument)
    return f"No {kind} with id {item_id!r} (404). Call {lister} to see the valid ids."


def _rate_limited(exc: RateLimitError) -> str:
    wait = exc.retry_after
    if wait is None:
        return "GeniSpace rate limit reached (429). Wait a minute before the next call."
    at = datetime.now(UTC).timestamp() + wait
    clock = datetime.fromtimestamp(at, UTC).strftime("%H:%M:%S UTC")
    return f"GeniSpace rate limit reached (429). Retry in {wait:g} s (after {clock})."


def translating(fn: Callable[P, Awaitable[R]], tool: str) -> Callable[P, Awaitable[R]]:
    """Wrap a tool so any client error reaches the model as a ToolError with `explain`'s text.

    One wrapper for every tool, so no tool carries its own try/except. The signature is kept
    (functools.wraps), which is what the SDK reads to build the input schema.
    """

    @functools.wraps(fn)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return await fn(*args, **kwargs)
        except Exception as exc:
            from genispace_mcp.client import GeniSpaceError

            if not isinstance(exc, GeniSpaceError):
                raise
            logger.info("%s failed: %s", tool, type(exc).__name__)
            settings, retries = _serving()
            raise ToolError(explain(exc, tool, kwargs, settings, retries)) from None

    return wrapper


def _serving() -> tuple[Settings, int | None]:
    """The settings of the server handling this call, and how often its client retries."""
    from genispace_mcp.client import GeniSpaceError
    from genispace_mcp.server.context import current_client, current_settings

    try:
        settings = current_settings()
    except RuntimeError:  # called outside a request (a direct call in a test)
        return Settings(), None
    try:
        return settings, current_client().max_retries
    except GeniSpaceError:
        return settings, None
