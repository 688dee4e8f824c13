"""Datasets: CRUD with statistics, vector/filter query, import (idempotent) and streamed export."""

from __future__ import annotations

import hashlib
import json
import threading
from typing import Any

import anyio
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from genispace_mcp.sandbox import records
from genispace_mcp.sandbox.context import Context, caller, context
from genispace_mcp.sandbox.errors import ApiError, conflict, invalid, not_found
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
from genispace_mcp.sandbox.search import check_filter

routes = Routes("datasets")

MAX_IDEMPOTENCY_KEY = 255
# Imports run one at a time: an Idempotency-Key is then checked and recorded atomically with the
# import it guards, and two imports never interleave their upserts.
_IMPORT_LOCK = threading.Lock()


def _load(ctx: Context, dataset_id: str) -> dict[str, Any]:
    dataset = ctx.store.get_dataset(dataset_id)
    if dataset is None:
        raise not_found("dataset", dataset_id)
    return dataset


def _apply(dataset: dict[str, Any], body: dict[str, Any], creating: bool) -> None:
    f = Fields(body)
    name = f.text("name", required=creating, max_len=200)
    if name is not MISSING:
        if not name.strip():
            raise invalid("name", "required", "'name' must not be empty")
        dataset["name"] = name
    description = f.text("description", nullable=True)
    if description is not MISSING:
        dataset["description"] = description or ""
    if f.has("textFields"):
        value = f.raw("textFields")
        if value is not None:
            value = f.strings("textFields")
        dataset["textFields"] = value


@routes.add(
    "GET",
    "/datasets",
    permission="read:datasets",
    summary="List datasets",
    returns="Page:Dataset",
    query=("search", "page", "limit"),
)
async def list_datasets(request: Request) -> Response:
    ctx = context(request)
    page, limit = pagination(request)
    items, total = ctx.store.list_datasets(page, limit, request.query_params.get("search"))
    return JSONResponse(page_body(items, total, page, limit))


@routes.add(
    "POST",
    "/datasets",
    permission="write:datasets",
    summary="Create a dataset",
    status=201,
    returns="Dataset",
    body="DatasetCreate",
)
async def create_dataset(request: Request) -> Response:
    ctx = context(request)
    body = await json_body(request)
    now = iso(ctx.now())
    dataset: dict[str, Any] = {
        "id": new_id("ds"),
        "name": "",
        "description": "",
        "textFields": None,
        "created_at": now,
        "updated_at": now,
    }
    _apply(dataset, body, creating=True)
    ctx.store.put_dataset(dataset)
    return JSONResponse(_load(ctx, dataset["id"]), status_code=201)


@routes.add(
    "GET",
    "/datasets/{id}",
    permission="read:datasets",
    summary="Get a dataset with its statistics",
    returns="DatasetDetail",
)
async def get_dataset(request: Request) -> Response:
    ctx = context(request)
    dataset = _load(ctx, request.path_params["id"])
    dataset["statistics"] = ctx.store.dataset_statistics(dataset["id"])
    return JSONResponse(dataset)


@routes.add(
    "PUT",
    "/datasets/{id}",
    permission="write:datasets",
    summary="Update a dataset",
    returns="Dataset",
    body="DatasetUpdate",
)
async def update_dataset(request: Request) -> Response:
    ctx = context(request)
    dataset = _load(ctx, request.path_params["id"])
    _apply(dataset, await json_body(request), creating=False)
    dataset["updated_at"] = iso(ctx.now())
    dataset.pop("recordCount", None)
    ctx.store.put_dataset(dataset)
    return JSONResponse(_load(ctx, dataset["id"]))


@routes.add(
    "DELETE",
    "/datasets/{id}",
    permission="write:datasets",
    summary="Delete a dataset and its records",
    status=204,
)
async def delete_dataset(request: Request) -> Response:
    ctx = context(request)
    if not ctx.store.delete_dataset(request.path_params["id"]):
        raise not_found("dataset", request.path_params["id"])
    return Response(status_code=204)


@routes.add(
    "POST",
    "/datasets/{id}/query",
    permission="read:datasets",
    summary="Query a dataset: vector search (text or vector) and filters",
    returns="QueryResult",
    body="QueryRequest",
    body_required=False,
)
async def query(request: Request) -> Response:
    ctx = context(request)
    dataset_id = request.path_params["id"]
    f = Fields(await json_body(request, optional=True))
    text = f.text("query", nullable=True, max_len=10_000)
    vector = f.raw("vector")
    if vector is not None:
        if not isinstance(vector, list) or not all(
            isinstance(x, int | float) and not isinstance(x, bool) for x in vector
        ):
            raise invalid("vector", "must be a list of numbers")
        if len(vector) != ctx.embedder.dimension:
            raise invalid(
                "vector", f"must have {ctx.embedder.dimension} numbers (the embedding dimension)"
            )
    if isinstance(text, str) and vector is not None:
        raise invalid("vector", "send either 'query' or 'vector', not both")
    filter_ = f.raw("filter")
    if filter_ is not None:
        check_filter(filter_)
    top_k = f.number("top_k", integer=True, minimum=1, maximum=100, nullable=True)
    if top_k in (MISSING, None) and f.has("limit"):
        top_k = f.number("limit", integer=True, minimum=1, maximum=100, nullable=True)
    offset = f.number("offset", integer=True, minimum=0, maximum=1_000_000, nullable=True)
    fields = f.strings("fields") if f.has("fields") and f.raw("fields") is not None else None
    if fields is None and f.raw("outputFields") is not None:
        fields = f.strings("outputFields")
    result = await anyio.to_thread.run_sync(
        lambda: ctx.index.search(
            dataset_id,
            query=text if isinstance(text, str) else None,
            vector=[float(x) for x in vector] if vector is not None else None,
            filter=filter_ or None,
            top_k=10 if top_k in (MISSING, None) else top_k,
            offset=0 if offset in (MISSING, None) else offset,
            fields=fields,
        )
    )
    if result is None:
        raise not_found("dataset", dataset_id)
    return JSONResponse(result)


