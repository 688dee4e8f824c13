"""The OpenAPI document: every route documented, and real responses validating against it."""

from __future__ import annotations

import re
from typing import Any

import anyio
import httpx
import jsonschema

from genispace_mcp.sandbox.routes import endpoints

from .conftest import HarnessFactory


def _template_regex(path: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\{\w+\}", "[^/]+", path) + "$")


def _operation_of(document: dict[str, Any], method: str, path: str) -> tuple[str, dict[str, Any]]:
    # Literal segments win over parameters (/tasks/runs/x is not /tasks/{id}/...).
    candidates = [
        (template, ops[method.lower()])
        for template, ops in document["paths"].items()
        if method.lower() in ops and _template_regex(template).match(path)
    ]
    assert candidates, f"{method} {path} is served but not documented"
    return min(candidates, key=lambda c: c[0].count("{"))


def _validate(document: dict[str, Any], response: httpx.Response) -> str:
    request = response.request
    template, operation = _operation_of(document, request.method, request.url.path)
    documented = operation["responses"].get(str(response.status_code))
    assert documented, f"{request.method} {template} answered {response.status_code}, undocumented"
    for name, header in documented.get("headers", {}).items():
        if header.get("required"):
            assert name.lower() in response.headers, (
                f"{name} missing on {request.method} {template}"
            )
    content = documented.get("content")
    if not content:
        assert response.content == b""
        return f"{request.method} {template}"
    media = response.headers["content-type"].split(";")[0]
    assert media in content, f"{media} not documented for {request.method} {template}"
    if media == "application/json":
        root = {"components": document["components"], **content[media]["schema"]}
        jsonschema.Draft202012Validator(
            root, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
        ).validate(response.json())
    return f"{request.method} {template}"


async def test_every_route_is_documented_and_nothing_more() -> None:
    from genispace_mcp.sandbox.openapi import build

    document = build(endpoints())
    documented = {(m.upper(), p) for p, ops in document["paths"].items() for m in ops}
    served = {(e.method, "/v1" + e.path) for e in endpoints()}
    assert served | {("GET", "/v1/openapi.json"), ("GET", "/healthz")} == documented
    seed_paths = [
        "GET /v1/agents", "POST /v1/agents", "GET /v1/agents/{id}", "PUT /v1/agents/{id}",
        "DELETE /v1/agents/{id}", "POST /v1/agents/{id}/chat", "POST /v1/agents/{id}/execute",
        "POST /v1/agents/{id}/invoke", "GET /v1/agents/{id}/logs", "GET /v1/tasks",
        "POST /v1/tasks", "GET /v1/tasks/{id}", "PUT /v1/tasks/{id}", "DELETE /v1/tasks/{id}",
        "POST /v1/tasks/{id}/run", "GET /v1/tasks/{id}/runs", "GET /v1/datasets",
        "POST /v1/datasets", "GET /v1/datasets/{id}", "PUT /v1/datasets/{id}",
        "DELETE /v1/datasets/{id}", "POST /v1/datasets/{id}/query",
        "POST /v1/datasets/{id}/import", "GET /v1/datasets/{id}/export", "GET /v1/api-keys",
        "POST /v1/api-keys", "GET /v1/api-keys/{id}", "PUT /v1/api-keys/{id}",
        "DELETE /v1/api-keys/{id}", "GET /v1/api-keys/{id}/usage",
    ]  # fmt: skip
    for line in seed_paths:
        method, path = line.split(" ")
        assert (method, path) in documented, line
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            assert operation["summary"], (method, path)
            if path.startswith("/v1/") and path != "/v1/openapi.json":
                assert operation["security"] == [{"bearerAuth": []}]
                assert {"401", "429"} <= set(operation["responses"])
    jsonschema.Draft202012Validator.check_schema(document["components"]["schemas"]["Run"])


async def test_responses_validate_against_the_document(make_harness: HarnessFactory) -> None:
    harness = await make_harness(seed_demo=True)
    seen: list[httpx.Response] = []

    async def keep(response: httpx.Response) -> None:
        await response.aread()
        seen.append(response)

    c = harness.client
    c.event_hooks["response"].append(keep)
    document = (await c.get("/openapi.json")).json()
    await c.get("http://sandbox/healthz")
    agents = (await c.get("/agents")).json()["data"]
    tasks = (await c.get("/tasks", params={"limit": 100})).json()["data"]
    datasets = (await c.get("/datasets")).json()["data"]
    knowledge = next(a for a in agents if a["knowledgeBases"])

    agent = (await c.post("/agents", json={"name": "Doc"})).json()
    await c.get(f"/agents/{agent['id']}")
    await c.put(f"/agents/{agent['id']}", json={"description": "x"})
    await c.post(
        f"/agents/{knowledge['id']}/chat",
        json={"messages": [{"role": "user", "content": "refund"}]},
    )
    await c.post(f"/agents/{knowledge['id']}/execute", json={"inputs": {"query": "reset"}})
    await c.post(f"/agents/{knowledge['id']}/invoke", json={})
    await c.get(f"/agents/{knowledge['id']}/logs")
    await c.delete(f"/agents/{agent['id']}")
    await c.get(f"/agents/{agent['id']}")  # 404
    await c.post("/agents", json={})  # 400

    task = (
        await c.post(
            "/tasks",
            json={"name": "Doc", "workflow": {"steps": [{"type": "template", "template": "x"}]}},
        )
    ).json()
    await c.get(f"/tasks/{task['id']}")
    await c.put(f"/tasks/{task['id']}", json={"tags": ["a"]})
    await c.get(f"/tasks/{task['id']}/schema")
    run = (await c.post(f"/tasks/{task['id']}/run")).json()
    assert await anyio.to_thread.run_sync(lambda: harness.ctx.runner.join(run["id"], 10))
    assert (await c.get(f"/tasks/runs/{run['id']}")).json()["status"] == "COMPLETED"
    await c.post(f"/tasks/runs/{run['id']}/cancel")  # 409
    slow = next(t for t in tasks if any(s["type"] == "wait" for s in t["workflow"]["steps"]))
    waiting = (await c.post(f"/tasks/{slow['id']}/run")).json()
    await c.post(f"/tasks/runs/{waiting['id']}/cancel")
    failing = (
        await c.post(
            "/tasks",
            json={"name": "F", "workflow": {"steps": [{"type": "agent", "agentId": "agt_x"}]}},
        )
    ).json()
    failed = (await c.post(f"/tasks/{failing['id']}/run")).json()
    assert await anyio.to_thread.run_sync(lambda: harness.ctx.runner.join(failed["id"], 10))
    assert (await c.get(f"/tasks/runs/{failed['id']}")).json()["status"] == "FAILED"
    await c.get(f"/tasks/{task['id']}/runs")
    await c.delete(f"/tasks/{task['id']}")
    asks = next(t for t in tasks if t["inputSchema"].get("required"))
    await c.post(f"/tasks/{asks['id']}/run", json={})  # 400

    dataset = (await c.post("/datasets", json={"name": "Doc"})).json()
    await c.post(f"/datasets/{dataset['id']}/import", json=[{"id": "a", "t": "x"}, {"t": "y"}])
    await c.post(
        f"/datasets/{dataset['id']}/import", params={"mode": "partial"}, json=[{"id": True}]
    )
    await c.post(f"/datasets/{dataset['id']}/import", json=[{"id": True}])  # 400
    await c.get(f"/datasets/{dataset['id']}")
    await c.put(f"/datasets/{dataset['id']}", json={"description": "d"})
    await c.post(f"/datasets/{datasets[0]['id']}/query", json={"query": "refund", "top_k": 3})
    await c.post(f"/datasets/{datasets[0]['id']}/query", json={"filter": {"priority": "high"}})
    await c.get(f"/datasets/{dataset['id']}/export")
    await c.get(f"/datasets/{dataset['id']}/export", params={"format": "csv"})
    await c.delete(f"/datasets/{dataset['id']}")

    created = (
        await c.post("/api-keys", json={"name": "Doc", "permissions": ["read:agents"]})
    ).json()
    await c.get("/api-keys")
    await c.get(f"/api-keys/{created['id']}")
    await c.put(f"/api-keys/{created['id']}", json={"name": "Doc 2"})
    await c.get(f"/api-keys/{created['id']}/usage")
    limited = harness.as_key(created["key"])
    limited.event_hooks["response"].append(keep)
    await limited.post("/agents", json={"name": "no"})  # 403
    await c.delete(f"/api-keys/{created['id']}")
    await limited.get("/agents")  # 401
    await c.get("/users/me")
    await c.post("/agents", content=b"x" * 20_000_000)  # 413

    exercised = {_validate(document, response) for response in seen}
    documented = {f"{m.upper()} {p}" for p, ops in document["paths"].items() for m in ops}
    assert documented == exercised
    statuses = {r.status_code for r in seen}
    assert {200, 201, 202, 204, 400, 401, 403, 404, 409, 413} <= statuses
