"""Sandbox datasets: import throughput and query latency at 1k, 10k and 100k records."""

from __future__ import annotations

import json
import random
import time
from typing import Any

import anyio
import httpx

from bench.harness import Bench, SandboxInfo
from bench.report import Figure
from bench.stats import single, summarize

BATCH = 1000
WORDS = [
    "invoice",
    "refund",
    "shipping",
    "delay",
    "warranty",
    "battery",
    "screen",
    "login",
    "password",
    "account",
    "billing",
    "upgrade",
    "plan",
    "discount",
    "coupon",
    "delivery",
    "address",
    "return",
    "exchange",
    "broken",
    "missing",
    "order",
    "payment",
    "card",
    "bank",
    "transfer",
    "subscription",
    "cancel",
    "renew",
    "support",
    "agent",
    "chat",
    "email",
    "phone",
    "manual",
    "setup",
    "install",
    "update",
    "firmware",
    "bluetooth",
    "wifi",
    "pairing",
    "charger",
    "cable",
    "speaker",
]
QUERIES = ("refund for a broken screen", "cannot login after password reset", "wifi pairing setup")


def records(count: int, seed: int = 7) -> list[dict[str, Any]]:
    """`count` deterministic support-ticket-like records with text, a category and a number."""
    rng = random.Random(seed)
    out = []
    for i in range(count):
        words = rng.choices(WORDS, k=rng.randint(8, 24))
        out.append(
            {
                "id": f"t{i:06d}",
                "title": " ".join(words[:4]),
                "body": " ".join(words),
                "category": rng.choice(("billing", "hardware", "account", "shipping")),
                "priority": rng.randint(1, 5),
            }
        )
    return out


async def _load_and_query(sandbox: SandboxInfo, size: int, queries: int) -> dict[str, Any]:
    headers = {"authorization": f"Bearer {sandbox.api_key}"}
    async with httpx.AsyncClient(base_url=sandbox.base_url, headers=headers, timeout=300) as http:
        created = await http.post(
            "/datasets",
            json={"name": f"bench-{size}", "description": "bench", "textFields": ["title", "body"]},
        )
        created.raise_for_status()
        dataset_id = created.json()["id"]
        rows = records(size)
        start = time.perf_counter()
        for offset in range(0, size, BATCH):
            chunk = rows[offset : offset + BATCH]
            answer = await http.post(
                f"/datasets/{dataset_id}/import",
                content=json.dumps(chunk),
                headers={"content-type": "application/json"},
            )
            answer.raise_for_status()
        import_seconds = time.perf_counter() - start
        # The first text query after an import waits for the search index to be (re)built:
        # timed on its own, so the steady-state figures below are not mixed with it.
        start = time.perf_counter()
        answer = await http.post(
            f"/datasets/{dataset_id}/query", json={"query": QUERIES[0], "top_k": 10}
        )
        answer.raise_for_status()
        first = (time.perf_counter() - start) * 1000
        text: list[float] = []
        filtered: list[float] = []
        budget_end = time.perf_counter() + 30  # cap the slowest size, whatever its latency
        for i in range(queries):
            body = {"query": QUERIES[i % len(QUERIES)], "top_k": 10}
            start = time.perf_counter()
            answer = await http.post(f"/datasets/{dataset_id}/query", json=body)
            answer.raise_for_status()
            text.append((time.perf_counter() - start) * 1000)
            if not answer.json()["data"]:
                raise RuntimeError("a text query found nothing")
            start = time.perf_counter()
            answer = await http.post(
                f"/datasets/{dataset_id}/query",
                json={"filter": {"category": "billing", "priority": {"$gte": 4}}, "top_k": 10},
            )
            answer.raise_for_status()
            filtered.append((time.perf_counter() - start) * 1000)
            if i >= 2 and time.perf_counter() > budget_end:
                break
        await http.delete(f"/datasets/{dataset_id}")
    return {
        "import_seconds": import_seconds,
        "first_ms": first,
        "text_ms": text,
        "filter_ms": filtered,
    }


def run(bench: Bench) -> list[Figure]:
    """Import records/s and query p50/p95 per dataset size."""
    sandbox = bench.sandbox()
    sizes = (1_000, 10_000) if bench.quick else (1_000, 10_000, 100_000)
    queries = bench.rounds(full=20, quick=6)
    figures: list[Figure] = []
    for size in sizes:
        result = anyio.run(_load_and_query, sandbox, size, queries)
        figures.append(
            Figure(
                "datasets",
                f"import {size:,} records ({BATCH:,} per request)",
                single(size / result["import_seconds"], "records/s"),
                note=f"{result['import_seconds']:.1f} s",
            )
        )
        figures.append(
            Figure(
                "datasets",
                f"first text query after the import, {size:,} records",
                single(result["first_ms"], "ms"),
                note="includes building the search index",
            )
        )
        text = summarize(result["text_ms"], "ms")
        figures.append(
            Figure(
                "datasets",
                f"text query, top 10 of {size:,}",
                text,
                target="< 1000 ms" if size == 10_000 else None,
                met=(text.median < 1000) if size == 10_000 else None,
            )
        )
        figures.append(
            Figure(
                "datasets",
                f"filter query, top 10 of {size:,}",
                summarize(result["filter_ms"], "ms"),
            )
        )
    return figures
