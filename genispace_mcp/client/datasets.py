"""gs.datasets: manage datasets, query them, import records in batches and stream exports."""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Mapping, Sequence
from typing import Any

import httpx

from genispace_mcp.client._errors import APIStatusError
from genispace_mcp.client._pagination import Page, iterate_pages
from genispace_mcp.client._records import batches_of, source_records
from genispace_mcp.client._resource import Resource, camel_body, new_idempotency_key
from genispace_mcp.client._transport import decode, segment
from genispace_mcp.client.types.dataset import Dataset, ImportResult, QueryResult

__all__ = ["Datasets", "RecordSource"]

RecordSource = (
    str | os.PathLike[str] | Iterable[Mapping[str, Any]] | AsyncIterable[Mapping[str, Any]]
)
EXPORT_FORMATS = ("jsonl", "csv")


class Datasets(Resource):
    """The dataset API (`/datasets`)."""

    async def list(
        self, *, search: str | None = None, page: int = 1, limit: int = 20
    ) -> Page[Dataset]:
        """One page of datasets, optionally filtered by a search text."""
        reply = await self._t.request(
            "GET", "datasets", params={"search": search, "page": page, "limit": limit}
        )
        return self._page(Dataset, reply, page, limit)

    def iterate(self, *, search: str | None = None, page_size: int = 100) -> AsyncIterator[Dataset]:
        """Every dataset, page after page, fetched as the loop goes."""
        return iterate_pages(
            lambda p, n: self.list(search=search, page=p, limit=n), page_size=page_size
        )

    async def get(self, id: str) -> Dataset:
        """One dataset by id, with its `statistics`."""
        return self._one(Dataset, await self._t.request("GET", f"datasets/{segment(id)}"))

    async def create(
        self,
        *,
        name: str,
        description: str | None = None,
        text_fields: Sequence[str] | None = None,
        idempotency_key: str | None = None,
        **extra: Any,
    ) -> Dataset:
        """Create a dataset; `text_fields` names the record fields embedded for vector search."""
        body = camel_body(
            {
                "name": name,
                "description": description,
                "text_fields": None if text_fields is None else [*text_fields],
                **extra,
            }
        )
        reply = await self._t.request(
            "POST", "datasets", json=body, idempotency_key=idempotency_key or new_idempotency_key()
        )
        return self._one(Dataset, reply)

    async def update(self, id: str, **fields: Any) -> Dataset:
        """Change the given fields of a dataset (None values are skipped)."""
        path = f"datasets/{segment(id)}"
        return self._one(Dataset, await self._t.request("PUT", path, json=camel_body(fields)))

    async def delete(self, id: str) -> None:
        """Delete a dataset and its records."""
        await self._t.request("DELETE", f"datasets/{segment(id)}")

    async def query(
        self,
        id: str,
        *,
        query: str | None = None,
        vector: Sequence[float] | None = None,
        filter: Mapping[str, Any] | None = None,
        top_k: int = 10,
        offset: int = 0,
        fields: Sequence[str] | None = None,
    ) -> QueryResult:
        """Search records by text and/or vector (ranked, best first), narrowed by a filter.

        With neither `query` nor `vector` it is a filter-only query in insertion order. A query
        only reads, so it is retried like a GET.
        """
        body: dict[str, Any] = {"top_k": top_k, "offset": offset}
        if query is not None:
            body["query"] = query
        if vector is not None:
            body["vector"] = [float(x) for x in vector]
        if filter is not None:
            body["filter"] = dict(filter)
        if fields is not None:
            body["fields"] = [*fields]
        reply = await self._t.request(
            "POST", f"datasets/{segment(id)}/query", json=body, replayable=True
        )
        data = reply.data
        if isinstance(data, list):
            data = {**reply.meta, "matches": data}
        return self._parse(QueryResult, data, reply)

    async def import_records(
        self,
        id: str,
        source: RecordSource,
        *,
        batch_size: int = 500,
        partial: bool = False,
        idempotency_key: str | None = None,
    ) -> ImportResult:
        """Import records from a list, an (async) iterable, or a `.jsonl`/`.csv` file path.

        Records are sent in batches of `batch_size`, read from the source as they go, so a file
        is never held whole in memory. Each batch carries its own Idempotency-Key derived from one
        key per call, so a retried batch is never stored twice. Without `partial`, a batch with a
        bad row is refused whole (BadRequestError; earlier batches stay imported, and the error's
        `details` say how many and number the rows from the start of the source). With `partial`,
        good rows are stored and bad ones reported in `errors`.
        """
        path = f"datasets/{segment(id)}/import"
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        base_key = idempotency_key or new_idempotency_key()
        total = ImportResult(dataset_id=id)
        rows_before = 0
        number = 0
        async for batch in batches_of(source_records(source), batch_size):
            number += 1
            try:
                reply = await self._t.request(
                    "POST",
                    path,
                    params={"mode": "partial"} if partial else None,
                    json={"records": batch},
                    idempotency_key=f"{base_key}-{number}",
                )
            except APIStatusError as exc:
                _locate_failure(exc, number, rows_before, total.imported)
                raise
            result = self._one(ImportResult, reply)
            total.imported += result.imported
            total.failed += result.failed
            total.errors.extend(_shift_rows(result.errors, rows_before))
            total.dataset_id = result.dataset_id or total.dataset_id
            total.record_count = result.record_count
            rows_before += len(batch)
        return total

    async def export(self, id: str, *, format: str = "jsonl") -> AsyncIterator[str]:
        """Stream a dataset's records as lines of JSONL (one record each) or CSV (header first).

        Lines are yielded as they arrive; the export is never held whole in memory.
        """
        if format not in EXPORT_FORMATS:
            raise ValueError(f"format must be one of {', '.join(EXPORT_FORMATS)}, got {format!r}")
        path = f"datasets/{segment(id)}/export"
        async with self._t.stream("GET", path, params={"format": format}) as response:
            if format == "jsonl" and _is_json(response):
                # Not streamed by the server: a JSON list (or envelope) answered instead of JSONL.
                async for line in _json_list_lines(response):
                    yield line
                return
            async for line in response.aiter_lines():
                if line or format == "csv":
                    yield line

    async def export_records(self, id: str) -> AsyncIterator[dict[str, Any]]:
        """Stream a dataset's records as dicts (read from the JSONL export)."""
        async for line in self.export(id, format="jsonl"):
            if line.strip():
                yield json.loads(line)


