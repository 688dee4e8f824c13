"""Search over a dataset's records: filters and exact cosine ranking on cached sparse vectors.

Each dataset's records are loaded once per version (every import bumps it) into a snapshot: the
parsed records and an inverted index of their vectors (dimension -> the records with a non-zero
value there, and the values). The hashing embedder puts a text on a few hundred of 4,096
dimensions, so a text query only walks the postings of its own few dozen dimensions: exact cosine
similarity (stored vectors are unit length; a given query vector is normalised) in plain Python,
which is what keeps 10,000 records at a few milliseconds without numpy.
"""

from __future__ import annotations

import contextlib
import heapq
import json
import logging
import math
import struct
import threading
from array import array
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from genispace_mcp.sandbox.embed import Embedder, embed_sparse
from genispace_mcp.sandbox.errors import invalid
from genispace_mcp.sandbox.store import Store

logger = logging.getLogger("genispace_mcp.sandbox.search")

OPERATORS = ("$gt", "$gte", "$lt", "$lte", "$ne", "$in")
_MISSING = object()
_MAGIC = b"SV1"  # stored vector format: magic, uint32 count, uint32 indices, float32 values


@dataclass(frozen=True, slots=True)
class Snapshot:
    """A dataset's records at one version, ready to search."""

    version: int
    ids: list[str]
    records: list[dict[str, Any]]  # each with its "id" first
    postings: dict[int, tuple[array, array]]  # dimension -> (record positions, values)


def pack(vector: dict[int, float]) -> bytes:
    """A sparse vector as stored."""
    indices = array("I", sorted(vector))
    values = array("f", [vector[i] for i in indices])
    return _MAGIC + struct.pack("<I", len(indices)) + indices.tobytes() + values.tobytes()


def unpack(blob: bytes) -> tuple[array, array]:
    """(indices, values) of a stored vector; empty for anything unreadable."""
    indices, values = array("I"), array("f")
    if blob[:3] != _MAGIC or len(blob) < 7:
        return indices, values
    (count,) = struct.unpack_from("<I", blob, 3)
    end = 7 + count * indices.itemsize
    if len(blob) != end + count * values.itemsize:
        return array("I"), array("f")
    indices.frombytes(blob[7:end])
    values.frombytes(blob[end:])
    return indices, values


class RecordIndex:
    """Snapshots per dataset, rebuilt when the dataset's version changes."""

    def __init__(self, store: Store, embedder: Embedder) -> None:
        self._store = store
        self._embedder = embedder
        self._cache: dict[str, Snapshot] = {}
        self._lock = threading.Lock()
        # One background builder: after an import the new snapshot is built ahead of the first
        # query (a query arriving earlier waits for it on the lock, as it would anyway).
        self._builder = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sandbox-index")

    def warm(self, dataset_id: str) -> None:
        """Build a dataset's snapshot in the background, if it is not current."""
        with contextlib.suppress(RuntimeError):  # closed: nothing to warm any more
            self._builder.submit(self._warm, dataset_id)

    def _warm(self, dataset_id: str) -> None:
        try:
            self.snapshot(dataset_id)
        except Exception:  # the store closed under us; the next query rebuilds anyway
            logger.debug("could not warm the index of %s", dataset_id, exc_info=True)

    def close(self) -> None:
        """Stop the background builder (waits for a build in progress)."""
        self._builder.shutdown(wait=True, cancel_futures=True)

    def snapshot(self, dataset_id: str) -> Snapshot | None:
        """The current snapshot of a dataset, or None when it does not exist."""
        version = self._store.dataset_version(dataset_id)
        if version is None:
            self._cache.pop(dataset_id, None)
            return None
        cached = self._cache.get(dataset_id)
        if cached is not None and cached.version == version:
            return cached
        with self._lock:  # one build at a time; a second caller then finds it cached
            cached = self._cache.get(dataset_id)
            if cached is not None and cached.version == version:
                return cached
            loaded = self._store.load_records(dataset_id)
            if loaded is None:
                return None
            snapshot = self._build(*loaded)
            self._cache[dataset_id] = snapshot
            return snapshot

    @staticmethod
    def _build(version: int, rows: list[Any]) -> Snapshot:
        # Plain lists while collecting (list.append is the cheapest append), arrays to keep.
        positions: dict[int, list[int]] = {}
        values: dict[int, list[float]] = {}
        for position, row in enumerate(rows):
            indices, weights = unpack(row.vector)
            for dim, value in zip(indices, weights, strict=True):
                found = positions.get(dim)
                if found is None:
                    positions[dim] = [position]
                    values[dim] = [value]
                else:
                    found.append(position)
                    values[dim].append(value)
        postings = {dim: (array("I", positions[dim]), array("f", values[dim])) for dim in positions}
        records = [{"id": r.id, **json.loads(r.data)} for r in rows]
        return Snapshot(version, [r.id for r in rows], records, postings)

    def search(
        self,
        dataset_id: str,
        *,
        query: str | None = None,
        vector: list[float] | None = None,
        filter: dict[str, Any] | None = None,
        top_k: int = 10,
        offset: int = 0,
        fields: list[str] | None = None,
    ) -> dict[str, Any] | None:
        """`{"data": [{"id", "score", "record"}], "total", "top_k", "offset"}`, best first; None
        when the dataset does not exist. Validate the filter first with `check_filter`."""
        snapshot = self.snapshot(dataset_id)
        if snapshot is None:
            return None
        count = len(snapshot.ids)
        if filter:
            candidates = [i for i in range(count) if matches(snapshot.records[i], filter)]
        else:
            candidates = list(range(count))
        sparse: dict[int, float] | None = None
        if query is not None:
            sparse = embed_sparse(self._embedder, [query])[0]
        elif vector is not None:
            sparse = {i: x for i, x in enumerate(vector) if x}
        scores: list[float] | None = None
        if sparse is not None:
            scores = self._scores(snapshot, sparse)
            # Best first; equal scores keep insertion order (nlargest is stable).
            chosen = heapq.nlargest(offset + top_k, candidates, key=scores.__getitem__)[offset:]
        else:
            chosen = candidates[offset : offset + top_k]
        data = []
        for i in chosen:
            record = snapshot.records[i]
            if fields is not None:
                record = {f: record[f] for f in fields if f in record}
            data.append(
                {
                    "id": snapshot.ids[i],
                    "score": round(scores[i], 6) if scores is not None else None,
                    "record": record,
                }
            )
        return {"data": data, "total": len(candidates), "top_k": top_k, "offset": offset}

    @staticmethod
    def _scores(snapshot: Snapshot, vector: dict[int, float]) -> list[float]:
        scores = [0.0] * len(snapshot.ids)
        norm = math.sqrt(sum(x * x for x in vector.values()))
        if norm == 0.0:
            return scores
        for dim, weight in vector.items():
            posting = snapshot.postings.get(dim)
            if posting is None:
                continue
            w = weight / norm
            for position, value in zip(posting[0], posting[1], strict=True):
                scores[position] += w * value
        return scores


