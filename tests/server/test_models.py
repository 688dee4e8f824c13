"""Models: fields the platform leaves untyped get a real type, and any shape it sends still fits."""

from __future__ import annotations

from typing import Any

import pytest

from genispace_mcp.server.models import AgentLog, Execution, Run, Task, read
from genispace_mcp.server.toolsets import ALL_TOOLS
from tests.server.test_toolsnaps import TOOLS


@pytest.mark.parametrize(
    ("sent", "shown"),
    [
        ("high", "high"),
        (3, "3"),
        ({"level": 2}, '{"level":2}'),
        (["a", "b"], '["a","b"]'),
        (True, "true"),
    ],
)
def test_text_fields_take_any_shape_as_a_string(sent: Any, shown: str) -> None:
    assert read(Task, {"id": "tsk_1", "priority": sent}).priority == shown
    log = read(AgentLog, {"id": "log_1", "input": sent, "output": sent, "error": sent})
    assert (log.input, log.output, log.error) == (shown, shown, shown)
    assert read(Execution, {"agent_id": "agt_1", "output": sent}).output == shown


@pytest.mark.parametrize(
    ("sent", "shown"),
    [
        ({"steps": []}, {"steps": []}),
        ('{"steps": [1]}', {"steps": [1]}),
        ("not json", {"value": "not json"}),
        ([{"id": "n1"}], {"value": [{"id": "n1"}]}),
        (42, {"value": 42}),
    ],
)
def test_object_fields_take_any_shape_as_an_object(sent: Any, shown: dict[str, Any]) -> None:
    assert read(Task, {"id": "tsk_1", "workflow": sent}).workflow == shown
    run = read(
        Run, {"id": "run_1", "status": "DONE", "final": True, "inputs": sent, "outputs": sent}
    )
    assert (run.inputs, run.outputs) == (shown, shown)
    # The SDK validates structuredContent against the model again: the shaped value must pass as is.
    dumped = run.model_dump(mode="json", exclude_none=True)
    assert Run.model_validate(dumped).model_dump(mode="json", exclude_none=True) == dumped


def _untyped(schema: Any, path: str) -> list[str]:
    """Paths in a JSON Schema where a value may be anything (`{}` or a description alone)."""
    if isinstance(schema, dict):
        if not set(schema) - {"description", "title", "default"}:
            return [path]
        found = []
        for key in ("properties", "$defs"):
            for name, sub in (schema.get(key) or {}).items():
                found += _untyped(sub, f"{path}.{name}")
        for key in ("items", "additionalProperties"):
            if isinstance(schema.get(key), dict):
                found += _untyped(schema[key], f"{path}[]")
        for key in ("anyOf", "oneOf", "allOf"):
            for sub in schema.get(key) or []:
                found += _untyped(sub, path)
        return found
    return []


@pytest.mark.parametrize("name", ALL_TOOLS)
def test_output_schemas_type_every_field(name: str) -> None:
    # The Inspector's strict mode flags untyped fields; an open object (`additionalProperties:
    # true`) is typed, an empty schema is not.
    assert _untyped(TOOLS[name].get("outputSchema", {"type": "object"}), name) == []