def _is_json(response: httpx.Response) -> bool:
    content_type = str(response.headers.get("content-type", ""))
    return content_type.split(";")[0].strip() == "application/json"


async def _json_list_lines(response: httpx.Response) -> AsyncIterator[str]:
    await response.aread()
    data = decode(response).data
    for record in data if isinstance(data, list) else []:
        yield json.dumps(record, ensure_ascii=False)


def _shift_rows(errors: Iterable[Any], rows_before: int) -> list[Any]:
    shifted = []
    for error in errors:
        row = error.get("row") if isinstance(error, Mapping) else None
        if isinstance(row, int) and not isinstance(row, bool):
            error = {**error, "row": row + rows_before}
        shifted.append(error)
    return shifted


def _locate_failure(exc: APIStatusError, number: int, rows_before: int, imported: int) -> None:
    """Make a failed batch's error speak of the whole source, not of the batch."""
    details = dict(exc.details) if isinstance(exc.details, Mapping) else {"details": exc.details}
    if isinstance(details.get("errors"), list):
        details["errors"] = _shift_rows(details["errors"], rows_before)
    details.update({"batch": number, "rows_before": rows_before, "imported_before": imported})
    exc.details = details
    if number > 1:
        exc.message = (
            f"{exc.message} (in batch {number}; {imported} records from earlier batches "
            "were imported)"
        )
        exc.args = (exc.message,)
