"""Models: the lean output models every tool's outputSchema and structuredContent are built from.

Flat, shared and typed: one model per noun, read straight from the client's objects
(`from_attributes`), every field optional except ids so a sparse answer still validates.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

Json = dict[str, Any]


def _iso(value: Any) -> Any:
    if isinstance(value, datetime):
        text = value.isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text
    return value


# A timestamp as the API spells it (ISO 8601); the client may have parsed it, so print it back.
Time = Annotated[str | None, BeforeValidator(_iso)]
M = TypeVar("M", bound=BaseModel)


class Out(BaseModel):
    """Base of every output model: built from client objects, unknown attributes ignored."""

    model_config = ConfigDict(from_attributes=True, extra="ignore")


def read(model: type[M], value: Any = None, **overrides: Any) -> M:
    """Build an output model from a client object or a dict, with `overrides` on top.

    Missing and None attributes are left out, so the model's defaults apply; nested client objects
    are read by attribute too.
    """
    if value is None:
        data: dict[str, Any] = {}
    elif isinstance(value, dict):
        data = dict(value)
    else:
        data = {name: getattr(value, name, None) for name in model.model_fields}
    data.update(overrides)
    data = {key: item for key, item in data.items() if item is not None}
    return model.model_validate(data, from_attributes=True)


class Paged(Out):
    """What every list adds: where this page is and how to get the next one."""

    page: int
    total: int | None = None
    has_more: bool = False
    next: str | None = Field(
        default=None, description="How to get the next page, when there is one."
    )


class Usage(Out):
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    total_tokens: int | None = None


class Agent(Out):
    id: str
    name: str | None = None
    description: str | None = None
    agent_type: str | None = None
    model: str | None = None
    status: str | None = None
    system_prompt: str | None = None
    prompt_template: str | None = Field(
        default=None, description="Its {{names}} are execute_agent's inputs."
    )
    settings: Json | None = None
    knowledge_bases: list[str] | None = None
    created_at: Time = None
    updated_at: Time = None


class AgentList(Paged):
    items: list[Agent]


class Citation(Out):
    dataset_id: str | None = None
    record_id: str | None = None
    score: float | None = None


class ChatReply(Out):
    agent_id: str
    reply: str = Field(description="The agent's answer (untrusted data).")
    usage: Usage | None = None
    citations: list[Citation] | None = None


class Execution(Out):
    id: str | None = None
    agent_id: str
    status: str | None = None
    output: Any = Field(default=None, description="Untrusted data.")
    outputs: Json | None = Field(default=None, description="Untrusted data.")
    usage: Usage | None = None


class AgentLog(Out):
    id: str
    kind: str | None = None
    status: str | None = None
    latency_ms: float | None = None
    input: Any = None
    output: Any = None
    error: Any = None
    created_at: Time = None


class AgentLogList(Paged):
    agent_id: str
    items: list[AgentLog]


class Task(Out):
    id: str
    name: str | None = None
    description: str | None = None
    type: str | None = None
    status: str | None = None
    priority: Any = None
    schedule: str | None = None
    tags: list[str] | None = None
    input_schema: Json | None = Field(
        default=None, description="JSON Schema of the inputs run_task takes."
    )
    workflow: Any = None
    created_at: Time = None
    updated_at: Time = None


class TaskList(Paged):
    items: list[Task]


class Progress(Out):
    done: int | None = None
    total: int | None = None


class RunError(Out):
    code: str | None = None
    message: str | None = None
    step: str | None = None


class RunLog(Out):
    level: str | None = None
    message: str | None = None
    timestamp: Time = None
    node_id: str | None = None


class Run(Out):
    id: str
    task_id: str | None = None
    status: str
    final: bool = Field(description="True once the run can no longer change.")
    progress: Progress | None = None
    inputs: Any = None
    outputs: Any = Field(default=None, description="Untrusted data.")
    error: RunError | None = None
    logs: list[RunLog] | None = Field(
        default=None, description="The last log lines (untrusted data)."
    )
    start_time: Time = None
    end_time: Time = None
    duration: float | None = Field(default=None, description="Milliseconds.")
    follow: str | None = Field(
        default=None, description="How to follow a run that is not final yet."
    )


class RunList(Paged):
    task_id: str
    items: list[Run]


class DatasetStatistics(Out):
    record_count: int | None = None
    size_bytes: int | None = None
    fields: list[str] | None = None
    last_import_at: Time = None


class Dataset(Out):
    id: str
    name: str | None = None
    description: str | None = None
    text_fields: list[str] | None = None
    record_count: int | None = None
    statistics: DatasetStatistics | None = None
    created_at: Time = None
    updated_at: Time = None


class DatasetList(Paged):
    items: list[Dataset]


class Match(Out):
    id: str | None = None
    score: float | None = None
    record: Json = Field(description="Untrusted data.")


class QueryResult(Out):
    dataset_id: str
    total: int | None = Field(default=None, description="Records matching the filter.")
    offset: int
    matches: list[Match]
    has_more: bool = False
    next: str | None = None


class RowError(Out):
    row: int | None = None
    message: str | None = None


class ImportResult(Out):
    dataset_id: str
    imported: int
    failed: int = 0
    errors: list[RowError] | None = None


class Export(Out):
    dataset_id: str
    format: str
    uri: str = Field(description="Read this resource for every record.")
    preview: list[Json] = Field(description="The first records (untrusted data).")
    more: bool = Field(description="True when the export has more records than the preview.")


class ApiKey(Out):
    id: str
    name: str | None = None
    application: str | None = None
    permissions: list[str] | None = None
    prefix: str | None = None
    expires_at: Time = None
    last_used_at: Time = None
    is_revoked: bool | None = None
    created_at: Time = None


class ApiKeyList(Paged):
    items: list[ApiKey]


class CreatedApiKey(ApiKey):
    secret_file: str | None = Field(
        default=None, description="File (mode 0600) holding the new secret."
    )
    secret: str | None = Field(
        default=None, description="Only when the operator chose --reveal-secrets."
    )


class Endpoint(Out):
    path: str | None = None
    count: int | None = None


class RateLimit(Out):
    limit: int | None = None
    remaining: int | None = None
    reset: float | None = Field(default=None, description="Unix time the window resets.")


class ApiKeyUsage(Out):
    key_id: str
    requests_last_day: int | None = None
    requests_last_week: int | None = None
    requests_last_month: int | None = None
    errors_last_day: int | None = None
    last_used_at: Time = None
    last_used_ip: str | None = None
    top_endpoints: list[Endpoint] | None = None
    rate_limit: RateLimit | None = None


class Deleted(Out):
    id: str
    deleted: bool
    message: str


class Whoami(Out):
    user_id: str | None = None
    email: str | None = None
    name: str | None = None
    company: str | None = None
    key_name: str | None = None
    permissions: list[str] | None = None
    rate_limit: RateLimit | None = None
    base_url: str
    toolsets: list[str]
    read_only: bool
