"""Agent models: the agent, a chat completion, an execution and an execution log entry."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from genispace_mcp.client.types.shared import Citation, GeniSpaceModel, Timestamp, Usage

__all__ = ["Agent", "AgentExecution", "AgentLog", "ChatChoice", "ChatCompletion", "ChatMessage"]

# Where a reply that is not OpenAI-shaped may carry its text.
_TEXT_FIELDS = ("content", "text", "output", "answer", "response", "message")


def _text_of(extra: dict[str, Any] | None) -> str | None:
    for name in _TEXT_FIELDS:
        value = (extra or {}).get(name)
        if isinstance(value, str):
            return value
    return None


class Agent(GeniSpaceModel):
    """An agent: a configured model with a prompt, optional knowledge bases (dataset ids)."""

    id: str
    name: str | None = None
    description: str | None = None
    agent_type: str | None = None
    model: str | None = None
    system_prompt: str | None = None
    prompt_template: str | None = None
    knowledge_bases: list[str] = Field(default_factory=list)
    settings: dict[str, Any] | None = None
    status: str | None = None
    created_at: Timestamp = None
    updated_at: Timestamp = None


class ChatMessage(GeniSpaceModel):
    """One message of a conversation."""

    role: str | None = None
    content: Any = None


class ChatChoice(GeniSpaceModel):
    """One choice of a chat completion."""

    index: int | None = None
    message: ChatMessage | None = None
    finish_reason: str | None = None


class ChatCompletion(GeniSpaceModel):
    """An OpenAI-compatible chat completion, with the dataset records it cited."""

    id: str | None = None
    object: str | None = None
    created: int | None = None
    model: str | None = None
    choices: list[ChatChoice] = Field(default_factory=list)
    usage: Usage | None = None
    citations: list[Citation] = Field(default_factory=list)

    @property
    def text(self) -> str:
        """The assistant's answer: the first choice's content (or the text of another shape)."""
        for choice in self.choices:
            if choice.message is not None and isinstance(choice.message.content, str):
                return choice.message.content
        return _text_of(self.model_extra) or ""


class AgentExecution(GeniSpaceModel):
    """The result of the Agent Execution Protocol (`POST /agents/{id}/execute`)."""

    id: str | None = None
    object: str | None = None
    agent_id: str | None = None
    status: str | None = None
    output: Any = None
    outputs: dict[str, Any] | None = None
    citations: list[Citation] = Field(default_factory=list)
    usage: Usage | None = None
    created_at: Timestamp = None


class AgentLog(GeniSpaceModel):
    """One entry of an agent's execution log (a chat or an execution)."""

    id: str | None = None
    agent_id: str | None = None
    kind: str | None = None
    status: str | None = None
    latency_ms: float | None = None
    usage: Usage | None = None
    input: Any = None
    output: Any = None
    error: Any = None
    created_at: Timestamp = None
