"""The user profile model (`GET /users/me`)."""

from __future__ import annotations

from typing import Any

from genispace_mcp.client.types.shared import GeniSpaceModel, Timestamp

__all__ = ["UserProfile"]


class UserProfile(GeniSpaceModel):
    """The account the API key belongs to; `api_key` describes that key when the platform says."""

    id: str | None = None
    email: str | None = None
    name: str | None = None
    company: str | None = None
    language: str | None = None
    time_zone: str | None = None
    api_key: dict[str, Any] | None = None
    created_at: Timestamp = None
