"""Record sources for imports: lists, (async) iterables and JSONL/CSV files, read in batches."""

from __future__ import annotations

import csv
import json
import os
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Iterator, Mapping
from itertools import islice
from pathlib import Path
from typing import IO, Any

import anyio.to_thread

__all__ = ["FILE_KINDS", "batches_of", "source_records"]

FILE_KINDS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv"}
# Records read from a file per trip to the worker thread: enough to amortise the hop.
_CHUNK = 256


def _record(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise ValueError(f"{where}: a record must be a JSON object, got {type(value).__name__}")
    return dict(value)


def _jsonl_rows(handle: IO[str], name: str) -> Iterator[dict[str, Any]]:
    for number, line in enumerate(handle, 1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except ValueError as exc:
            raise ValueError(f"{name} line {number}: not valid JSON ({exc})") from None
        yield _record(value, f"{name} line {number}")


def _csv_rows(handle: IO[str], name: str) -> Iterator[dict[str, Any]]:
    reader = csv.DictReader(handle)
    for row in reader:
        if None in row:
            raise ValueError(f"{name} line {reader.line_num}: more cells than header columns")
        # Short rows give None for the missing cells: leave those fields out.
        yield {k: v for k, v in row.items() if v is not None}


def _open(path: Path) -> tuple[IO[str], Iterator[dict[str, Any]]]:
    kind = FILE_KINDS.get(path.suffix.lower())
    if kind is None:
        raise ValueError(
            f"cannot import {path.name}: use a .jsonl/.ndjson or .csv file, "
            "or pass the records as a list"
        )
    # utf-8-sig: spreadsheets often save CSV with a byte-order mark; newline="" is what csv wants.
    handle = path.open(encoding="utf-8-sig", newline="")
    rows = _jsonl_rows(handle, path.name) if kind == "jsonl" else _csv_rows(handle, path.name)
    return handle, rows


async def _file_records(path: Path) -> AsyncIterator[dict[str, Any]]:
    try:
        handle, rows = await anyio.to_thread.run_sync(_open, path)
    except FileNotFoundError:
        raise ValueError(f"cannot import {path}: no such file") from None
    try:
        while True:
            chunk = await anyio.to_thread.run_sync(lambda: list(islice(rows, _CHUNK)))
            if not chunk:
                return
            for record in chunk:
                yield record
    finally:
        handle.close()


async def source_records(
    source: str | os.PathLike[str] | Iterable[Any] | AsyncIterable[Any],
) -> AsyncIterator[dict[str, Any]]:
    """Every record of an import source, read lazily; a str or path is a JSONL/CSV file."""
    if isinstance(source, str | os.PathLike):
        async for record in _file_records(Path(source)):
            yield record
    elif isinstance(source, bytes | Mapping):
        raise TypeError(
            "source must be a list or iterable of records, or a path to a .jsonl/.csv file"
        )
    elif isinstance(source, AsyncIterable):
        index = 0
        async for item in source:
            yield _record(item, f"record {index}")
            index += 1
    else:
        for index, item in enumerate(source):
            yield _record(item, f"record {index}")


async def batches_of(
    records: AsyncIterator[dict[str, Any]], size: int
) -> AsyncIterator[list[dict[str, Any]]]:
    """Group records into lists of at most `size`, holding one batch at a time."""
    batch: list[dict[str, Any]] = []
    async for record in records:
        batch.append(record)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
