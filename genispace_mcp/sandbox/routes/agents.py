"""Agents: CRUD, chat (OpenAI-compatible), execute, the deprecated invoke, and call logs."""

from __future__ import annotations

import time
from typing import Any

import anyio
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from genispace_mcp.sandbox.answer import MODEL, Answer, log_call, respond
from genispace_mcp.sandbox.context import Context, context
from genispace_mcp.sandbox.errors import invalid, not_found
from genispace_mcp.sandbox.ids import iso, new_id
from genispace_mcp.sandbox.params import (
    MISSING,
    Fields,
    json_body,
    page_body,
    pagination,
    query_choice,
)
from genispace_mcp.sandbox.routes.registry import Routes
from genispace_mcp.sandbox.templates import TemplateError, render

routes = Routes("agents")

AGENT_TYPES = ("CHAT", "TASK")
CONFIGS = ("conversationConfig", "responseConfig", "mcpConfig", "memoryConfig", "webSearchConfig")
ROLES = ("system", "user", "assistant", "tool")
# Input names an execute call is most likely asking with, when the agent has no prompt template.
QUESTION_INPUTS = ("query", "question", "prompt", "input", "text", "message")


def _load(ctx: Context, agent_id: str) -> dict[str, Any]:
    agent = ctx.store.get_agent(agent_id)
    if agent is None:
        raise not_found("agent", agent_id)
    return agent


def _apply(ctx: Context, agent: dict[str, Any], body: dict[str, Any], creating: bool) -> None:
    """Validate the sent fields and copy them onto `agent`."""
    f = Fields(body)
    name = f.text("name", required=creating, max_len=200)
    if name is not MISSING:
        if not name.strip():
            raise invalid("name", "required", "'name' must not be empty")
        agent["name"] = name
    for key in ("description", "systemPrompt", "promptTemplate"):
        value = f.text(key, nullable=True)
        if value is not MISSING:
            agent[key] = value or ""
    value = f.text("agentType", choices=AGENT_TYPES)
    if value is not MISSING:
        agent["agentType"] = value
    value = f.text("model", nullable=True, max_len=200)
    if value is not MISSING:
        agent["model"] = value or MODEL
    bases = f.strings("knowledgeBases")
    if bases is not MISSING:
        for dataset_id in bases:
            if ctx.store.get_dataset(dataset_id) is None:
                raise invalid("knowledgeBases", f"unknown dataset '{dataset_id}'")
        agent["knowledgeBases"] = list(dict.fromkeys(bases))
    settings = f.obj("settings", nullable=True)
    if settings is not MISSING:
        s = Fields(settings or {}, "settings.")
        merged = dict(agent.get("settings") or {})
        temperature = s.number("temperature", minimum=0, maximum=2)
        if temperature is not MISSING:
            merged["temperature"] = temperature
        max_tokens = s.number("maxTokens", minimum=1, maximum=1_000_000, integer=True)
        if max_tokens is not MISSING:
            merged["maxTokens"] = max_tokens
        agent["settings"] = merged
    for key in CONFIGS:
        config = f.obj(key, nullable=True)
        if config is not MISSING:
            agent[key] = config


@routes.add(
    "GET",
    "/agents",
    permission="read:agents",
    summary="List agents",
    returns="Page:Agent",
    query=("search", "type:agents", "page", "limit"),
)
async def list_agents(request: Request) -> Response:
    ctx = context(request)
    page, limit = pagination(request)
    agent_type = query_choice(request, "type", AGENT_TYPES)
    items, total = ctx.store.list_agents(
        page, limit, request.query_params.get("search"), agent_type
    )
    return JSONResponse(page_body(items, total, page, limit))


