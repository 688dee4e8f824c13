"""The lenient base model: both spellings, extra fields kept, odd timestamps kept, exact output."""

from __future__ import annotations

from datetime import UTC, datetime

from genispace_mcp.client import Agent, APIKey, CreatedAPIKey, Dataset, RateLimit


def test_camel_and_snake_case_are_both_read() -> None:
    camel = Agent.model_validate(
        {"id": "a", "agentType": "CHAT", "createdAt": "2024-03-01T10:00:00Z"}
    )
    snake = Agent.model_validate(
        {"id": "a", "agent_type": "CHAT", "created_at": "2024-03-01T10:00:00Z"}
    )
    assert camel == snake
    assert camel.created_at == datetime(2024, 3, 1, 10, tzinfo=UTC)


def test_unknown_fields_are_kept() -> None:
    agent = Agent.model_validate({"id": "a", "mcpConfig": {"servers": []}, "futureThing": 1})
    assert agent.model_extra == {"mcpConfig": {"servers": []}, "futureThing": 1}


def test_output_is_snake_case() -> None:
    dumped = Dataset.model_validate(
        {"id": "ds_1", "textFields": ["t"], "recordCount": 3}
    ).model_dump()
    assert dumped["text_fields"] == ["t"]
    assert dumped["record_count"] == 3


def test_numeric_ids_and_odd_timestamps_do_not_fail() -> None:
    agent = Agent.model_validate({"id": 42, "createdAt": 1710835200, "updatedAt": "yesterday"})
    assert agent.id == "42"
    assert isinstance(agent.created_at, datetime)
    assert agent.updated_at == "yesterday"


def test_created_key_secret_is_hidden_until_asked() -> None:
    key = CreatedAPIKey.model_validate({"id": "key_1", "key": "sk-brand-new-secret-1234"})
    assert key.key is not None
    assert key.key.get_secret_value() == "sk-brand-new-secret-1234"
    assert "sk-brand-new-secret-1234" not in repr(key)
    assert "sk-brand-new-secret-1234" not in str(key.model_dump())
    assert isinstance(key, APIKey)


def test_rate_limit_from_headers() -> None:
    assert RateLimit.from_headers({}) is None
    limit = RateLimit.from_headers({"x-ratelimit-limit": "100", "x-ratelimit-remaining": "bad"})
    assert limit == RateLimit(limit=100, remaining=None, reset=None)
