"""The JSON Schemas of the OpenAPI document: request and response bodies, parameters, headers."""

from __future__ import annotations

from typing import Any

Schema = dict[str, Any]

STR: Schema = {"type": "string"}
NSTR: Schema = {"type": ["string", "null"]}
TIME: Schema = {"type": "string", "format": "date-time"}
NTIME: Schema = {"type": ["string", "null"], "format": "date-time"}
INT: Schema = {"type": "integer"}
NINT: Schema = {"type": ["integer", "null"]}
NUM: Schema = {"type": "number"}
NAME: Schema = {"type": "string", "minLength": 1, "maxLength": 200, "pattern": r"\S"}
PERMISSION: Schema = {
    "type": "string",
    "enum": [
        "*",
        "read:agents",
        "write:agents",
        "read:tasks",
        "write:tasks",
        "read:datasets",
        "write:datasets",
        "read:api_keys",
        "write:api_keys",
        "read:knowledge",
        "write:knowledge",
    ],
}


def ref(name: str) -> Schema:
    """A reference to a component schema."""
    return {"$ref": f"#/components/schemas/{name}"}


def arr(items: Schema, **extra: Any) -> Schema:
    """An array schema."""
    return {"type": "array", "items": items, **extra}


def obj(props: dict[str, Schema], required: list[str] | None = None, **extra: Any) -> Schema:
    """An object schema; `required` defaults to every property."""
    return {
        "type": "object",
        "properties": props,
        "required": list(props) if required is None else required,
        **extra,
    }


def opt(props: dict[str, Schema], **extra: Any) -> Schema:
    """An object schema whose properties are all optional (request bodies)."""
    return obj(props, [], **extra)


USAGE = obj({"prompt_tokens": INT, "completion_tokens": INT, "total_tokens": INT})
CITATION = obj({"datasetId": STR, "recordId": STR, "score": NUM})
AGENT_SETTINGS = opt(
    {
        "temperature": {"type": "number", "minimum": 0, "maximum": 2},
        "maxTokens": {"type": "integer", "minimum": 1, "maximum": 1_000_000},
    }
)
AGENT_FIELDS: dict[str, Schema] = {
    "description": NSTR,
    "agentType": {"type": "string", "enum": ["CHAT", "TASK"]},
    "model": {"type": ["string", "null"], "maxLength": 200},
    "systemPrompt": NSTR,
    "promptTemplate": NSTR,
    "knowledgeBases": arr(STR, description="Dataset ids; each must exist."),
    "settings": {"oneOf": [AGENT_SETTINGS, {"type": "null"}]},
}
FILTER: Schema = {
    "type": "object",
    "description": 'Field -> value (equality) or {"$gt"|"$gte"|"$lt"|"$lte"|"$ne"|"$in": operand}.',
    "additionalProperties": {
        "oneOf": [
            {"not": {"type": "object"}},
            {
                "type": "object",
                "properties": {
                    "$gt": {},
                    "$gte": {},
                    "$lt": {},
                    "$lte": {},
                    "$ne": {},
                    "$in": {"type": "array"},
                },
                "additionalProperties": False,
                "minProperties": 1,
            },
        ]
    },
}
STEP: Schema = {
    "type": "object",
    "description": "A workflow step: agent (agentId, input), dataset_query (datasetId, query, "
    "top_k, filter), template (template), wait (seconds).",
    "properties": {
        "id": {"type": "string", "pattern": r"^[^.]+$"},
        "type": {"type": "string", "enum": ["agent", "dataset_query", "template", "wait"]},
    },
    "required": ["type"],
}
WORKFLOW = {"type": "object", "properties": {"steps": arr(STEP, maxItems=50)}}
TASK_FIELDS: dict[str, Schema] = {
    "description": NSTR,
    "type": {"type": "string", "enum": ["MANUAL", "SCHEDULED", "EVENT"]},
    "priority": {"type": ["string", "null"], "enum": ["low", "normal", "high", None]},
    "schedule": {"type": ["string", "null"], "maxLength": 200},
    "tags": arr(STR),
    "inputSchema": {"type": ["object", "null"], "description": "A JSON Schema (type: object)."},
    "workflow": {"oneOf": [WORKFLOW, {"type": "null"}]},
}
RUN_FIELDS: dict[str, Schema] = {
    "id": STR,
    "taskId": STR,
    "status": {"type": "string", "enum": ["PENDING", "RUNNING", "COMPLETED", "FAILED", "CANCELED"]},
    "inputs": {"type": "object"},
    "outputs": {"type": ["object", "null"]},
    "error": {
        "oneOf": [
            obj({"code": STR, "message": STR, "step": NSTR}),
            {"type": "null"},
        ]
    },
    "progress": obj({"done": INT, "total": INT}),
    "startTime": NTIME,
    "endTime": NTIME,
    "duration": NINT,
    "created_at": TIME,
}
LOG_LINE = obj(
    {
        "level": {"type": "string", "enum": ["INFO", "WARNING", "ERROR", "DEBUG"]},
        "message": STR,
        "timestamp": TIME,
        "nodeId": NSTR,
    }
)
DATASET_FIELDS: dict[str, Schema] = {
    "id": STR,
    "name": STR,
    "description": STR,
    "textFields": {"type": ["array", "null"], "items": STR},
    "recordCount": INT,
    "created_at": TIME,
    "updated_at": TIME,
}
KEY_FIELDS: dict[str, Schema] = {
    "id": STR,
    "name": STR,
    "application": NSTR,
    "permissions": arr(STR),
    "prefix": STR,
    "expiresAt": NTIME,
    "lastUsedAt": NTIME,
    "isRevoked": {"type": "boolean"},
    "created_at": TIME,
    "updated_at": TIME,
}

