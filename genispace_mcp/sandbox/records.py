"""Dataset records in and out: parsing JSON / JSONL / CSV imports row by row, embedding and
storing them, and rendering exports as JSONL or CSV."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from genispace_mcp.sandbox.context import Context
from genispace_mcp.sandbox.embed import embed_sparse
from genispace_mcp.sandbox.errors import invalid
from genispace_mcp.sandbox.ids import iso, new_id
from genispace_mcp.sandbox.search import pack
from genispace_mcp.sandbox.store import RecordRow

JSON_TYPES = ("application/json",)
JSONL_TYPES = (
    "application/x-ndjson",
    "application/jsonl",
    "application/x-jsonlines",
    "application/ndjson",
)
CSV_TYPES = ("text/csv", "application/csv")
EMBED_BATCH = 256
MAX_ID_CHARS = 200


@dataclass
class Parsed:
    """Rows that parsed (with their 1-based row numbers) and the rows that did not."""

    records: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)


def parse(body: bytes, content_type: str) -> Parsed:
    """Split an import body into records by its media type; 400 for an unreadable body."""
    media = content_type.split(";", 1)[0].strip().lower()
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise invalid("body", "must be UTF-8 text") from None
    if media in JSONL_TYPES:
        return _parse_jsonl(text)
    if media in CSV_TYPES:
        return _parse_csv(text)
    if media in JSON_TYPES or media == "":
        return _parse_json(text)
    raise invalid(
        "Content-Type",
        f"unsupported media type '{media}'; send application/json, application/x-ndjson or text/csv",
    )


def _check(row: int, value: Any, parsed: Parsed) -> None:
    if not isinstance(value, dict):
        parsed.errors.append({"row": row, "message": "a record must be a JSON object"})
        return
    record_id = value.get("id")
    if "id" in value and (
        isinstance(record_id, bool)
        or not isinstance(record_id, str | int)
        or (isinstance(record_id, str) and not record_id.strip())
        or len(str(record_id)) > MAX_ID_CHARS
    ):
        parsed.errors.append(
            {
                "row": row,
                "message": f"'id' must be a non-empty string or an integer (at most {MAX_ID_CHARS} characters)",
            }
        )
        return
    parsed.records.append((row, value))


def _parse_json(text: str) -> Parsed:
    try:
        data = json.loads(text) if text.strip() else []
    except json.JSONDecodeError as exc:
        raise invalid("body", f"malformed JSON: {exc}", "The body is not valid JSON") from None
    if isinstance(data, dict) and isinstance(data.get("records"), list):
        data = data["records"]
    if not isinstance(data, list):
        raise invalid("body", 'must be a JSON list of records or {"records": [...]}')
    parsed = Parsed()
    for n, value in enumerate(data, 1):
        _check(n, value, parsed)
    return parsed


def _parse_jsonl(text: str) -> Parsed:
    parsed = Parsed()
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            parsed.errors.append(
                {"row": n, "message": f"invalid JSON: {exc.msg} (column {exc.colno})"}
            )
            continue
        _check(n, value, parsed)
    return parsed


def _parse_csv(text: str) -> Parsed:
    parsed = Parsed()
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if header is None:
            return parsed
        names = [h.strip() for h in header]
        if any(not n for n in names) or len(set(names)) != len(names):
            raise invalid("body", "the CSV header must name every column once")
        for n, values in enumerate(reader, 1):
            if not values or values == [""]:
                continue
            if len(values) != len(names):
                parsed.errors.append(
                    {"row": n, "message": f"{len(values)} values for {len(names)} columns"}
                )
                continue
            _check(n, dict(zip(names, values, strict=True)), parsed)
    except csv.Error as exc:
        raise invalid("body", f"malformed CSV: {exc}") from None
    return parsed


def embed_text(record: dict[str, Any], text_fields: list[str] | None) -> str:
    """The text of a record that is embedded: its `textFields`, or every string field."""
    if text_fields:
        parts = [
            record[f] if isinstance(record[f], str) else json.dumps(record[f])
            for f in text_fields
            if f in record and record[f] is not None
        ]
    else:
        parts = [v for k, v in record.items() if k != "id" and isinstance(v, str)]
    return "\n".join(parts)


def store_records(
    ctx: Context, dataset: dict[str, Any], records: list[dict[str, Any]]
) -> int | None:
    """Embed and upsert records (all in one transaction); the new record count, or None if the
    dataset is gone."""
    text_fields = dataset.get("textFields") or None
    rows: list[RecordRow] = []
    fields: list[str] = []
    for start in range(0, len(records), EMBED_BATCH):
        batch = records[start : start + EMBED_BATCH]
        vectors = embed_sparse(ctx.embedder, [embed_text(r, text_fields) for r in batch])
        for record, vector in zip(batch, vectors, strict=True):
            data = {k: v for k, v in record.items() if k != "id"}
            record_id = str(record["id"]) if "id" in record else new_id("rec")
            encoded = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
            rows.append(RecordRow(record_id, encoded, len(encoded.encode("utf-8")), pack(vector)))
            fields.extend(k for k in data if k not in fields)
    return ctx.store.import_records(dataset["id"], rows, fields, iso(ctx.now()))


def export_jsonl(ctx: Context, dataset_id: str) -> Iterator[bytes]:
    """Every record as one JSON line, its id first."""
    for batch in ctx.store.iter_records(dataset_id):
        lines = []
        for record_id, data in batch:
            body = data[1:-1]
            lines.append(
                '{"id":'
                + json.dumps(record_id, ensure_ascii=False)
                + ("," + body if body else "")
                + "}\n"
            )
        yield "".join(lines).encode("utf-8")


def export_csv(ctx: Context, dataset_id: str, fields: list[str]) -> Iterator[bytes]:
    """A header of `id` and every field, then one row per record (nested values as JSON)."""
    columns = [f for f in fields if f != "id"]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["id", *columns])
    for batch in ctx.store.iter_records(dataset_id):
        for record_id, data in batch:
            record = json.loads(data)
            writer.writerow([record_id, *(_cell(record.get(c)) for c in columns)])
        yield out.getvalue().encode("utf-8")
        out.seek(0)
        out.truncate()
    if out.tell():
        yield out.getvalue().encode("utf-8")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)