@routes.add(
    "POST",
    "/agents",
    permission="write:agents",
    summary="Create an agent",
    status=201,
    returns="Agent",
    body="AgentCreate",
)
async def create_agent(request: Request) -> Response:
    ctx = context(request)
    body = await json_body(request)
    now = iso(ctx.now())
    agent: dict[str, Any] = {
        "id": new_id("agt"),
        "name": "",
        "description": "",
        "agentType": "CHAT",
        "model": MODEL,
        "systemPrompt": "",
        "promptTemplate": "",
        "knowledgeBases": [],
        "settings": {"temperature": 0.7, "maxTokens": 2000},
        "status": "active",
        "created_at": now,
        "updated_at": now,
    }
    _apply(ctx, agent, body, creating=True)
    ctx.store.put_agent(agent)
    return JSONResponse(agent, status_code=201)


@routes.add(
    "GET", "/agents/{id}", permission="read:agents", summary="Get an agent", returns="Agent"
)
async def get_agent(request: Request) -> Response:
    return JSONResponse(_load(context(request), request.path_params["id"]))


@routes.add(
    "PUT",
    "/agents/{id}",
    permission="write:agents",
    summary="Update an agent (fields sent are changed)",
    returns="Agent",
    body="AgentUpdate",
)
async def update_agent(request: Request) -> Response:
    ctx = context(request)
    agent = _load(ctx, request.path_params["id"])
    _apply(ctx, agent, await json_body(request), creating=False)
    agent["updated_at"] = iso(ctx.now())
    ctx.store.put_agent(agent)
    return JSONResponse(agent)


@routes.add(
    "DELETE", "/agents/{id}", permission="write:agents", summary="Delete an agent", status=204
)
async def delete_agent(request: Request) -> Response:
    ctx = context(request)
    if not ctx.store.delete_agent(request.path_params["id"]):
        raise not_found("agent", request.path_params["id"])
    return Response(status_code=204)


def _message_text(content: Any, field: str) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # OpenAI content parts, or the SDK's `contents`
        texts = []
        for n, part in enumerate(content):
            if not isinstance(part, dict) or not isinstance(part.get("text", ""), str):
                raise invalid(f"{field}[{n}]", "must be a {type: text, text} object")
            texts.append(part.get("text", ""))
        return "\n".join(texts)
    if content is None:
        return ""
    raise invalid(field, "must be a string or a list of text parts")


def _messages(f: Fields) -> list[tuple[str, str]]:
    if not f.has("messages") and f.has("contents"):
        return [("user", _message_text(f.raw("contents"), "contents"))]
    messages = f.raw("messages")
    if not isinstance(messages, list) or not messages:
        raise invalid("messages", "required (a non-empty list)")
    result = []
    for n, message in enumerate(messages):
        if not isinstance(message, dict):
            raise invalid(f"messages[{n}]", "must be an object with role and content")
        role = message.get("role")
        if role not in ROLES:
            raise invalid(f"messages[{n}].role", f"must be one of {', '.join(ROLES)}")
        result.append((role, _message_text(message.get("content"), f"messages[{n}].content")))
    return result


async def _answer(
    ctx: Context, agent: dict[str, Any], question: str, rest: str, max_tokens: int | None
) -> Answer:
    # Retrieval can touch thousands of records: keep it off the event loop.
    return await anyio.to_thread.run_sync(
        lambda: respond(ctx.index, agent, question, rest, max_tokens)
    )


@routes.add(
    "POST",
    "/agents/{id}/chat",
    permission="write:agents",
    summary="Chat with an agent (OpenAI-compatible)",
    returns="ChatCompletion",
    body="ChatRequest",
)
async def chat(request: Request) -> Response:
    ctx = context(request)
    agent = _load(ctx, request.path_params["id"])
    body = await json_body(request)
    f = Fields(body)
    messages = _messages(f)
    f.number("temperature", minimum=0, maximum=2, nullable=True)
    f.number("top_p", minimum=0, maximum=1, nullable=True)
    max_tokens = f.number("max_tokens", minimum=1, maximum=1_000_000, integer=True, nullable=True)
    if f.flag("stream", default=False) is True:
        raise invalid("stream", "streaming is not supported by the sandbox; send stream: false")
    users = [text for role, text in messages if role == "user"]
    question = users[-1] if users else messages[-1][1]
    rest = "\n".join(text for _, text in messages)
    started = time.perf_counter()
    answer = await _answer(
        ctx, agent, question, rest, None if max_tokens is MISSING else max_tokens
    )
    latency = round((time.perf_counter() - started) * 1000)
    log_call(ctx.store, ctx.now(), agent["id"], "chat", question, answer, latency)
    return JSONResponse(
        {
            "id": "chatcmpl-" + new_id("x")[2:],
            "object": "chat.completion",
            "created": int(ctx.now()),
            "model": agent.get("model") or MODEL,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": answer.text},
                    "finish_reason": answer.finish_reason,
                }
            ],
            "usage": answer.usage(),
            "citations": answer.citations,
        }
    )