SCHEMAS: dict[str, Schema] = {
    "Error": obj(
        {
            "error": obj(
                {"code": STR, "message": STR, "details": {"type": "object"}},
            )
        }
    ),
    "Pagination": obj({"page": INT, "limit": INT, "total": INT, "pages": INT}),
    "Agent": obj(
        {
            "id": STR,
            "name": STR,
            "description": STR,
            "agentType": {"type": "string", "enum": ["CHAT", "TASK"]},
            "model": STR,
            "systemPrompt": STR,
            "promptTemplate": STR,
            "knowledgeBases": arr(STR),
            "settings": {"type": "object"},
            "status": STR,
            "created_at": TIME,
            "updated_at": TIME,
        }
    ),
    "AgentCreate": obj({"name": NAME, **AGENT_FIELDS}, ["name"]),
    "AgentUpdate": opt({"name": NAME, **AGENT_FIELDS}),
    "ChatRequest": obj(
        {
            "messages": arr(
                obj(
                    {
                        "role": {"type": "string", "enum": ["system", "user", "assistant", "tool"]},
                        "content": {"type": ["string", "null"]},
                    }
                ),
                minItems=1,
            ),
            "temperature": {"type": ["number", "null"], "minimum": 0, "maximum": 2},
            "max_tokens": {"type": ["integer", "null"], "minimum": 1, "maximum": 1_000_000},
            "top_p": {"type": ["number", "null"], "minimum": 0, "maximum": 1},
            "stream": {"type": "boolean", "const": False},
        },
        ["messages"],
    ),
    "ChatCompletion": obj(
        {
            "id": STR,
            "object": {"const": "chat.completion"},
            "created": INT,
            "model": STR,
            "choices": arr(
                obj(
                    {
                        "index": INT,
                        "message": obj({"role": {"const": "assistant"}, "content": STR}),
                        "finish_reason": {"type": "string", "enum": ["stop", "length"]},
                    }
                )
            ),
            "usage": USAGE,
            "citations": arr(CITATION),
        }
    ),
    "ExecuteRequest": opt(
        {
            "inputs": {"type": ["object", "null"]},
            "settings": {"oneOf": [AGENT_SETTINGS, {"type": "null"}]},
            "session_id": {"type": ["string", "null"], "maxLength": 200},
        }
    ),
    "Execution": obj(
        {
            "id": STR,
            "object": {"const": "agent.execution"},
            "agentId": STR,
            "status": STR,
            "output": STR,
            "outputs": {"type": "object"},
            "citations": arr(CITATION),
            "usage": USAGE,
            "created_at": TIME,
        }
    ),
    "AgentLog": obj(
        {
            "id": STR,
            "agentId": STR,
            "kind": {"type": "string", "enum": ["chat", "execute"]},
            "status": {"type": "string", "enum": ["success", "error"]},
            "latencyMs": INT,
            "usage": {"oneOf": [USAGE, {"type": "null"}]},
            "input": NSTR,
            "output": NSTR,
            "error": NSTR,
            "created_at": TIME,
        }
    ),
    "Task": obj(
        {
            "id": STR,
            "name": STR,
            **TASK_FIELDS,
            "description": STR,
            "inputSchema": {"type": "object"},
            "workflow": WORKFLOW,
            "status": STR,
            "created_at": TIME,
            "updated_at": TIME,
        }
    ),
    "TaskCreate": obj({"name": NAME, **TASK_FIELDS}, ["name"]),
    "TaskUpdate": opt({"name": NAME, **TASK_FIELDS}),
    "JsonSchema": {"type": "object", "description": "A JSON Schema."},
    "RunInputs": {
        "type": "object",
        "description": "The inputs, checked against the task's schema.",
    },
    "Run": obj({**RUN_FIELDS, "logs": arr(LOG_LINE)}),
    "RunSummary": obj(RUN_FIELDS),
    "Dataset": obj(DATASET_FIELDS),
    "DatasetDetail": obj(
        {
            **DATASET_FIELDS,
            "statistics": obj(
                {
                    "recordCount": INT,
                    "sizeBytes": INT,
                    "fields": arr(STR),
                    "lastImportAt": NTIME,
                }
            ),
        }
    ),
    "DatasetCreate": obj(
        {
            "name": NAME,
            "description": NSTR,
            "textFields": {"type": ["array", "null"], "items": STR},
        },
        ["name"],
    ),
    "DatasetUpdate": opt(
        {"name": NAME, "description": NSTR, "textFields": {"type": ["array", "null"], "items": STR}}
    ),
    "QueryRequest": opt(
        {
            "query": {"type": ["string", "null"], "maxLength": 10_000},
            "vector": {
                "type": ["array", "null"],
                "items": NUM,
                "description": "Exactly as many numbers as the embedding dimension (4096 with the default hashing embedder).",
            },
            "filter": {"oneOf": [FILTER, {"type": "null"}]},
            "top_k": {"type": ["integer", "null"], "minimum": 1, "maximum": 100},
            "offset": {"type": ["integer", "null"], "minimum": 0, "maximum": 1_000_000},
            "fields": {"type": ["array", "null"], "items": STR},
        }
    ),
    "QueryResult": obj(
        {
            "data": arr(
                obj(
                    {"id": STR, "score": {"type": ["number", "null"]}, "record": {"type": "object"}}
                )
            ),
            "total": INT,
            "top_k": INT,
            "offset": INT,
        }
    ),
    "ImportBody": arr({"type": "object"}),
    "ImportResult": obj(
        {
            "datasetId": STR,
            "imported": INT,
            "failed": INT,
            "errors": arr(obj({"row": INT, "message": STR})),
            "recordCount": INT,
        }
    ),
    "ApiKey": obj(KEY_FIELDS),
    "ApiKeyCreated": obj({**KEY_FIELDS, "key": {"type": "string", "pattern": "^sk-"}}),
    "ApiKeyCreate": obj(
        {
            "name": NAME,
            "permissions": {"type": ["array", "null"], "items": PERMISSION},
            "expiresAt": NTIME,
            "application": {"type": ["string", "null"], "maxLength": 200},
        },
        ["name"],
    ),
    "ApiKeyUpdate": opt(
        {
            "name": NAME,
            "permissions": arr(PERMISSION),
            "expiresAt": NTIME,
            "application": {"type": ["string", "null"], "maxLength": 200},
        }
    ),
    "ApiKeyUsage": obj(
        {
            "keyId": STR,
            "requestsLastDay": INT,
            "requestsLastWeek": INT,
            "requestsLastMonth": INT,
            "errorsLastDay": INT,
            "lastUsedAt": NTIME,
            "lastUsedIp": NSTR,
            "topEndpoints": arr(obj({"path": STR, "count": INT})),
            "byDay": arr(
                obj({"date": {"type": "string", "format": "date"}, "requests": INT, "errors": INT})
            ),
            "rateLimit": obj({"limit": INT, "remaining": INT, "reset": INT}),
        }
    ),
    "User": obj(
        {
            "id": STR,
            "email": STR,
            "name": STR,
            "company": NSTR,
            "language": STR,
            "timeZone": STR,
            "created_at": TIME,
            "apiKey": obj({"id": STR, "name": STR, "permissions": arr(STR), "expiresAt": NTIME}),
        }
    ),
    "Health": obj({"status": {"const": "ok"}}),
}