def check_filter(filter: Any, field: str = "filter") -> dict[str, Any]:
    """Validate a filter object: `{field: value | {"$op": operand}}`; 400 naming the field."""
    if not isinstance(filter, dict):
        raise invalid(field, "must be an object")
    for name, condition in filter.items():
        if isinstance(condition, dict) and any(k.startswith("$") for k in condition):
            for op, operand in condition.items():
                if op not in OPERATORS:
                    raise invalid(
                        f"{field}.{name}", f"unknown operator '{op}'; use {', '.join(OPERATORS)}"
                    )
                if op == "$in" and not isinstance(operand, list):
                    raise invalid(f"{field}.{name}", "$in needs a list")
    return filter


def matches(record: dict[str, Any], filter: dict[str, Any]) -> bool:
    """Whether a record satisfies every condition of a (checked) filter."""
    for name, condition in filter.items():
        value = _field(record, name)
        if isinstance(condition, dict) and any(k.startswith("$") for k in condition):
            if not all(_apply(op, value, operand) for op, operand in condition.items()):
                return False
        elif value is _MISSING or not _equal(value, condition):
            return False
    return True


def _field(record: dict[str, Any], name: str) -> Any:
    if name in record:
        return record[name]
    value: Any = record
    for part in name.split("."):  # dotted paths reach into nested objects
        if not isinstance(value, dict) or part not in value:
            return _MISSING
        value = value[part]
    return value


def _equal(a: Any, b: Any) -> bool:
    # JSON true is not 1: compare booleans only with booleans.
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    return bool(a == b)


def _comparable(a: Any, b: Any) -> bool:
    numbers = (int, float)
    if isinstance(a, bool) or isinstance(b, bool):
        return False
    return (isinstance(a, numbers) and isinstance(b, numbers)) or (
        isinstance(a, str) and isinstance(b, str)
    )


def _apply(op: str, value: Any, operand: Any) -> bool:
    if op == "$ne":
        return value is _MISSING or not _equal(value, operand)
    if value is _MISSING:
        return False
    if op == "$in":
        return any(_equal(value, o) for o in operand)
    if not _comparable(value, operand):
        return False
    if op == "$gt":
        return bool(value > operand)
    if op == "$gte":
        return bool(value >= operand)
    if op == "$lt":
        return bool(value < operand)
    return bool(value <= operand)
