"""The benchmark sandbox in its own process, so it never shares a core's GIL with what it serves.

`python -m bench.sandbox_proc` starts a demo-seeded sandbox with no rate limit on a free port,
prepares what the benchmarks read (a finished run, agent logs), prints one JSON line
`{"base_url", "api_key", "demo": {...ids}}` on stdout and serves until its stdin closes.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

import httpx

from genispace_mcp.sandbox import SandboxServer, SandboxSettings

RATE_LIMIT = 1_000_000_000  # the benchmarks measure speed, not the sandbox's rate limiter


def prepare_demo(base_url: str, api_key: str) -> dict[str, Any]:
    """Ids of the demo objects the benchmarks use, after giving them some history."""
    headers = {"authorization": f"Bearer {api_key}"}
    with httpx.Client(base_url=base_url, headers=headers, timeout=60) as http:
        agents = http.get("/agents", params={"limit": 100}).json()["data"]
        chat = next(a for a in agents if a.get("agentType") == "CHAT")
        for text in ("How do I reset my password?", "What does the warranty cover?"):
            http.post(
                f"/agents/{chat['id']}/chat", json={"messages": [{"role": "user", "content": text}]}
            ).raise_for_status()
        tasks = http.get("/tasks", params={"limit": 100}).json()["data"]
        # A task that needs no inputs and has no wait step finishes at once.
        runnable = [
            t
            for t in tasks
            if not (t.get("inputSchema") or {}).get("required")
            and not any(s.get("type") == "wait" for s in (t.get("workflow") or {}).get("steps", []))
        ]
        task = runnable[0] if runnable else tasks[0]
        run = http.post(f"/tasks/{task['id']}/run", json={}).json()
        deadline = time.monotonic() + 60
        while run["status"] not in ("COMPLETED", "FAILED", "CANCELED"):
            if time.monotonic() > deadline:
                break
            time.sleep(0.1)  # polling the sandbox's own API: it has no push channel
            run = http.get(f"/tasks/runs/{run['id']}").json()
        datasets = http.get("/datasets", params={"limit": 100}).json()["data"]
        dataset = max(datasets, key=lambda d: d.get("recordCount") or 0)
        return {
            "agent_id": chat["id"],
            "task_id": task["id"],
            "run_id": run["id"],
            "dataset_id": dataset["id"],
            "dataset_records": dataset.get("recordCount"),
            "query": "how do I reset my password",
        }


def main() -> int:
    """Serve until stdin closes."""
    server = SandboxServer(SandboxSettings(port=0, seed_demo=True, rate_limit=RATE_LIMIT))
    server.start()
    try:
        demo = prepare_demo(server.base_url, server.admin_key)
        line = {"base_url": server.base_url, "api_key": server.admin_key, "demo": demo}
        print(json.dumps(line), flush=True)  # stdout-ok: the one line the bench reads
        sys.stdin.read()  # the bench closes our stdin when it is done
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