QUERY: dict[str, Schema] = {
    "page": {
        "name": "page",
        "in": "query",
        "schema": {"type": "integer", "minimum": 1, "maximum": 10_000_000},
        "description": "1-based page (default 1).",
    },
    "limit": {
        "name": "limit",
        "in": "query",
        "schema": {"type": "integer", "minimum": 1},
        "description": "Page size (default 20; more than 100 is clamped to 100).",
    },
    "search": {
        "name": "search",
        "in": "query",
        "schema": STR,
        "description": "Case-insensitive text in the name or description.",
    },
    "type:agents": {
        "name": "type",
        "in": "query",
        "schema": {"type": "string", "enum": ["CHAT", "TASK"]},
    },
    "type:tasks": {
        "name": "type",
        "in": "query",
        "schema": {"type": "string", "enum": ["MANUAL", "SCHEDULED", "EVENT"]},
    },
    "kind": {
        "name": "kind",
        "in": "query",
        "schema": {"type": "string", "enum": ["chat", "execute"]},
    },
    "status:logs": {
        "name": "status",
        "in": "query",
        "schema": {"type": "string", "enum": ["success", "error"]},
    },
    "status:runs": {
        "name": "status",
        "in": "query",
        "schema": {
            "type": "string",
            "enum": ["PENDING", "RUNNING", "COMPLETED", "FAILED", "CANCELED"],
        },
    },
    "mode": {
        "name": "mode",
        "in": "query",
        "schema": {"type": "string", "enum": ["all", "partial"]},
        "description": "all (default): any bad row refuses the import; partial: import the good rows, report the bad.",
    },
    "format": {
        "name": "format",
        "in": "query",
        "schema": {"type": "string", "enum": ["jsonl", "csv"]},
    },
}
HEADERS: dict[str, Schema] = {
    "Idempotency-Key": {
        "name": "Idempotency-Key",
        "in": "header",
        "schema": {"type": "string", "minLength": 1, "maxLength": 255},
        "description": "Replays the first answer for the same key and body; 409 for another body.",
    },
}
RESPONSE_HEADERS: dict[str, Schema] = {
    "X-Request-Id": {"schema": STR, "required": True},
    "X-RateLimit-Limit": {"schema": INT, "required": True},
    "X-RateLimit-Remaining": {"schema": INT, "required": True},
    "X-RateLimit-Reset": {
        "schema": INT,
        "required": True,
        "description": "Unix time the window resets.",
    },
}
ERROR_TEXT = {
    400: "Invalid parameter (details name the field)",
    401: "Missing, unknown, revoked or expired API key",
    403: "The key lacks the permission in details.required",
    404: "Unknown id or route",
    409: "Conflict",
    413: "Body over the size limit",
    429: "Rate limit exceeded (Retry-After says when to retry)",
    500: "Internal error",
    503: "Service unavailable (injected fault)",
}
