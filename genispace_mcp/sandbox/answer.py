"""How sandbox agents answer without a language model, and how every call is logged.

An answer is composed from what the agent has: its name and system prompt, the question, and, when
it has knowledge bases, the records of those datasets closest to the question by vector search,
cited by id. Nothing random goes in, so the same agent and input always give the same answer.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

from genispace_mcp.sandbox.ids import iso, new_id
from genispace_mcp.sandbox.search import RecordIndex
from genispace_mcp.sandbox.store import Store

MODEL = "sandbox-echo-1"
KNOWLEDGE_HITS = 3  # records cited per answer
SUMMARY_CHARS = 200  # how much of an input/output a log keeps


@dataclass(frozen=True, slots=True)
class Answer:
    """An agent's reply: text, the records it cites, token usage and why it stopped."""

    text: str
    citations: list[dict[str, Any]] = field(default_factory=list)
    prompt_tokens: int = 0
    completion_tokens: int = 0
    finish_reason: str = "stop"

    def usage(self) -> dict[str, int]:
        """OpenAI-style usage."""
        return {
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "total_tokens": self.prompt_tokens + self.completion_tokens,
        }


def tokens(text: str) -> int:
    """A token estimate (about four characters each), at least one for non-empty text."""
    return math.ceil(len(text) / 4) if text else 0


def respond(
    index: RecordIndex,
    agent: dict[str, Any],
    question: str,
    context_text: str = "",
    max_tokens: int | None = None,
) -> Answer:
    """Compose the agent's answer to `question` (`context_text`: the rest of the conversation,
    counted as prompt tokens)."""
    persona = (agent.get("systemPrompt") or "").strip()
    lines = [f"{agent['name']} (sandbox agent, answering without a language model)."]
    if persona:
        lines.append(f"Role: {_first_sentence(persona)}")
    asked = " ".join(question.split())
    lines.append(f'You asked: "{_clip(asked, 300)}"' if asked else "You sent no question.")

    citations: list[dict[str, Any]] = []
    hits: list[tuple[float, str, str, dict[str, Any]]] = []
    for dataset_id in agent.get("knowledgeBases") or []:
        found = index.search(dataset_id, query=question, top_k=KNOWLEDGE_HITS) if asked else None
        for hit in (found or {}).get("data", []):
            hits.append((hit["score"] or 0.0, dataset_id, hit["id"], hit["record"]))
    # Best first; ties keep knowledge-base order, so the answer stays deterministic.
    hits.sort(key=lambda h: -h[0])
    if hits:
        lines.append("From the knowledge base, the closest records are:")
        for n, (score, dataset_id, record_id, record) in enumerate(hits[:KNOWLEDGE_HITS], 1):
            lines.append(f"{n}. {_snippet(record)} [{record_id}]")
            citations.append({"datasetId": dataset_id, "recordId": record_id, "score": score})
        lines.append(f"In short: {_snippet(hits[0][3], 160)} [{hits[0][2]}]")
    elif agent.get("knowledgeBases"):
        lines.append("The knowledge base holds nothing that matches.")
    else:
        lines.append("This agent has no knowledge base; configure one to get grounded answers.")

    text = "\n".join(lines)
    finish = "stop"
    if max_tokens is not None and tokens(text) > max_tokens:
        text = text[: max_tokens * 4]
        finish = "length"
    prompt = tokens(persona) + tokens(question) + tokens(context_text)
    return Answer(text, citations, prompt, tokens(text), finish)


def log_call(
    store: Store,
    now: float,
    agent_id: str,
    kind: str,
    input_value: Any,
    answer: Answer | None,
    latency_ms: int,
    error: str | None = None,
) -> None:
    """Record one chat or execute call in the agent's logs."""
    store.add_agent_log(
        {
            "id": new_id("log"),
            "agentId": agent_id,
            "kind": kind,
            "status": "error" if error else "success",
            "latencyMs": latency_ms,
            "usage": answer.usage() if answer else None,
            "input": _summary(input_value),
            "output": _summary(answer.text) if answer else None,
            "error": error,
            "created_at": iso(now),
        }
    )


def _summary(value: Any) -> str:
    text = (
        value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)
    )
    return _clip(" ".join(text.split()), SUMMARY_CHARS)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _first_sentence(text: str) -> str:
    for end in (". ", "\n"):
        if end in text:
            text = text.split(end, 1)[0]
    return _clip(text.strip().rstrip("."), 200) + "."


def _snippet(record: dict[str, Any], limit: int = 120) -> str:
    """A one-line view of a record: its string fields (title-like ones first)."""
    preferred = ("title", "name", "question", "subject", "text", "content", "body", "answer")
    parts = [str(record[k]) for k in preferred if isinstance(record.get(k), str)]
    parts += [
        str(v) for k, v in record.items() if k not in preferred and k != "id" and isinstance(v, str)
    ]
    return _clip(" — ".join(" ".join(p.split()) for p in parts) or record.get("id", ""), limit)