def _import(
    ctx: Context,
    key_id: str,
    dataset_id: str,
    body: bytes,
    content_type: str,
    partial: bool,
    idem: tuple[str, str] | None,
) -> tuple[int, dict[str, Any], bool]:
    """Run one import (in a worker thread): (status, answer, replayed)."""
    with _IMPORT_LOCK:
        if idem is not None:
            stored = ctx.store.get_idempotent(key_id, idem[0])
            if stored is not None:
                fingerprint, status, stored_answer = stored
                if fingerprint != idem[1]:
                    raise conflict(
                        "This Idempotency-Key was already used with a different request",
                        idempotencyKey=idem[0],
                    )
                return status, json.loads(stored_answer), True
        dataset = _load(ctx, dataset_id)
        try:
            status, answer = _run_import(ctx, dataset, body, content_type, partial)
        except ApiError as exc:
            if exc.status != 400:
                raise
            status, answer = exc.status, exc.body()
        if idem is not None:
            ctx.store.put_idempotent(key_id, idem[0], idem[1], status, json.dumps(answer))
        return status, answer, False


def _run_import(
    ctx: Context, dataset: dict[str, Any], body: bytes, content_type: str, partial: bool
) -> tuple[int, dict[str, Any]]:
    parsed = records.parse(body, content_type)
    if parsed.errors and not partial:
        raise ApiError(
            400,
            f"{len(parsed.errors)} row(s) are invalid; nothing was imported (use ?mode=partial to import the valid rows)",
            {"field": "body", "errors": parsed.errors},
        )
    count = records.store_records(ctx, dataset, [r for _, r in parsed.records])
    if count is None:
        raise not_found("dataset", dataset["id"])
    ctx.index.warm(dataset["id"])
    return 200, {
        "datasetId": dataset["id"],
        "imported": len(parsed.records),
        "failed": len(parsed.errors),
        "errors": parsed.errors,
        "recordCount": count,
    }


@routes.add(
    "POST",
    "/datasets/{id}/import",
    permission="write:datasets",
    summary="Import records (JSON list, JSONL or CSV); all-or-nothing unless mode=partial",
    returns="ImportResult",
    body="ImportBody",
    query=("mode",),
    headers=("Idempotency-Key",),
    errors=(409,),
)
async def import_records(request: Request) -> Response:
    ctx = context(request)
    dataset_id = request.path_params["id"]
    partial = query_choice(request, "mode", ("all", "partial")) == "partial"
    body = await request.body()
    content_type = request.headers.get("content-type", "application/json")
    idem_key = request.headers.get("idempotency-key")
    idem = None
    if idem_key is not None:
        if not idem_key.strip() or len(idem_key) > MAX_IDEMPOTENCY_KEY:
            raise invalid("Idempotency-Key", f"must be 1 to {MAX_IDEMPOTENCY_KEY} characters")
        digest = hashlib.sha256()
        for part in (dataset_id, request.url.query, content_type.split(";")[0].strip().lower()):
            digest.update(part.encode("utf-8") + b"\0")
        digest.update(body)
        idem = (idem_key, digest.hexdigest())
    key_id = caller(request)["id"]
    status, answer, replayed = await anyio.to_thread.run_sync(
        lambda: _import(ctx, key_id, dataset_id, body, content_type, partial, idem)
    )
    headers = {"Idempotent-Replayed": "true"} if replayed else None
    return JSONResponse(answer, status_code=status, headers=headers)


@routes.add(
    "GET",
    "/datasets/{id}/export",
    permission="read:datasets",
    summary="Export every record, streamed (jsonl or csv)",
    returns="stream",
    query=("format",),
)
async def export(request: Request) -> Response:
    ctx = context(request)
    dataset = _load(ctx, request.path_params["id"])
    fmt = query_choice(request, "format", ("jsonl", "csv")) or "jsonl"
    filename = f"{dataset['id']}.{fmt}"
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    if fmt == "csv":
        fields = ctx.store.dataset_statistics(dataset["id"])["fields"]
        return StreamingResponse(
            records.export_csv(ctx, dataset["id"], fields),
            media_type="text/csv; charset=utf-8",
            headers=headers,
        )
    return StreamingResponse(
        records.export_jsonl(ctx, dataset["id"]), media_type="application/x-ndjson", headers=headers
    )
