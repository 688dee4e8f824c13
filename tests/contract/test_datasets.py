"""Datasets through the client against the sandbox: CRUD, import -> query -> export round trip."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from genispace_mcp.client import BadRequestError, GeniSpace, NotFoundError

RECORDS = [
    {"id": f"doc-{n}", "title": title, "kind": kind, "rank": n}
    for n, (title, kind) in enumerate(
        [
            ("Shipping takes three days", "faq"),
            ("Refunds arrive within a week", "faq"),
            ("The router blinks red after a reset", "manual"),
            ("Firmware updates install at night", "manual"),
            ("Billing shows a pending authorisation", "faq"),
        ]
    )
]


async def test_dataset_lifecycle_and_statistics(gs: GeniSpace) -> None:
    dataset = await gs.datasets.create(name="Contract CRUD", description="tmp")
    assert dataset.id.startswith("ds_")
    await gs.datasets.import_records(dataset.id, RECORDS)

    fetched = await gs.datasets.get(dataset.id)
    assert fetched.statistics is not None
    assert fetched.statistics.record_count == len(RECORDS)

    updated = await gs.datasets.update(dataset.id, description="kept")
    assert updated.description == "kept"
    assert dataset.id in [d.id for d in (await gs.datasets.list(search="Contract CRUD")).items]

    await gs.datasets.delete(dataset.id)
    with pytest.raises(NotFoundError):
        await gs.datasets.get(dataset.id)


async def test_import_query_export_round_trip_loses_nothing(gs: GeniSpace, tmp_path: Path) -> None:
    dataset = await gs.datasets.create(name="Contract round trip")
    result = await gs.datasets.import_records(dataset.id, RECORDS, batch_size=2)
    assert result.imported == len(RECORDS)
    assert result.failed == 0

    ranked = await gs.datasets.query(dataset.id, query="when do refunds arrive", top_k=3)
    assert ranked.matches[0].id == "doc-1"
    scores = [m.score for m in ranked.matches]
    assert scores == sorted(scores, reverse=True)

    filtered = await gs.datasets.query(
        dataset.id, filter={"kind": "manual", "rank": {"$gte": 3}}, fields=["title"]
    )
    assert [m.id for m in filtered.matches] == ["doc-3"]
    assert set(filtered.matches[0].record) <= {"id", "title"}

    exported = [record async for record in gs.datasets.export_records(dataset.id)]
    assert sorted(exported, key=lambda r: r["id"]) == RECORDS

    # The export, written to a JSONL file, imports into a new dataset unchanged.
    path = tmp_path / "export.jsonl"
    lines = [line async for line in gs.datasets.export(dataset.id, format="jsonl")]
    path.write_text("\n".join(line.rstrip("\n") for line in lines) + "\n")
    copy = await gs.datasets.create(name="Contract round trip copy")
    await gs.datasets.import_records(copy.id, path)
    again = [record async for record in gs.datasets.export_records(copy.id)]
    assert sorted(again, key=lambda r: r["id"]) == RECORDS

    csv_lines = [line async for line in gs.datasets.export(dataset.id, format="csv")]
    assert csv_lines[0].strip().split(",")[0] == "id"
    assert len([line for line in csv_lines if line.strip()]) == len(RECORDS) + 1


async def test_csv_file_import(gs: GeniSpace, tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_text("id,name,city\np1,Ada,London\np2,Grace,Arlington\n")
    dataset = await gs.datasets.create(name="Contract CSV")
    result = await gs.datasets.import_records(dataset.id, path)
    assert result.imported == 2
    exported = {r["id"]: r async for r in gs.datasets.export_records(dataset.id)}
    assert exported["p2"] == {"id": "p2", "name": "Grace", "city": "Arlington"}


async def test_import_is_all_or_nothing_unless_partial(gs: GeniSpace) -> None:
    dataset = await gs.datasets.create(name="Contract partial")
    # The middle row's id is of a type the platform refuses: only the server can say so.
    rows = [{"id": "ok-1", "text": "fine"}, {"id": ["not", "an", "id"]}, {"id": "ok-2"}]

    with pytest.raises(BadRequestError):
        await gs.datasets.import_records(dataset.id, rows)
    stats = (await gs.datasets.get(dataset.id)).statistics
    assert stats is not None
    assert stats.record_count == 0

    result = await gs.datasets.import_records(dataset.id, rows, partial=True)
    assert result.imported == 2
    assert result.failed == 1
    assert result.errors[0]["row"] == 2


async def test_idempotent_import_is_not_doubled(gs: GeniSpace) -> None:
    dataset = await gs.datasets.create(name="Contract idempotent")
    records = [{"text": f"note {n}"} for n in range(7)]  # no ids: a repeat would add 7 more
    await gs.datasets.import_records(dataset.id, records, batch_size=3, idempotency_key="imp-1")
    await gs.datasets.import_records(dataset.id, records, batch_size=3, idempotency_key="imp-1")
    stats = (await gs.datasets.get(dataset.id)).statistics
    assert stats is not None
    assert stats.record_count == len(records)
    exported = [json.dumps(r, sort_keys=True) async for r in gs.datasets.export_records(dataset.id)]
    assert len(exported) == len(records)
