"""Benchmark (not a test): import throughput and query latency of the sandbox at 10,000 records.

    uv run python tests/sandbox/bench_search.py [--records 10000] [--queries 50]

Goes through the HTTP app in-process (httpx.ASGITransport), so the figures include request
parsing, embedding, SQLite and JSON; a loopback socket adds well under a millisecond more.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time

import anyio
import httpx

from genispace_mcp.sandbox import SandboxSettings, Store, create_app
from genispace_mcp.sandbox.app import build_context
from genispace_mcp.sandbox.seed import ensure_admin_key, ensure_owner

KEY = "sk-bench-0123456789abcdefghijklmnop"
WORDS = [
    "order",
    "ship",
    "refund",
    "router",
    "reset",
    "camera",
    "battery",
    "warranty",
    "invoice",
    "delivery",
    "account",
    "password",
    "login",
    "firmware",
    "update",
    "wifi",
    "signal",
    "cable",
    "charger",
    "screen",
    "speaker",
    "price",
    "discount",
    "coupon",
    "return",
    "label",
    "tracking",
    "package",
    "customer",
    "support",
    "ticket",
    "urgent",
    "delay",
    "broken",
    "replace",
    "install",
    "app",
    "bluetooth",
    "pairing",
    "button",
    "light",
    "noise",
    "heat",
    "storage",
    "backup",
    "cloud",
    "subscription",
    "plan",
    "upgrade",
]


def records(count: int, rng: random.Random) -> list[dict[str, object]]:
    """Generated support-like records with a title, a body and a few typed fields."""
    out = []
    for n in range(count):
        title = " ".join(rng.choices(WORDS, k=4))
        body = " ".join(rng.choices(WORDS, k=rng.randint(12, 30)))
        out.append(
            {
                "id": f"r{n:06d}",
                "title": title.capitalize(),
                "body": body,
                "priority": rng.choice(["low", "normal", "high"]),
                "amount": round(rng.uniform(1, 500), 2),
            }
        )
    return out


async def main(count: int, queries: int) -> None:
    rng = random.Random(7)
    data = records(count, rng)
    store = Store.open(None)
    settings = SandboxSettings(rate_limit=10**9, admin_key=KEY, max_body_bytes=1 << 30)
    ctx = build_context(store, settings)
    ensure_owner(ctx)
    ensure_admin_key(ctx, KEY)
    app = create_app(store, settings, ctx=ctx)
    transport = httpx.ASGITransport(app=app)
    headers = {"Authorization": f"Bearer {KEY}"}
    async with httpx.AsyncClient(
        transport=transport, base_url="http://b/v1", headers=headers, timeout=600
    ) as client:
        dataset = (await client.post("/datasets", json={"name": "bench"})).json()["id"]
        body = json.dumps(data).encode()
        started = time.perf_counter()
        imported = await client.post(
            f"/datasets/{dataset}/import",
            content=body,
            headers={"Content-Type": "application/json"},
        )
        elapsed = time.perf_counter() - started
        assert imported.status_code == 200, imported.text
        print(
            f"import: {count} records ({len(body) / 1e6:.1f} MB JSON) in {elapsed:.2f} s = {count / elapsed:,.0f} records/s"
        )

        started = time.perf_counter()
        first = await client.post(
            f"/datasets/{dataset}/query", json={"query": "refund for a broken router"}
        )
        print(
            f"first query (waits for the index built after the import): {(time.perf_counter() - started) * 1000:.0f} ms"
        )
        assert first.json()["total"] == count

        async def timed(payload: dict[str, object]) -> float:
            t = time.perf_counter()
            response = await client.post(f"/datasets/{dataset}/query", json=payload)
            assert response.status_code == 200, response.text
            return (time.perf_counter() - t) * 1000

        texts = [" ".join(rng.choices(WORDS, k=rng.randint(2, 8))) for _ in range(queries)]
        for label, payloads in (
            ("text query, top_k 10", [{"query": q} for q in texts]),
            (
                "text query + filter",
                [
                    {"query": q, "filter": {"priority": "high", "amount": {"$gt": 100}}}
                    for q in texts
                ],
            ),
            ("filter only", [{"filter": {"priority": "low"}} for _ in texts]),
            (
                "dense vector (4096 floats)",
                [{"vector": [rng.uniform(-1, 1) for _ in range(4096)]} for _ in texts[:10]],
            ),
        ):
            latencies = [await timed(p) for p in payloads]
            latencies.sort()
            p95 = latencies[max(0, int(len(latencies) * 0.95) - 1)]
            print(
                f"{label:28} median {statistics.median(latencies):6.1f} ms   p95 {p95:6.1f} ms   max {latencies[-1]:6.1f} ms"
            )

        started = time.perf_counter()
        exported = await client.get(f"/datasets/{dataset}/export")
        print(
            f"export jsonl: {len(exported.content) / 1e6:.1f} MB in {(time.perf_counter() - started) * 1000:.0f} ms"
        )
    ctx.runner.close()
    ctx.index.close()
    store.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=50)
    options = parser.parse_args()
    anyio.run(main, options.records, options.queries)
