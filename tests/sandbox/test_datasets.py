"""Datasets: CRUD and statistics, query (vector, text, filters), import modes, idempotency, export."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import anyio
import pytest

from genispace_mcp.sandbox.embed import HashingEmbedder

from .conftest import Harness

RECORDS = [
    {
        "id": "r1",
        "title": "Refund policy",
        "body": "Refunds are paid within five days",
        "price": 10,
        "tags": ["money"],
    },
    {
        "id": "r2",
        "title": "Shipping times",
        "body": "Orders ship in two days",
        "price": 25,
        "tags": [],
    },
    {
        "id": "r3",
        "title": "Router reset",
        "body": "Hold the reset button",
        "price": 40,
        "nested": {"a": 1},
    },
    {
        "id": "r4",
        "title": "Warranty",
        "body": "Two year warranty on hardware",
        "price": None,
        "active": True,
    },
]


async def make_dataset(
    harness: Harness, records: list[dict[str, Any]] | None = None, **fields: Any
) -> str:
    created = await harness.client.post("/datasets", json={"name": "d", **fields})
    assert created.status_code == 201, created.text
    dataset_id = str(created.json()["id"])
    if records is not None:
        imported = await harness.client.post(f"/datasets/{dataset_id}/import", json=records)
        assert imported.status_code == 200, imported.text
    return dataset_id


async def query(harness: Harness, dataset_id: str, **body: Any) -> Any:
    response = await harness.client.post(f"/datasets/{dataset_id}/query", json=body)
    assert response.status_code == 200, response.text
    return response.json()


async def test_crud_and_statistics(harness: Harness) -> None:
    dataset_id = await make_dataset(harness, description="docs", textFields=["title"])
    empty = (await harness.client.get(f"/datasets/{dataset_id}")).json()
    assert empty["recordCount"] == 0
    assert empty["statistics"] == {
        "recordCount": 0,
        "sizeBytes": 0,
        "fields": [],
        "lastImportAt": None,
    }
    harness.clock.advance(60)
    await harness.client.post(f"/datasets/{dataset_id}/import", json=RECORDS)
    detail = (await harness.client.get(f"/datasets/{dataset_id}")).json()
    assert detail["textFields"] == ["title"]
    assert detail["recordCount"] == 4
    stats = detail["statistics"]
    assert stats["recordCount"] == 4
    assert stats["sizeBytes"] > 100
    assert stats["fields"] == ["title", "body", "price", "tags", "nested", "active"]
    assert stats["lastImportAt"] == "2026-12-03T12:01:00.000Z"
    updated = (await harness.client.put(f"/datasets/{dataset_id}", json={"name": "renamed"})).json()
    assert updated["name"] == "renamed"
    assert updated["recordCount"] == 4
    listed = (await harness.client.get("/datasets", params={"search": "renam"})).json()
    assert [d["id"] for d in listed["data"]] == [dataset_id]
    assert (await harness.client.delete(f"/datasets/{dataset_id}")).status_code == 204
    assert (await harness.client.get(f"/datasets/{dataset_id}")).status_code == 404
    assert (await harness.client.post(f"/datasets/{dataset_id}/query", json={})).status_code == 404


async def test_text_query_ranks_similar_records_first(harness: Harness) -> None:
    dataset_id = await make_dataset(harness, RECORDS)
    result = await query(harness, dataset_id, query="how long do refunds take", top_k=2)
    assert result["total"] == 4
    assert result["top_k"] == 2
    assert result["offset"] == 0
    assert next(hit["id"] for hit in result["data"]) == "r1"
    assert len(result["data"]) == 2
    scores = [hit["score"] for hit in result["data"]]
    assert scores == sorted(scores, reverse=True)
    assert result["data"][0]["record"] == RECORDS[0]
    again = await query(harness, dataset_id, query="how long do refunds take", top_k=2)
    assert again == result


async def test_vector_query_is_exact_cosine(harness: Harness) -> None:
    dataset_id = await make_dataset(harness, RECORDS)
    vector = HashingEmbedder().embed(["Router reset\nHold the reset button"])[0]
    result = await query(harness, dataset_id, vector=[x * 3 for x in vector], top_k=1)
    assert result["data"][0]["id"] == "r3"
    assert result["data"][0]["score"] == pytest.approx(1.0, abs=1e-5)


@pytest.mark.parametrize(
    ("filter_", "ids"),
    [
        ({"title": "Warranty"}, ["r4"]),
        ({"price": {"$gt": 10}}, ["r2", "r3"]),
        ({"price": {"$gte": 10, "$lt": 40}}, ["r1", "r2"]),
        ({"price": {"$lte": 10}}, ["r1"]),
        ({"price": {"$ne": 25}}, ["r1", "r3", "r4"]),
        ({"id": {"$in": ["r4", "r2", "zz"]}}, ["r2", "r4"]),
        ({"nested.a": 1}, ["r3"]),
        ({"active": True}, ["r4"]),
        ({"active": 1}, []),
        ({"price": None}, ["r4"]),
        ({"missing": {"$ne": 1}}, ["r1", "r2", "r3", "r4"]),
        ({"title": {"$gt": 5}}, []),
    ],
)
async def test_filters(harness: Harness, filter_: dict[str, Any], ids: list[str]) -> None:
    dataset_id = await make_dataset(harness, RECORDS)
    result = await query(harness, dataset_id, filter=filter_)
    assert [hit["id"] for hit in result["data"]] == ids
    assert result["total"] == len(ids)
    assert all(hit["score"] is None for hit in result["data"])


async def test_paging_projection_and_filter_with_ranking(harness: Harness) -> None:
    dataset_id = await make_dataset(harness, RECORDS)
    page = await query(harness, dataset_id, top_k=2, offset=1, fields=["title"])
    assert page["data"] == [
        {"id": "r2", "score": None, "record": {"title": "Shipping times"}},
        {"id": "r3", "score": None, "record": {"title": "Router reset"}},
    ]
    ranked = await query(
        harness, dataset_id, query="reset the router", filter={"price": {"$gte": 25}}
    )
    assert ranked["total"] == 2
    assert [hit["id"] for hit in ranked["data"]] == ["r3", "r2"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"top_k": 0}, "top_k"),
        ({"top_k": 101}, "top_k"),
        ({"offset": -1}, "offset"),
        ({"vector": [1, 2]}, "vector"),
        ({"vector": "x"}, "vector"),
        ({"query": "a", "vector": [0.0] * 4096}, "vector"),
        ({"filter": {"a": {"$regex": "x"}}}, "filter.a"),
        ({"filter": {"a": {"$in": 3}}}, "filter.a"),
        ({"filter": []}, "filter"),
        ({"fields": "title"}, "fields"),
        ({"query": 7}, "query"),
    ],
)
async def test_bad_queries_are_400(harness: Harness, body: dict[str, Any], field: str) -> None:
    dataset_id = await make_dataset(harness, RECORDS)
    response = await harness.client.post(f"/datasets/{dataset_id}/query", json=body)
    assert response.status_code == 400
    assert response.json()["error"]["details"]["field"] == field


async def test_import_formats(harness: Harness) -> None:
    dataset_id = await make_dataset(harness)
    url = f"/datasets/{dataset_id}/import"
    wrapped = await harness.client.post(url, json={"records": [{"id": "a", "n": 1}]})
    assert wrapped.json() == {
        "datasetId": dataset_id,
        "imported": 1,
        "failed": 0,
        "errors": [],
        "recordCount": 1,
    }
    jsonl = '{"id": "b", "n": 2}\n\n{"n": 3}\n'
    lines = await harness.client.post(
        url, content=jsonl, headers={"Content-Type": "application/x-ndjson"}
    )
    assert lines.json()["imported"] == 2
    table = 'id,name,n\nc,Carol,4\nd,"Doe, Jane",5\n'
    csv_import = await harness.client.post(url, content=table, headers={"Content-Type": "text/csv"})
    assert csv_import.json()["recordCount"] == 5
    result = await query(harness, dataset_id, filter={"id": {"$in": ["c", "d"]}})
    assert [hit["record"] for hit in result["data"]] == [
        {"id": "c", "name": "Carol", "n": "4"},
        {"id": "d", "name": "Doe, Jane", "n": "5"},
    ]
    generated = await query(harness, dataset_id, filter={"n": 3})
    assert generated["data"][0]["id"].startswith("rec_")
    # Upsert: the same id replaces the record and keeps its place.
    await harness.client.post(url, json=[{"id": "a", "n": 100}])
    everything = await query(harness, dataset_id, top_k=10)
    assert everything["total"] == 5
    assert everything["data"][0]["record"] == {"id": "a", "n": 100}
    bad_type = await harness.client.post(
        url, content="x", headers={"Content-Type": "application/xml"}
    )
    assert bad_type.status_code == 400
    assert bad_type.json()["error"]["details"]["field"] == "Content-Type"


async def test_all_or_nothing_and_partial(harness: Harness) -> None:
    dataset_id = await make_dataset(harness)
    url = f"/datasets/{dataset_id}/import"
    body = '{"id": "ok1"}\n{broken\n[1]\n{"id": true}\n{"id": "ok2"}\n'
    headers = {"Content-Type": "application/x-ndjson"}
    refused = await harness.client.post(url, content=body, headers=headers)
    assert refused.status_code == 400
    errors = refused.json()["error"]["details"]["errors"]
    assert [e["row"] for e in errors] == [2, 3, 4]
    assert errors[0]["message"].startswith("invalid JSON")
    assert errors[1]["message"] == "a record must be a JSON object"
    assert "'id'" in errors[2]["message"]
    assert (await harness.client.get(f"/datasets/{dataset_id}")).json()["recordCount"] == 0

    partial = await harness.client.post(
        url, params={"mode": "partial"}, content=body, headers=headers
    )
    assert partial.status_code == 200
    answer = partial.json()
    assert answer["imported"] == 2
    assert answer["failed"] == 3
    assert answer["errors"] == errors
    assert answer["recordCount"] == 2

    rows = "id,a\nx,1\ny,1,2\n"
    refused_csv = await harness.client.post(url, content=rows, headers={"Content-Type": "text/csv"})
    assert refused_csv.json()["error"]["details"]["errors"] == [
        {"row": 2, "message": "3 values for 2 columns"}
    ]
    bad_json = await harness.client.post(
        url, content="{oops", headers={"Content-Type": "application/json"}
    )
    assert bad_json.status_code == 400
    assert bad_json.json()["error"]["details"]["field"] == "body"


async def test_idempotency_key_replays_and_conflicts(harness: Harness) -> None:
    dataset_id = await make_dataset(harness)
    url = f"/datasets/{dataset_id}/import"
    body = json.dumps([{"text": "no id, so a replay would duplicate it"}])
    headers = {"Content-Type": "application/json", "Idempotency-Key": "import-1"}
    first = await harness.client.post(url, content=body, headers=headers)
    second = await harness.client.post(url, content=body, headers=headers)
    assert first.status_code == second.status_code == 200
    assert second.json() == first.json()
    assert second.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert (await harness.client.get(f"/datasets/{dataset_id}")).json()["recordCount"] == 1

    other = await harness.client.post(url, content=json.dumps([{"text": "else"}]), headers=headers)
    assert other.status_code == 409
    assert other.json()["error"]["code"] == "conflict"
    fresh = await harness.client.post(
        url, content=body, headers={**headers, "Idempotency-Key": "import-2"}
    )
    assert fresh.status_code == 200
    assert fresh.json()["recordCount"] == 2
    # A key's Idempotency-Keys are its own.
    other_key = harness.as_key(await harness.new_key("write:datasets"))
    separate = await other_key.post(url, content=body, headers=headers)
    assert separate.status_code == 200
    assert "idempotent-replayed" not in separate.headers


async def test_export_round_trips(harness: Harness) -> None:
    source = await make_dataset(harness, RECORDS)
    exported = await harness.client.get(f"/datasets/{source}/export", params={"format": "jsonl"})
    assert exported.status_code == 200
    assert exported.headers["content-type"] == "application/x-ndjson"
    assert [json.loads(line) for line in exported.text.splitlines()] == RECORDS
    copy = await make_dataset(harness)
    back = await harness.client.post(
        f"/datasets/{copy}/import",
        content=exported.content,
        headers={"Content-Type": "application/x-ndjson"},
    )
    assert back.json()["imported"] == 4
    again = await harness.client.get(f"/datasets/{copy}/export")
    assert again.text == exported.text

    table = await harness.client.get(f"/datasets/{source}/export", params={"format": "csv"})
    assert table.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(table.text)))
    assert list(rows[0]) == ["id", "title", "body", "price", "tags", "nested", "active"]
    assert rows[0]["tags"] == '["money"]'
    assert rows[2]["nested"] == '{"a": 1}'
    assert rows[3]["price"] == ""
    csv_copy = await make_dataset(harness)
    await harness.client.post(
        f"/datasets/{csv_copy}/import", content=table.content, headers={"Content-Type": "text/csv"}
    )
    table_again = await harness.client.get(f"/datasets/{csv_copy}/export", params={"format": "csv"})
    assert table_again.text == table.text
    assert (
        await harness.client.get(f"/datasets/{source}/export", params={"format": "xml"})
    ).status_code == 400
    assert (await harness.client.get("/datasets/ds_none/export")).status_code == 404


async def test_large_export_streams_every_record(harness: Harness) -> None:
    records = [{"id": f"r{n:05d}", "text": f"record number {n}"} for n in range(1_234)]
    dataset_id = await make_dataset(harness, records)
    exported = await harness.client.get(f"/datasets/{dataset_id}/export")
    assert [json.loads(line)["id"] for line in exported.text.splitlines()] == [
        r["id"] for r in records
    ]


async def test_the_index_is_rebuilt_in_the_background_after_an_import(harness: Harness) -> None:
    dataset_id = await make_dataset(harness, RECORDS)
    index = harness.ctx.index
    # The builder runs one job at a time, in order: once this no-op ran, the warm-up has too.
    await anyio.to_thread.run_sync(lambda: index._builder.submit(lambda: None).result(10))
    cached = index._cache[dataset_id]
    assert cached.version == harness.ctx.store.dataset_version(dataset_id)
    assert cached.ids == ["r1", "r2", "r3", "r4"]
