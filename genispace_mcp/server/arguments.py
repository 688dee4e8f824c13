"""Arguments: the typed, bounded, documented argument types the tools share."""

from __future__ import annotations

from typing import Annotated, Any

from mcp.server.mcpserver.exceptions import ToolError
from pydantic import Field

Page = Annotated[int, Field(ge=1, le=10_000, description="1-based page number.")]
Limit = Annotated[int, Field(ge=1, le=100, description="Items per page (max 100).")]
Search = Annotated[str, Field(max_length=200, description="Only items whose name matches.")]

AgentId = Annotated[str, Field(min_length=1, max_length=200, description="Agent id (agt_...).")]
TaskId = Annotated[str, Field(min_length=1, max_length=200, description="Task id (tsk_...).")]
RunId = Annotated[str, Field(min_length=1, max_length=200, description="Run id (run_...).")]
DatasetId = Annotated[str, Field(min_length=1, max_length=200, description="Dataset id (ds_...).")]
KeyId = Annotated[str, Field(min_length=1, max_length=200, description="API key id (key_...).")]

Confirm = Annotated[
    str | None,
    Field(
        max_length=200,
        description="Only when the tool asks for it: the id again, after the user agreed.",
    ),
]
Temperature = Annotated[float | None, Field(ge=0, le=2, description="Sampling temperature.")]
MaxTokens = Annotated[int | None, Field(ge=1, le=32_000, description="Cap on reply tokens.")]
Inputs = Annotated[dict[str, Any], Field(description="Input values (a JSON object).")]

Description = Annotated[str | None, Field(max_length=2_000, description="What it is for.")]
NewName = Annotated[str | None, Field(min_length=1, max_length=200, description="New name.")]
SystemPrompt = Annotated[
    str | None, Field(max_length=50_000, description="Instructions the agent always follows.")
]
KnowledgeBases = Annotated[
    list[str] | None, Field(max_length=50, description="Dataset ids to ground answers in.")
]
Model = Annotated[str | None, Field(max_length=200, description="Model name.")]
Tags = Annotated[list[str] | None, Field(max_length=50, description="Labels to find it by.")]
Schedule = Annotated[str | None, Field(max_length=100, description="Cron, if SCHEDULED.")]
InputSchema = Annotated[
    dict[str, Any] | None, Field(description="JSON Schema (type object) of the inputs.")
]
Workflow = Annotated[
    dict[str, Any] | None,
    Field(description='{"steps": [{"id", "type": agent|dataset_query|template|wait, ...}]}'),
]
TextFields = Annotated[
    list[str] | None, Field(max_length=100, description="Record fields to embed for search.")
]


def given_fields(**fields: Any) -> dict[str, Any]:
    """The update fields the caller gave (not None); a ToolError naming them all when none was."""
    changes = {key: value for key, value in fields.items() if value is not None}
    if not changes:
        raise ToolError(f"Nothing to change: give at least one of {', '.join(fields)}.")
    return changes
