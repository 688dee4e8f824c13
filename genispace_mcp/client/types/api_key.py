"""API key models: the key, a newly created key with its one-time secret, and its usage."""

from __future__ import annotations

from typing import Any

from pydantic import Field, SecretStr

from genispace_mcp.client.types.shared import GeniSpaceModel, RateLimit, Timestamp

__all__ = ["APIKey", "APIKeyUsage", "CreatedAPIKey"]


class APIKey(GeniSpaceModel):
    """An API key's description; the secret itself is never sent again after creation."""

    id: str
    name: str | None = None
    application: str | None = None
    permissions: list[str] = Field(default_factory=list)
    prefix: str | None = None
    expires_at: Timestamp = None
    last_used_at: Timestamp = None
    is_revoked: bool | None = None
    created_at: Timestamp = None
    updated_at: Timestamp = None


class CreatedAPIKey(APIKey):
    """A key just created: `.key` is the secret, shown once (`.key.get_secret_value()`)."""

    key: SecretStr | None = None


class APIKeyUsage(GeniSpaceModel):
    """How much a key was used lately."""

    key_id: str | None = None
    requests_last_day: int | None = None
    requests_last_week: int | None = None
    requests_last_month: int | None = None
    errors_last_day: int | None = None
    last_used_at: Timestamp = None
    last_used_ip: str | None = None
    top_endpoints: list[dict[str, Any]] = Field(default_factory=list)
    by_day: list[dict[str, Any]] = Field(default_factory=list)
    rate_limit: RateLimit | None = None
