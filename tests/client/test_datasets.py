"""gs.datasets: CRUD and query shapes, batched imports from every source, streamed exports."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from genispace_mcp.client import BadRequestError, Dataset, NotFoundError
from tests.client.conftest import Recorder, make_client, reply

DATASET = {"id": "ds_1", "name": "Docs", "textFields": ["text"], "recordCount": 3}


async def test_get_with_statistics_and_create() -> None:
    stats = {"recordCount": 3, "sizeBytes": 120, "fields": ["id", "text"], "lastImportAt": None}
    recorder = Recorder(reply(200, {**DATASET, "statistics": stats}), reply(201, DATASET))
    gs, _ = make_client(recorder)
    dataset = await gs.datasets.get("ds_1")
    assert dataset.statistics is not None
    assert (dataset.statistics.size_bytes, dataset.statistics.fields) == (120, ["id", "text"])
    created = await gs.datasets.create(name="Docs", text_fields=["text"])
    assert isinstance(created, Dataset)
    assert recorder.json_bodies()[1] == {"name": "Docs", "textFields": ["text"]}


@pytest.mark.parametrize(
    "body",
    [
        {
            "data": [{"id": "rec_1", "score": 0.9, "record": {"text": "a"}}],
            "total": 4,
            "top_k": 2,
            "offset": 0,
        },
        {
            "success": True,
            "data": [{"id": "rec_1", "score": 0.9, "record": {"text": "a"}}],
            "total": 4,
        },
        {"matches": [{"id": "rec_1", "score": 0.9, "record": {"text": "a"}}], "total": 4},
    ],
)
async def test_query(body: dict[str, Any]) -> None:
    recorder = Recorder(reply(200, body))
    gs, _ = make_client(recorder)
    result = await gs.datasets.query(
        "ds_1", query="hello", filter={"lang": {"$in": ["en"]}}, top_k=2, fields=["text"]
    )
    assert result.total == 4
    assert [(m.id, m.score, m.record) for m in result.matches] == [("rec_1", 0.9, {"text": "a"})]
    assert recorder.json_bodies() == [
        {
            "top_k": 2,
            "offset": 0,
            "query": "hello",
            "filter": {"lang": {"$in": ["en"]}},
            "fields": ["text"],
        }
    ]


async def test_vector_query_sends_floats() -> None:
    recorder = Recorder(reply(200, {"data": [], "total": 0}))
    gs, _ = make_client(recorder)
    await gs.datasets.query("ds_1", vector=[1, 0.5])
    assert recorder.json_bodies()[0]["vector"] == [1.0, 0.5]


# ---- import ------------------------------------------------------------------------------------


def _importer(fail_batch: int | None = None) -> Recorder:
    """Answers each batch like the sandbox: counts, and per-row errors for rows with `bad`."""

    def handler(request: httpx.Request) -> httpx.Response:
        records = json.loads(request.content)["records"]
        batch = int(request.headers["idempotency-key"].rsplit("-", 1)[1])
        bad = [i + 1 for i, r in enumerate(records) if r.get("bad")]
        if batch == fail_batch or (bad and "mode" not in request.url.params):
            errors = [{"row": row, "message": "bad row"} for row in bad]
            return httpx.Response(
                400,
                json={
                    "error": {
                        "code": "invalid_parameter",
                        "message": "bad rows",
                        "details": {"errors": errors},
                    }
                },
            )
        return httpx.Response(
            200,
            json={
                "datasetId": "ds_1",
                "imported": len(records) - len(bad),
                "failed": len(bad),
                "errors": [{"row": row, "message": "bad row"} for row in bad],
                "recordCount": 1000,
            },
        )

    return Recorder(handler)


async def test_import_a_list_in_batches_with_derived_keys() -> None:
    recorder = _importer()
    gs, _ = make_client(recorder)
    result = await gs.datasets.import_records(
        "ds_1", [{"n": i} for i in range(5)], batch_size=2, idempotency_key="imp"
    )
    assert (result.imported, result.failed, result.record_count) == (5, 0, 1000)
    assert [len(b["records"]) for b in recorder.json_bodies()] == [2, 2, 1]
    assert [r.headers["idempotency-key"] for r in recorder.requests] == ["imp-1", "imp-2", "imp-3"]
    assert all(r.url.path == "/v1/datasets/ds_1/import" for r in recorder.requests)


async def test_a_retried_batch_keeps_its_key() -> None:
    answer = {"imported": 2, "failed": 0, "errors": []}
    recorder = Recorder(reply(200, answer), reply(503, {}), reply(200, answer))
    gs, _ = make_client(recorder)
    result = await gs.datasets.import_records("ds_1", [{"n": i} for i in range(4)], batch_size=2)
    assert result.imported == 4
    keys = [r.headers["idempotency-key"] for r in recorder.requests]
    assert keys[1] == keys[2]
    assert keys[0] != keys[1]
    assert keys[0].rsplit("-", 1)[0] == keys[1].rsplit("-", 1)[0]


async def test_import_an_async_iterable() -> None:
    async def records() -> AsyncIterator[dict[str, int]]:
        for i in range(3):
            yield {"n": i}

    recorder = _importer()
    gs, _ = make_client(recorder)
    assert (await gs.datasets.import_records("ds_1", records(), batch_size=2)).imported == 3


async def test_partial_mode_numbers_rows_from_the_start() -> None:
    rows = [{"n": 0}, {"n": 1}, {"n": 2, "bad": True}, {"n": 3}, {"n": 4, "bad": True}]
    recorder = _importer()
    gs, _ = make_client(recorder)
    result = await gs.datasets.import_records("ds_1", rows, batch_size=2, partial=True)
    assert (result.imported, result.failed) == (3, 2)
    assert [e["row"] for e in result.errors] == [3, 5]
    assert all(r.url.params["mode"] == "partial" for r in recorder.requests)


async def test_a_refused_batch_says_where_and_what_was_already_imported() -> None:
    rows = [{"n": 0}, {"n": 1}, {"n": 2}, {"n": 3, "bad": True}]
    recorder = _importer()
    gs, _ = make_client(recorder)
    with pytest.raises(BadRequestError, match="in batch 2; 2 records") as info:
        await gs.datasets.import_records("ds_1", rows, batch_size=2)
    details = info.value.details
    assert details["errors"] == [{"row": 4, "message": "bad row"}]
    assert (details["batch"], details["rows_before"], details["imported_before"]) == (2, 2, 2)


async def test_import_a_jsonl_file_streamed(tmp_path: Path) -> None:
    path = tmp_path / "records.jsonl"
    path.write_text(
        "".join(json.dumps({"n": i, "text": f"t{i}"}) + "\n" for i in range(1200)) + "\n\n"
    )
    recorder = _importer()
    gs, _ = make_client(recorder)
    result = await gs.datasets.import_records("ds_1", path, batch_size=500)
    assert result.imported == 1200
    bodies = recorder.json_bodies()
    assert [len(b["records"]) for b in bodies] == [500, 500, 200]
    assert bodies[2]["records"][-1] == {"n": 1199, "text": "t1199"}


async def test_import_a_csv_file(tmp_path: Path) -> None:
    path = tmp_path / "records.csv"
    path.write_text(
        '\ufeffid,text,n\nr1,"hello, world",1\nr2,"two\nlines",2\nr3,short\n', encoding="utf-8"
    )
    recorder = _importer()
    gs, _ = make_client(recorder)
    result = await gs.datasets.import_records("ds_1", str(path), batch_size=2)
    assert result.imported == 3
    records = [r for b in recorder.json_bodies() for r in b["records"]]
    assert records == [
        {"id": "r1", "text": "hello, world", "n": "1"},
        {"id": "r2", "text": "two\nlines", "n": "2"},
        {"id": "r3", "text": "short"},
    ]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("data.json", "[]", "use a .jsonl/.ndjson or .csv file"),
        ("data.jsonl", '{"a": 1}\nnot json\n', "data.jsonl line 2: not valid JSON"),
        ("data.jsonl", "[1, 2]\n", "line 1: a record must be a JSON object"),
        ("data.csv", "a,b\n1,2,3\n", "more cells than header columns"),
    ],
)
async def test_bad_files_are_clear_errors(
    tmp_path: Path, name: str, content: str, message: str
) -> None:
    path = tmp_path / name
    path.write_text(content)
    gs, _ = make_client(_importer())
    with pytest.raises(ValueError, match=message):
        await gs.datasets.import_records("ds_1", path)


async def test_bad_sources_are_clear_errors(tmp_path: Path) -> None:
    recorder = _importer()
    gs, _ = make_client(recorder)
    with pytest.raises(ValueError, match="no such file"):
        await gs.datasets.import_records("ds_1", tmp_path / "missing.csv")
    with pytest.raises(ValueError, match="record 1: a record must be a JSON object"):
        await gs.datasets.import_records("ds_1", [{"a": 1}, "oops"])
    with pytest.raises(TypeError, match="list or iterable of records"):
        await gs.datasets.import_records("ds_1", {"a": 1})
    with pytest.raises(ValueError, match="batch_size"):
        await gs.datasets.import_records("ds_1", [], batch_size=0)
    assert recorder.requests == []


async def test_import_of_nothing_sends_nothing() -> None:
    recorder = _importer()
    gs, _ = make_client(recorder)
    result = await gs.datasets.import_records("ds_1", [])
    assert (result.imported, result.failed) == (0, 0)
    assert recorder.requests == []


# ---- export ------------------------------------------------------------------------------------


class Producer:
    """A response body produced chunk by chunk, counting how much was produced so far."""

    def __init__(self, lines: list[str], chunk_lines: int = 1) -> None:
        self.lines = lines
        self.chunk_lines = chunk_lines
        self.produced = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for start in range(0, len(self.lines), self.chunk_lines):
            self.produced += 1
            yield "".join(self.lines[start : start + self.chunk_lines]).encode()


async def test_export_jsonl_is_streamed_line_by_line() -> None:
    lines = [json.dumps({"id": f"rec_{i}", "n": i}) + "\n" for i in range(1000)]
    producer = Producer(lines, chunk_lines=10)
    recorder = Recorder(
        lambda request: httpx.Response(
            200, content=producer, headers={"content-type": "application/x-ndjson"}
        )
    )
    gs, _ = make_client(recorder)
    received = []
    async for line in gs.datasets.export("ds_1"):
        if not received:
            # The first line arrives while the server has sent one chunk of a hundred.
            assert producer.produced <= 2
        received.append(line)
    assert received == [line.rstrip("\n") for line in lines]
    assert dict(recorder.requests[0].url.params) == {"format": "jsonl"}


async def test_export_csv_keeps_every_line() -> None:
    body = 'id,text\nrec_1,"a"\nrec_2,""\n'
    recorder = Recorder(reply(200, body, content_type="text/csv"))
    gs, _ = make_client(recorder)
    assert [line async for line in gs.datasets.export("ds_1", format="csv")] == [
        "id,text",
        'rec_1,"a"',
        'rec_2,""',
    ]


async def test_export_records_and_a_json_list_answer() -> None:
    jsonl = reply(200, '{"id": "rec_1"}\n{"id": "rec_2"}\n', content_type="application/x-ndjson")
    as_json = reply(200, {"success": True, "data": [{"id": "rec_1"}, {"id": "rec_2"}]})
    gs, _ = make_client(Recorder(jsonl, as_json))
    assert [r async for r in gs.datasets.export_records("ds_1")] == [
        {"id": "rec_1"},
        {"id": "rec_2"},
    ]
    assert [r async for r in gs.datasets.export_records("ds_1")] == [
        {"id": "rec_1"},
        {"id": "rec_2"},
    ]


async def test_export_errors_and_retries_before_the_body() -> None:
    recorder = Recorder(
        reply(503, {}),
        reply(200, '{"id": "rec_1"}\n', content_type="application/x-ndjson"),
    )
    gs, _ = make_client(recorder)
    assert [line async for line in gs.datasets.export("ds_1")] == ['{"id": "rec_1"}']
    assert len(recorder.requests) == 2
    with pytest.raises(ValueError, match="format"):
        [line async for line in gs.datasets.export("ds_1", format="xml")]


async def test_export_of_an_unknown_dataset() -> None:
    body = {"error": {"code": "not_found", "message": "No dataset ds_x"}}
    gs, _ = make_client(Recorder(reply(404, body)))
    with pytest.raises(NotFoundError, match="No dataset ds_x"):
        [line async for line in gs.datasets.export("ds_x")]


async def test_a_refused_batch_with_odd_error_entries() -> None:
    odd = {
        "error": {
            "code": "invalid_parameter",
            "message": "no",
            "details": {"errors": ["bad", {"row": 1}]},
        }
    }
    recorder = Recorder(reply(200, {"imported": 2}), reply(400, odd))
    gs, _ = make_client(recorder)
    with pytest.raises(BadRequestError) as info:
        await gs.datasets.import_records("ds_1", [{"n": i} for i in range(4)], batch_size=2)
    assert info.value.details["errors"] == ["bad", {"row": 3}]
