"""Dataset models: the dataset, its statistics, a query's result and an import's result."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from genispace_mcp.client.types.shared import GeniSpaceModel, Timestamp

__all__ = ["Dataset", "DatasetStatistics", "ImportResult", "QueryMatch", "QueryResult"]


class DatasetStatistics(GeniSpaceModel):
    """Size and shape of a dataset (returned by `datasets.get`)."""

    record_count: int | None = None
    size_bytes: int | None = None
    fields: list[str] = Field(default_factory=list)
    last_import_at: Timestamp = None


class Dataset(GeniSpaceModel):
    """A dataset: JSON records, some of whose text fields are embedded for vector search."""

    id: str
    name: str | None = None
    description: str | None = None
    text_fields: list[str] | None = None
    record_count: int | None = None
    statistics: DatasetStatistics | None = None
    created_at: Timestamp = None
    updated_at: Timestamp = None


class QueryMatch(GeniSpaceModel):
    """One record a query matched; `score` is None for a filter-only query."""

    id: str | None = None
    score: float | None = None
    record: dict[str, Any] = Field(default_factory=dict)


class QueryResult(GeniSpaceModel):
    """The matches of a dataset query, best first, and how many records matched the filter."""

    matches: list[QueryMatch] = Field(default_factory=list)
    total: int | None = None
    top_k: int | None = None
    offset: int | None = None


class ImportResult(GeniSpaceModel):
    """What an import stored: counts, and one entry per rejected row (`row` counts from 1)."""

    dataset_id: str | None = None
    imported: int = 0
    failed: int = 0
    errors: list[dict[str, Any]] = Field(default_factory=list)
    record_count: int | None = None