async def _execute(request: Request, deprecated: bool) -> Response:
    ctx = context(request)
    agent = _load(ctx, request.path_params["id"])
    body = await json_body(request, optional=True)
    f = Fields(body)
    inputs = f.obj("inputs", default={}, nullable=True) or {}
    settings = f.obj("settings", default={}, nullable=True) or {}
    s = Fields(settings, "settings.")
    s.number("temperature", minimum=0, maximum=2, nullable=True)
    max_tokens = s.number("maxTokens", minimum=1, maximum=1_000_000, integer=True, nullable=True)
    f.text("session_id", nullable=True, max_len=200)
    template = agent.get("promptTemplate") or ""
    if template:
        try:
            question = render(template, {"inputs": inputs, **inputs})
        except TemplateError as exc:
            error = invalid(
                f"inputs.{exc.name.removeprefix('inputs.')}",
                "required by the agent's prompt template",
            )
            # A call that reached the agent and failed is logged too, as an error.
            log_call(ctx.store, ctx.now(), agent["id"], "execute", inputs, None, 0, error.message)
            raise error from None
    else:
        asked = [inputs[k] for k in QUESTION_INPUTS if isinstance(inputs.get(k), str)]
        question = (
            asked[0] if asked else (render("{{inputs}}", {"inputs": inputs}) if inputs else "")
        )
    started = time.perf_counter()
    answer = await _answer(
        ctx, agent, question, "", None if max_tokens in (MISSING, None) else max_tokens
    )
    latency = round((time.perf_counter() - started) * 1000)
    log_call(ctx.store, ctx.now(), agent["id"], "execute", inputs, answer, latency)
    result = {
        "id": new_id("exe"),
        "object": "agent.execution",
        "agentId": agent["id"],
        "status": "COMPLETED",
        "output": answer.text,
        "outputs": {"answer": answer.text},
        "citations": answer.citations,
        "usage": answer.usage(),
        "created_at": iso(ctx.now()),
    }
    headers = (
        {
            "Deprecation": "true",
            "Link": f'</v1/agents/{agent["id"]}/execute>; rel="successor-version"',
        }
        if deprecated
        else None
    )
    return JSONResponse(result, headers=headers)


@routes.add(
    "POST",
    "/agents/{id}/execute",
    permission="write:agents",
    summary="Execute an agent (Agent Execution Protocol)",
    returns="Execution",
    body="ExecuteRequest",
    body_required=False,
)
async def execute(request: Request) -> Response:
    return await _execute(request, deprecated=False)


@routes.add(
    "POST",
    "/agents/{id}/invoke",
    permission="write:agents",
    summary="Invoke an agent (deprecated alias of execute)",
    returns="Execution",
    body="ExecuteRequest",
    body_required=False,
    deprecated=True,
)
async def invoke(request: Request) -> Response:
    return await _execute(request, deprecated=True)


@routes.add(
    "GET",
    "/agents/{id}/logs",
    permission="read:agents",
    summary="An agent's chat and execute logs, newest first",
    returns="Page:AgentLog",
    query=("kind", "status:logs", "page", "limit"),
)
async def logs(request: Request) -> Response:
    ctx = context(request)
    agent = _load(ctx, request.path_params["id"])
    page, limit = pagination(request)
    kind = query_choice(request, "kind", ("chat", "execute"))
    status = query_choice(request, "status", ("success", "error"))
    items, total = ctx.store.list_agent_logs(agent["id"], page, limit, kind, status)
    return JSONResponse(page_body(items, total, page, limit))
