"""Shaping: compact text for the model, lean schemas, and results cut to a budget at a record boundary."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from mcp_types import CallToolResult, TextContent
from pydantic import BaseModel

from genispace_mcp.server.safety import untrusted

CUT_MARK = "[cut]"
# Characters kept free for what surrounds the records of a result: its header, the untrusted-data
# lines and the note on how to get the rest (together well under this).
FRAME = 800
M = TypeVar("M", bound=BaseModel)


def compact(value: Any) -> Any:
    """Drop None, empty strings, empty lists and empty dicts, recursively (False and 0 stay)."""
    if isinstance(value, BaseModel):
        value = value.model_dump(mode="json", exclude_none=True)
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            item = compact(item)
            if item is None or item == "" or item == [] or item == {}:
                continue
            out[key] = item
        return out
    if isinstance(value, list | tuple):
        return [compact(item) for item in value if item is not None]
    return value


def dumps(value: Any) -> str:
    """Minified JSON of the compacted value, UTF-8 kept as is (what the model reads)."""
    return json.dumps(compact(value), separators=(",", ":"), ensure_ascii=False, default=str)


def fit(records: Sequence[Any], budget: int, render: Callable[[Any], str] = dumps) -> int:
    """How many leading records fit in `budget` characters once rendered (at least 0)."""
    used = 0
    for count, record in enumerate(records):
        used += len(render(record)) + 1  # the separating comma
        if used > budget:
            return count
    return len(records)


def clip(text: str, budget: int, how_to_get_more: str) -> str:
    """Cut one oversized text to `budget` characters, saying how much was cut and how to get it."""
    if len(text) <= budget:
        return text

    def note(cut: int) -> str:
        return f"\n{CUT_MARK} {cut:,} more characters not shown. {how_to_get_more}".rstrip()

    # The note's own length depends on the count it states: size it for the largest count.
    keep = max(budget - len(note(len(text))), 0)
    return text[:keep] + note(len(text) - keep)


def result(structured: BaseModel, text: str) -> CallToolResult:
    """A tool result: `structured` as structuredContent (no nulls), `text` as the one text block."""
    return CallToolResult(
        content=[TextContent(type="text", text=text)],
        structured_content=structured.model_dump(mode="json", exclude_none=True),
    )


def page_note(
    tool: str, page: int, total: int | None, has_more: bool, args: str = ""
) -> str | None:
    """The sentence telling the model how to get the next page of a list, or None on the last one."""
    if not has_more:
        return None
    extra = f", {args}" if args else ""
    of = f" of {total}" if total is not None else ""
    return f"More results{of}: call {tool} with page={page + 1}{extra}."


# JSON Schema keys that only decorate: the model never needs them, and they cost budget.
_DECORATION = ("title",)


def inline_refs(schema: Any) -> Any:
    """Replace every local `$ref` with the definition it points to, and drop `$defs`.

    Our models are flat and never recursive, so the inlined schema is as exact, often smaller, and
    cheaper for clients to validate (no reference resolution per item).
    """
    if not isinstance(schema, dict) or "$defs" not in schema:
        return schema
    definitions = schema["$defs"]

    def resolve(node: Any, seen: tuple[str, ...]) -> Any:
        if isinstance(node, list):
            return [resolve(item, seen) for item in node]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            name = ref.removeprefix("#/$defs/")
            if name in seen:
                raise ValueError(f"recursive schema at {name}: keep $defs")
            siblings = {key: value for key, value in node.items() if key != "$ref"}
            return {**resolve(definitions[name], (*seen, name)), **siblings}
        return {key: resolve(value, seen) for key, value in node.items() if key != "$defs"}

    try:
        return resolve(schema, ())
    except ValueError:
        return schema


def lean_schema(schema: Any) -> Any:
    """Strip titles and collapse `anyOf [X, null]` with a null default into X, recursively.

    pydantic spells an optional argument as `{"anyOf": [X, {"type": "null"}], "default": null,
    "title": ...}`; the lean form `X` says the same to a model (absent means unset) at a third of
    the bytes. Validation still runs against the pydantic model, which accepts null.
    """
    if isinstance(schema, list):
        return [lean_schema(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in _DECORATION and isinstance(value, str):
            continue
        if key == "default" and value is None:
            continue  # absent already means unset
        if key in ("properties", "$defs", "definitions", "patternProperties") and isinstance(
            value, dict
        ):
            # The keys here are names the user chose (a property may be called "title").
            out[key] = {name: lean_schema(sub) for name, sub in value.items()}
        else:
            out[key] = lean_schema(value)
    options = out.get("anyOf")
    if isinstance(options, list) and len(options) == 2 and {"type": "null"} in options:
        other = next(option for option in options if option != {"type": "null"})
        if "default" not in out:
            out.pop("anyOf")
            out = {**other, **out}
    return out


def respond(model: BaseModel, budget: int, how_to_get_more: str = "") -> CallToolResult:
    """One object as a result: its compact JSON, clipped to the budget (rarely needed)."""
    return result(model, clip(dumps(model), budget, how_to_get_more))


def listing(
    model: type[M],
    items: Sequence[BaseModel],
    *,
    tool: str,
    page: int,
    total: int | None,
    has_more: bool,
    budget: int,
    untrusted_what: str | None = None,
    args: str = "",
    **fields: Any,
) -> CallToolResult:
    """One page of a list as a result, cut at a record boundary when it would pass the budget.

    The text is the page header and the items as minified JSON; when the items can carry
    instructions (`untrusted_what`), they go inside an untrusted-data block. The last line says how
    to get what is not shown: the next page, or a smaller limit when this page itself was cut.
    """
    rendered = [dumps(item) for item in items]
    shown = fit(rendered, max(budget - FRAME, 0), render=lambda text: text)
    notes = []
    if shown < len(items):
        notes.append(
            f"{CUT_MARK} {len(items) - shown} more item(s) on this page were cut to stay under "
            f"{budget:,} characters: call {tool} with limit={max(shown, 1)} and walk the pages."
        )
    next_note = page_note(tool, page, total, has_more, args)
    if next_note:
        notes.append(next_note)
    out = model.model_validate(
        {
            **fields,
            "items": list(items[:shown]),
            "page": page,
            "total": total,
            "has_more": has_more or shown < len(items),
            "next": " ".join(notes) or None,
        }
    )
    array = "[" + ",".join(rendered[:shown]) + "]"
    if untrusted_what is None:
        # The items are rendered once: splice them into the header's JSON object.
        head = dumps(out.model_dump(mode="json", exclude={"items"}))
        text = f'{head[:-1]},"items":{array}}}'
    else:
        head = dumps(out.model_dump(mode="json", exclude={"items", "next"}))
        text = f"{head}\n{untrusted(array, untrusted_what)}"
        if notes:
            text += "\n" + " ".join(notes)
    return result(out, text)
