"""gs.agents: list, create and manage agents; chat with them and run their Execution Protocol."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from typing import Any

import httpx

from genispace_mcp.client._pagination import Page, iterate_pages
from genispace_mcp.client._resource import Resource, camel_body, new_idempotency_key
from genispace_mcp.client._transport import LONG_TIMEOUT, segment, to_timeout
from genispace_mcp.client.types.agent import Agent, AgentExecution, AgentLog, ChatCompletion

__all__ = ["Agents"]

Timeout = float | httpx.Timeout | None


def _messages(messages: str | Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    if isinstance(messages, str):
        return [{"role": "user", "content": messages}]
    result = [dict(m) for m in messages]
    if not result:
        raise ValueError("messages must hold at least one message")
    return result


class Agents(Resource):
    """The agent API (`/agents`)."""

    async def list(
        self,
        *,
        search: str | None = None,
        type: str | None = None,
        page: int = 1,
        limit: int = 20,
    ) -> Page[Agent]:
        """One page of agents, optionally filtered by a search text and type (CHAT or TASK)."""
        reply = await self._t.request(
            "GET", "agents", params={"search": search, "type": type, "page": page, "limit": limit}
        )
        return self._page(Agent, reply, page, limit)

    def iterate(
        self, *, search: str | None = None, type: str | None = None, page_size: int = 100
    ) -> AsyncIterator[Agent]:
        """Every agent, page after page, fetched as the loop goes."""
        return iterate_pages(
            lambda p, n: self.list(search=search, type=type, page=p, limit=n), page_size=page_size
        )

    async def get(self, id: str) -> Agent:
        """One agent by id."""
        return self._one(Agent, await self._t.request("GET", f"agents/{segment(id)}"))

    async def create(
        self,
        *,
        name: str,
        description: str | None = None,
        agent_type: str = "CHAT",
        model: str | None = None,
        system_prompt: str | None = None,
        knowledge_bases: Sequence[str] | None = None,
        idempotency_key: str | None = None,
        **extra: Any,
    ) -> Agent:
        """Create an agent; other platform fields (e.g. `prompt_template`) go in `extra`."""
        body = camel_body(
            {
                "name": name,
                "description": description,
                "agent_type": agent_type,
                "model": model,
                "system_prompt": system_prompt,
                "knowledge_bases": None if knowledge_bases is None else [*knowledge_bases],
                **extra,
            }
        )
        reply = await self._t.request(
            "POST", "agents", json=body, idempotency_key=idempotency_key or new_idempotency_key()
        )
        return self._one(Agent, reply)

    async def update(self, id: str, **fields: Any) -> Agent:
        """Change the given fields of an agent (snake_case or camelCase; None values are skipped)."""
        path = f"agents/{segment(id)}"
        return self._one(Agent, await self._t.request("PUT", path, json=camel_body(fields)))

    async def delete(self, id: str) -> None:
        """Delete an agent."""
        await self._t.request("DELETE", f"agents/{segment(id)}")

    async def chat(
        self,
        id: str,
        messages: str | Iterable[Mapping[str, Any]],
        *,
        temperature: float | None = None,
        max_tokens: int | None = None,
        top_p: float | None = None,
        session_id: str | None = None,
        timeout: Timeout = None,  # noqa: ASYNC109 - the documented per-call HTTP timeout
        **extra: Any,
    ) -> ChatCompletion:
        """OpenAI-compatible chat; `messages` is a list of `{role, content}` or one user text.

        Not retried after the request was sent (a chat is not idempotent). Default timeout 300 s.
        """
        path = f"agents/{segment(id)}/chat"
        body = {
            "messages": _messages(messages),
            "temperature": temperature,
            "max_tokens": max_tokens,
            "top_p": top_p,
            "session_id": session_id,
            **extra,
        }
        reply = await self._t.request(
            "POST",
            path,
            json={k: v for k, v in body.items() if v is not None},
            timeout=to_timeout(timeout, LONG_TIMEOUT),
        )
        return self._one(ChatCompletion, reply)

    async def execute(
        self,
        id: str,
        inputs: Mapping[str, Any] | None = None,
        *,
        settings: Mapping[str, Any] | None = None,
        session_id: str | None = None,
        timeout: Timeout = None,  # noqa: ASYNC109 - the documented per-call HTTP timeout
        idempotency_key: str | None = None,
    ) -> AgentExecution:
        """Run a (TASK) agent through the Agent Execution Protocol. Default timeout 300 s."""
        path = f"agents/{segment(id)}/execute"
        body: dict[str, Any] = {"inputs": dict(inputs or {})}
        if settings is not None:
            body["settings"] = camel_body(settings)
        if session_id is not None:
            body["session_id"] = session_id
        reply = await self._t.request(
            "POST",
            path,
            json=body,
            timeout=to_timeout(timeout, LONG_TIMEOUT),
            idempotency_key=idempotency_key or new_idempotency_key(),
        )
        return self._one(AgentExecution, reply)

    async def logs(
        self,
        id: str,
        *,
        kind: str | None = None,
        status: str | None = None,
        page: int = 1,
        limit: int = 20,
    ) -> Page[AgentLog]:
        """One page of an agent's execution logs, newest first (kind: chat|execute)."""
        reply = await self._t.request(
            "GET",
            f"agents/{segment(id)}/logs",
            params={"kind": kind, "status": status, "page": page, "limit": limit},
        )
        return self._page(AgentLog, reply, page, limit)
