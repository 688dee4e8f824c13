"""Errors: the one place a client error becomes the text the model reads (a ToolError, so isError)."""

from __future__ import annotations

import functools
import json
import logging
import re
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from mcp.server.mcpserver.exceptions import ToolError
from pydantic import ValidationError

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
        else "the GENISPACE_API_KEY environment variable where this MCP server is started"
    )
    if isinstance(exc, ConfigurationError):
        if "base url" in str(exc).lower():
            fix = "Fix GENISPACE_BASE_URL (or --base-url)"
        else:
            fix = f"Set {key_source}"
        # The client's own text speaks to library users (api_key=...); say it for this server.
        text = str(exc)
        reason = (
            "no GeniSpace API key" if text.startswith("No GeniSpace API key") else text.rstrip(".")
        )
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


# What a value of each JSON type is called, for "must be ..." sentences.
_EXPECTED = {
    "missing": None,
    "string_type": "a string",
    "int_type": "an integer",
    "int_parsing": "an integer",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "dict_type": "a JSON object",
    "model_type": "a JSON object",
    "model_attributes_type": "a JSON object",
    "list_type": "a JSON array",
    "tuple_type": "a JSON array",
    "none_required": "null",
}
_SHOWN = 40  # characters of a rejected value echoed back: enough to recognise it, never a payload


def explain_arguments(tool: str, exc: ValidationError, unknown: Iterable[str] = ()) -> str:
    """The arguments a call got wrong, one line per argument: its name, what is allowed, what came.

    `unknown` names arguments the tool does not take (ignored, but likely the misspelt one). No
    pydantic wording, class names or documentation links: the model reads this to fix its call.
    """
    lines: list[str] = []
    seen: dict[str, int] = {}
    for error in exc.errors(include_url=False, include_context=True):
        name = _argument_path(error["loc"])
        sentence = _argument_problem(name, error)
        if name in seen:
            # A union reports once per member: merge them into one "must be A or B" line.
            index = seen[name]
            if " must be " in sentence and " must be " in lines[index]:
                head, _, tail = lines[index].partition(" must be ")
                wanted, _, got = tail.partition(" (got ")
                extra = sentence.partition(" must be ")[2].partition(" (got ")[0]
                if extra and extra not in wanted:
                    wanted = f"{wanted.rstrip('.')} or {extra.rstrip('.')}"
                lines[index] = f"{head} must be {wanted.rstrip('.')}" + (
                    f" (got {got}" if got else "."
                )
            continue
        seen[name] = len(lines)
        lines.append(sentence)
    strays = sorted(unknown)
    if strays:
        names, verb = (
            ", ".join(strays),
            ("is not an argument" if len(strays) == 1 else "are not arguments"),
        )
        lines.append(f"{names} {verb} of {tool} (ignored); check the spelling.")
    return f"Invalid arguments for {tool}: " + "\n".join(lines)


def _argument_path(loc: tuple[int | str, ...]) -> str:
    """`messages[0].content` from pydantic's location, without the tags unions add."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif path and not part.isidentifier():
            break  # a union member's tag such as `list[str]` or `function-after[...]`
        else:
            path += f".{part}" if path else part
    return path or "arguments"


def _argument_problem(name: str, error: Any) -> str:
    kind: str = error["type"]
    ctx: dict[str, Any] = error.get("ctx") or {}
    value = error.get("input")
    if kind == "missing":
        return f"{name} is required."
    if kind == "extra_forbidden":
        return f"{name} is not an argument of this tool; leave it out."
    if kind in ("literal_error", "enum"):
        allowed = re.findall(r"'([^']*)'", str(ctx.get("expected", ""))) or [
            str(ctx.get("expected", "?"))
        ]
        want = f"one of {', '.join(allowed)}"
    elif kind in ("less_than_equal", "less_than", "greater_than_equal", "greater_than"):
        bound = {
            "less_than_equal": ("at most", "le"),
            "less_than": ("less than", "lt"),
            "greater_than_equal": ("at least", "ge"),
            "greater_than": ("more than", "gt"),
        }[kind]
        limit = ctx.get(bound[1])
        want = f"{bound[0]} {limit:g}" if isinstance(limit, int | float) else f"{bound[0]} {limit}"
    elif kind in ("string_too_short", "too_short"):
        least = ctx.get("min_length", 1)
        unit = "character" if kind == "string_too_short" else "item"
        if least == 1:
            return f"{name} must not be empty (got {_shown(value)})."
        want = f"at least {least} {unit}s long"
    elif kind in ("string_too_long", "too_long"):
        unit = "characters" if kind == "string_too_long" else "items"
        want = f"at most {ctx.get('max_length')} {unit} long"
    elif kind.startswith(("datetime_", "date_")):
        want = "an ISO 8601 date-time such as 2027-01-31T00:00:00Z"
    elif kind in _EXPECTED:
        want = _EXPECTED[kind] or "given"
        if isinstance(value, str) and kind in ("dict_type", "list_type", "model_type"):
            want += "; a string is accepted only if it holds valid JSON, and this one does not"
    else:
        # Anything else (a custom validator): pydantic's own sentence, minus its jargon.
        message = str(error.get("msg", "is not valid")).removeprefix("Value error, ")
        want = message[:1].lower() + message[1:]
        return f"{name} is invalid: {want.rstrip('.')} (got {_shown(value)})."
    return f"{name} must be {want} (got {_shown(value)})."


def _shown(value: Any) -> str:
    """A rejected value as the model sent it, shortened."""
    try:
        text = json.dumps(value, ensure_ascii=False, default=str, separators=(",", ":"))
    except (TypeError, ValueError):
        text = repr(value)
    if isinstance(value, str):
        short = value if len(value) <= _SHOWN else value[: _SHOWN - 1] + "…"
        return "'" + short.replace("\n", " ") + "'"
    return text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…"
