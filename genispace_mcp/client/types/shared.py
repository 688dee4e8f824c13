"""Building blocks shared by every model: the lenient base model, timestamps, usage, rate limits."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import AliasChoices, AliasGenerator, BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

__all__ = ["Citation", "GeniSpaceModel", "RateLimit", "Timestamp", "Usage"]


def _both_spellings(name: str) -> AliasChoices:
    return AliasChoices(name, to_camel(name))


class GeniSpaceModel(BaseModel):
    """Base of every model: lenient on input, exact (snake_case) on output.

    Fields accept both `snake_case` and `camelCase` (the platform mixes `createdAt` and
    `created_at`); unknown fields are kept in `model_extra`; numbers are accepted where ids are text.
    """

    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
        coerce_numbers_to_str=True,
        # Validators are built on first use, which keeps `import genispace_mcp.client` light.
        defer_build=True,
        alias_generator=AliasGenerator(validation_alias=_both_spellings),
    )


# An ISO 8601 string or Unix time becomes a datetime; any other text is kept as it came rather than
# failing the whole object over a timestamp format never seen before.
Timestamp = Annotated[datetime | str | None, Field(union_mode="left_to_right")]


class Usage(GeniSpaceModel):
    """Token usage of a chat or an execution."""

    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    total_tokens: int | None = None


class Citation(GeniSpaceModel):
    """A dataset record an answer drew on."""

    dataset_id: str | None = None
    record_id: str | None = None
    score: float | None = None


class RateLimit(GeniSpaceModel):
    """The last `X-RateLimit-Limit`, `-Remaining` and `-Reset` (Unix time) headers seen."""

    limit: int | None = None
    remaining: int | None = None
    reset: float | None = None

    @classmethod
    def from_headers(cls, headers: Any) -> RateLimit | None:
        """Read the three headers; None when the reply carries none of them."""
        values: dict[str, float | None] = {}
        for name in ("limit", "remaining", "reset"):
            raw = headers.get(f"x-ratelimit-{name}")
            try:
                values[name] = float(raw) if raw is not None else None
            except ValueError:
                values[name] = None
        if all(v is None for v in values.values()):
            return None
        return cls(
            limit=int(values["limit"]) if values["limit"] is not None else None,
            remaining=int(values["remaining"]) if values["remaining"] is not None else None,
            reset=values["reset"],
        )
