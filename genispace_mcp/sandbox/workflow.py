"""Task definitions: the workflow's steps and the input schema, checked before they are stored.

A workflow is `{"steps": [...]}`, each step `{"id", "type", ...}`:

- `agent`: `agentId`, `input` (a template; default: the run's inputs as JSON)
- `dataset_query`: `datasetId`, `query` (a template), `top_k` (default 5), `filter`
- `template`: `template`, rendered from `inputs.*` and `steps.<id>.output`
- `wait`: `seconds` (0..3600); a cancel interrupts it
"""

from __future__ import annotations

from typing import Any

import jsonschema  # type: ignore[import-untyped,unused-ignore]

from genispace_mcp.sandbox.errors import invalid
from genispace_mcp.sandbox.search import check_filter

STEP_TYPES = ("agent", "dataset_query", "template", "wait")
MAX_STEPS = 50
MAX_WAIT = 3600


def check_workflow(workflow: Any) -> dict[str, Any]:
    """The workflow with step ids filled in (`step1`, ...); 400 naming the bad field."""
    if not isinstance(workflow, dict):
        raise invalid("workflow", "must be an object with a 'steps' list")
    steps = workflow.get("steps", workflow.get("nodes", []))
    if not isinstance(steps, list):
        raise invalid("workflow.steps", "must be a list")
    if len(steps) > MAX_STEPS:
        raise invalid("workflow.steps", f"at most {MAX_STEPS} steps")
    checked: list[dict[str, Any]] = []
    seen: set[str] = set()
    for n, step in enumerate(steps):
        where = f"workflow.steps[{n}]"
        if not isinstance(step, dict):
            raise invalid(where, "must be an object")
        step = dict(step)
        step_id = step.setdefault("id", f"step{n + 1}")
        if not isinstance(step_id, str) or not step_id or "." in step_id:
            raise invalid(f"{where}.id", "must be a non-empty string without dots")
        if step_id in seen:
            raise invalid(f"{where}.id", f"duplicate step id '{step_id}'")
        seen.add(step_id)
        kind = step.get("type")
        if kind not in STEP_TYPES:
            raise invalid(f"{where}.type", f"must be one of {', '.join(STEP_TYPES)}")
        _check_step(step, kind, where)
        checked.append(step)
    return {**{k: v for k, v in workflow.items() if k != "nodes"}, "steps": checked}


def _check_step(step: dict[str, Any], kind: str, where: str) -> None:
    def need_str(name: str, *aliases: str, required: bool = True) -> None:
        for alias in aliases:
            if alias in step and name not in step:
                step[name] = step.pop(alias)
        value = step.get(name)
        if value is None and not required:
            return
        if not isinstance(value, str) or not value:
            raise invalid(f"{where}.{name}", "required (a non-empty string)")

    if kind == "agent":
        need_str("agentId", "agent_id")
        need_str("input", "prompt", required=False)
    elif kind == "dataset_query":
        need_str("datasetId", "dataset_id")
        need_str("query", required=False)
        top_k = step.get("top_k", step.get("topK", 5))
        if isinstance(top_k, bool) or not isinstance(top_k, int) or not 1 <= top_k <= 100:
            raise invalid(f"{where}.top_k", "must be an integer from 1 to 100")
        if "filter" in step and step["filter"] is not None:
            check_filter(step["filter"], f"{where}.filter")
    elif kind == "template":
        need_str("template")
    else:
        seconds = step.get("seconds")
        if (
            isinstance(seconds, bool)
            or not isinstance(seconds, int | float)
            or not 0 <= seconds <= MAX_WAIT
        ):
            raise invalid(f"{where}.seconds", f"must be a number from 0 to {MAX_WAIT}")


def check_input_schema(schema: Any) -> dict[str, Any]:
    """An input schema: a JSON Schema for an object; 400 on `inputSchema` otherwise."""
    if not isinstance(schema, dict):
        raise invalid("inputSchema", "must be a JSON Schema object")
    if schema.get("type", "object") != "object":
        raise invalid("inputSchema", "must describe an object (type: object)")
    try:
        jsonschema.Draft202012Validator.check_schema(schema)
    except jsonschema.SchemaError as exc:
        raise invalid("inputSchema", f"not a valid JSON Schema: {exc.message}") from None
    return schema


def check_inputs(schema: dict[str, Any] | None, inputs: Any) -> dict[str, Any]:
    """A run's inputs against the task's schema; 400 naming the first bad field."""
    if not isinstance(inputs, dict):
        raise invalid("inputs", "must be a JSON object")
    if not schema:
        return inputs
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(
        validator.iter_errors(inputs), key=lambda e: (list(map(str, e.path)), e.validator)
    )
    if not errors:
        return inputs
    error = errors[0]
    path = [str(p) for p in error.path]
    if error.validator == "required" and isinstance(error.instance, dict):
        missing = [r for r in error.validator_value if r not in error.instance]
        if missing:
            return _refuse(
                [*path, missing[0]],
                "required",
                f"Missing required input '{'.'.join([*path, missing[0]])}'",
            )
    return _refuse(path, error.message, None)


def _refuse(path: list[str], reason: str, message: str | None) -> dict[str, Any]:
    field = ".".join(["inputs", *path])
    raise invalid(field, reason, message or f"Invalid input '{field}': {reason}")
