"""SandboxServer over a real loopback port: the shared fixture, start/stop, restarts on a data dir."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import httpx

from genispace_mcp.sandbox import SandboxServer, SandboxSettings


def test_shared_fixture_serves_the_demo(sandbox: SandboxServer) -> None:
    assert sandbox.base_url.startswith("http://127.0.0.1:")
    assert sandbox.base_url.endswith("/v1")
    assert sandbox.admin_key.startswith("sk-")
    headers = {"Authorization": f"Bearer {sandbox.admin_key}"}
    with httpx.Client(base_url=sandbox.base_url, headers=headers) as client:
        assert client.get(sandbox.url + "/healthz").json() == {"status": "ok"}
        agents = client.get("/agents").json()
        assert {a["agentType"] for a in agents["data"]} == {"CHAT", "TASK"}
        assert len(client.get("/datasets").json()["data"]) >= 2
        assert client.get("/agents", headers={"Authorization": ""}).status_code == 401


def test_start_stop_and_context_manager() -> None:
    with SandboxServer(SandboxSettings(port=0, seed_demo=False)) as server:
        port = server.port
        response = httpx.get(
            server.base_url + "/users/me", headers={"Authorization": f"Bearer {server.admin_key}"}
        )
        assert response.status_code == 200
    try:
        httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
    except httpx.TransportError:
        pass
    else:
        raise AssertionError("the server still answers after stop()")


def test_data_survives_a_restart(tmp_path: Path) -> None:
    settings = SandboxSettings(port=0, seed_demo=False, data_dir=tmp_path)
    with SandboxServer(settings) as first:
        headers = {"Authorization": f"Bearer {first.admin_key}"}
        created = httpx.post(
            first.base_url + "/agents", json={"name": "Survivor"}, headers=headers
        ).json()
        dataset = httpx.post(
            first.base_url + "/datasets", json={"name": "d"}, headers=headers
        ).json()
        imported = httpx.post(
            first.base_url + f"/datasets/{dataset['id']}/import",
            json=[{"id": "r1", "text": "kept"}],
            headers=headers,
        )
        assert imported.status_code == 200
        key = first.admin_key
    assert (tmp_path / "sandbox.db").exists()
    # The first start generated this admin key for its server; the second reuses it as fixed.
    with SandboxServer(dataclasses.replace(settings, admin_key=key)) as second:
        headers = {"Authorization": f"Bearer {key}"}
        agent = httpx.get(second.base_url + f"/agents/{created['id']}", headers=headers)
        assert agent.status_code == 200
        assert agent.json()["name"] == "Survivor"
        export = httpx.get(second.base_url + f"/datasets/{dataset['id']}/export", headers=headers)
        assert export.text.strip() == '{"id":"r1","text":"kept"}'
