"""Cancellation: a client that gives up on a waiting run_task gets its call ended at once, and
the server keeps serving.

What happens to the GeniSpace run: nothing. Cancelling the MCP call only stops the server's
waiting; the run goes on in GeniSpace (a client that merely stopped listening should not destroy
work). The model can find it with list_task_runs / get_task_run and stop it with cancel_task_run,
which these tests also check.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from mcp import Client
from mcp.client.stdio import stdio_client

from bench.overhead import stdio_parameters
from bench.procs import child_env, server_command
from genispace_mcp.sandbox import SandboxServer
from genispace_mcp.server import create_server
from tests.reliability.conftest import server_settings, text_of

PROMPT = 3.0  # seconds from the cancel to the call's end: a wait that is cancelled ends at once
WAIT_STEP = 30  # the run's own length: much longer than the test


@pytest.fixture
def slow_task(canary_sandbox: SandboxServer) -> Iterator[tuple[str, httpx.Client]]:
    """A task whose one step waits WAIT_STEP seconds; deleted afterwards."""
    headers = {"authorization": f"Bearer {canary_sandbox.admin_key}"}
    with httpx.Client(base_url=canary_sandbox.base_url, headers=headers, timeout=30) as http:
        task = http.post(
            "/tasks",
            json={
                "name": "reliability-slow",
                "workflow": {"steps": [{"id": "pause", "type": "wait", "seconds": WAIT_STEP}]},
            },
        )
        task.raise_for_status()
        task_id = task.json()["id"]
        try:
            yield task_id, http
        finally:
            for run in http.get(f"/tasks/{task_id}/runs").json()["data"]:
                if run["status"] in ("PENDING", "RUNNING"):
                    http.post(f"/tasks/runs/{run['id']}/cancel")
            http.delete(f"/tasks/{task_id}")


async def cancel_while_waiting(client: Client, task_id: str) -> float:
    """Start run_task, cancel it once the server reports it is waiting; seconds the end took."""
    waiting = anyio.Event()

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        waiting.set()

    ended_after = -1.0
    with anyio.fail_after(30):
        async with anyio.create_task_group() as group:

            async def call() -> None:
                await client.call_tool(
                    "run_task",
                    {"task_id": task_id, "wait_seconds": 60},
                    progress_callback=on_progress,
                )
                raise AssertionError("run_task returned although it was cancelled")

            group.start_soon(call)
            await waiting.wait()
            cancelled_at = time.perf_counter()
            group.cancel_scope.cancel()
        ended_after = time.perf_counter() - cancelled_at
    return ended_after


def runs_of(http: httpx.Client, task_id: str) -> list[dict[str, Any]]:
    return http.get(f"/tasks/{task_id}/runs").json()["data"]


async def test_cancelled_run_task_ends_promptly_and_the_run_goes_on(
    canary_sandbox: SandboxServer, slow_task: tuple[str, httpx.Client], tmp_path: Path
) -> None:
    task_id, http = slow_task
    server = create_server(server_settings(canary_sandbox, tmp_path, run_wait_seconds=60.0))
    async with Client(server) as client:
        took = await cancel_while_waiting(client, task_id)
        assert took < PROMPT, f"the cancelled call took {took:.1f} s to end"
        # The server keeps serving, on the same connection.
        with anyio.fail_after(5):
            me = await client.call_tool("whoami", {})
        assert not me.is_error, text_of(me)
        # The run goes on in GeniSpace: the client stopped waiting, it did not cancel the work.
        (run,) = runs_of(http, task_id)
        assert run["status"] in ("PENDING", "RUNNING")
        # ... and the model can stop it.
        stopped = await client.call_tool("cancel_task_run", {"run_id": run["id"]})
        assert not stopped.is_error, text_of(stopped)
        with anyio.fail_after(10):
            while runs_of(http, task_id)[0]["status"] != "CANCELED":  # noqa: ASYNC110
                await anyio.sleep(0.05)  # the sandbox stops a wait step between ticks


async def test_cancelled_run_task_over_stdio_stops_the_servers_waiting(
    canary_sandbox: SandboxServer, slow_task: tuple[str, httpx.Client], tmp_path: Path
) -> None:
    task_id, http = slow_task
    env = child_env(
        {
            "GENISPACE_API_KEY": canary_sandbox.admin_key,
            "GENISPACE_BASE_URL": canary_sandbox.base_url,
            "GENISPACE_RUN_WAIT_SECONDS": "60",
            "GENISPACE_LOG_LEVEL": "DEBUG",
        }
    )
    log = tmp_path / "stderr.log"
    with log.open("w") as errlog:
        transport = stdio_client(stdio_parameters(server_command(), env), errlog=errlog)
        async with Client(transport, mode="legacy") as client:
            took = await cancel_while_waiting(client, task_id)
            assert took < PROMPT, f"the cancelled call took {took:.1f} s to end"
            (run,) = runs_of(http, task_id)
            polls_at_cancel = log.read_text().count(f"/tasks/runs/{run['id']} ->")
            # Absence of polling can only be seen over a window: a server still waiting would
            # poll the run at 1 s and 2.5 s after it started (the client's backoff).
            await anyio.sleep(3)
            polls_after = log.read_text().count(f"/tasks/runs/{run['id']} ->")
            assert polls_after == polls_at_cancel, "the server kept waiting for a cancelled call"
            with anyio.fail_after(10):
                listed = await client.call_tool("list_task_runs", {"task_id": task_id})
            assert not listed.is_error, text_of(listed)
    assert runs_of(http, task_id)[0]["status"] in ("PENDING", "RUNNING")
    stderr = log.read_text()
    # The log lines counted above exist in this form (else the check above could not fail).
    assert f"/tasks/{task_id}/runs ->" in stderr
    assert "Traceback" not in stderr
    assert canary_sandbox.admin_key not in stderr
