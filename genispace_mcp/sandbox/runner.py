"""Task runs in the background: PENDING -> RUNNING -> COMPLETED | FAILED | CANCELED, step by step.

Runs execute on a small thread pool (a run waiting for a free worker stays PENDING). Every step
writes its logs and progress to the store as it goes, so a poller sees the run move. A cancel
marks the run CANCELED at once and sets its event: a worker checks it between steps, a `wait`
step sleeps on it, and a step finishing after the cancel never overwrites the CANCELED status.
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from genispace_mcp.sandbox.answer import log_call, respond
from genispace_mcp.sandbox.embed import Embedder
from genispace_mcp.sandbox.errors import conflict
from genispace_mcp.sandbox.ids import iso, new_id, parse_iso
from genispace_mcp.sandbox.search import RecordIndex
from genispace_mcp.sandbox.settings import SandboxSettings
from genispace_mcp.sandbox.store import Store
from genispace_mcp.sandbox.templates import TemplateError, render

logger = logging.getLogger("genispace_mcp.sandbox.runner")

FINAL = frozenset({"COMPLETED", "FAILED", "CANCELED"})


class StepError(Exception):
    """A step failed; the run fails with this code and message."""

    def __init__(self, code: str, message: str) -> None:
        self.code = code
        super().__init__(message)


class _Canceled(Exception):
    """The run was canceled while a step ran."""


class Runner:
    """Starts, executes and cancels task runs."""

    def __init__(
        self, settings: SandboxSettings, store: Store, index: RecordIndex, embedder: Embedder
    ) -> None:
        self._settings = settings
        self._store = store
        self._index = index
        self._embedder = embedder
        self._pool = ThreadPoolExecutor(
            max_workers=max(1, settings.run_workers), thread_name_prefix="sandbox-run"
        )
        self._cancels: dict[str, threading.Event] = {}
        self._futures: dict[str, Future[None]] = {}
        self._lock = threading.Lock()
        self._closed = False

    def _now(self) -> float:
        return self._settings.clock()

    def recover(self) -> None:
        """Fail the runs a previous process left unfinished (they cannot resume)."""
        for run_id in self._store.unfinished_runs():

            def interrupt(doc: dict[str, Any]) -> None:
                doc["status"] = "FAILED"
                doc["error"] = {
                    "code": "interrupted",
                    "message": "the sandbox stopped while this run was in progress",
                    "step": None,
                }
                doc["endTime"] = iso(self._now())
                self._log(doc, "ERROR", "run interrupted by a sandbox restart")

            self._store.update_run(run_id, interrupt)

    def start(self, task: dict[str, Any], inputs: dict[str, Any]) -> dict[str, Any]:
        """Create a PENDING run of `task` and queue it; the run document."""
        now = iso(self._now())
        steps = task.get("workflow", {}).get("steps", [])
        run: dict[str, Any] = {
            "id": new_id("run"),
            "taskId": task["id"],
            "status": "PENDING",
            "inputs": inputs,
            "outputs": None,
            "error": None,
            "progress": {"done": 0, "total": len(steps)},
            "logs": [],
            "startTime": None,
            "endTime": None,
            "duration": None,
            "created_at": now,
        }
        self._log(run, "INFO", f"run queued ({len(steps)} steps)")
        self._store.put_run(run)
        event = threading.Event()
        with self._lock:
            if self._closed:
                raise RuntimeError("the runner is closed")
            self._cancels[run["id"]] = event
            future = self._pool.submit(self._execute, run["id"], task, inputs, event)
            self._futures[run["id"]] = future
        future.add_done_callback(lambda _: self._futures.pop(run["id"], None))
        return run

    def join(self, run_id: str, timeout: float | None = None) -> bool:
        """Wait until the worker of a run has finished with it; False on timeout."""
        with self._lock:
            future = self._futures.get(run_id)
        if future is None:
            return True
        try:
            future.result(timeout)
        except TimeoutError:
            return False
        except Exception:  # the run's own failure is recorded on the run
            pass
        return True

    def cancel(self, run_id: str) -> dict[str, Any] | None:
        """Cancel a run: the run, now CANCELED; None if unknown; 409 if it had finished."""
        finished: list[str] = []

        def mark(doc: dict[str, Any]) -> None:
            if doc["status"] in FINAL:
                finished.append(doc["status"])
                return
            doc["status"] = "CANCELED"
            doc["endTime"] = iso(self._now())
            doc["duration"] = self._duration(doc)
            doc["error"] = None
            self._log(doc, "WARNING", "run canceled on request")

        doc = self._store.update_run(run_id, mark)
        # Stop the worker whatever the stored status says (another process may have finished it).
        with self._lock:
            event = self._cancels.get(run_id)
        if event is not None:
            event.set()
        if doc is None:
            return None
        if finished:
            raise conflict(
                f"Run '{run_id}' has already finished ({finished[0]}) and cannot be canceled",
                status=finished[0],
            )
        return doc

    def cancel_task_runs(self, task_id: str) -> None:
        """Cancel every unfinished run of a task (before it is deleted)."""
        for run_id in self._store.unfinished_runs():
            run = self._store.get_run(run_id)
            if run is not None and run["taskId"] == task_id:
                # A run finishing in between (409) needs nothing more.
                with contextlib.suppress(Exception):
                    self.cancel(run_id)

    def close(self) -> None:
        """Stop: cancel every unfinished run and wait for the workers to finish."""
        with self._lock:
            self._closed = True
            pending = list(self._cancels)
            for event in self._cancels.values():
                event.set()
        for run_id in pending:
            with contextlib.suppress(Exception):  # already finished, or the store is closed
                self.cancel(run_id)
        self._pool.shutdown(wait=True, cancel_futures=True)

    # -- execution ------------------------------------------------------------------------------

    def _execute(
        self, run_id: str, task: dict[str, Any], inputs: dict[str, Any], cancel: threading.Event
    ) -> None:
        try:
            self._run_steps(run_id, task, inputs, cancel)
        except _Canceled:
            pass
        except Exception as exc:  # a bug: fail the run rather than leave it RUNNING
            logger.exception("task run %s crashed", run_id)
            error = {"code": "internal_error", "message": str(exc), "step": None}
            with contextlib.suppress(Exception):  # canceled meanwhile, or the store is closed
                self._finish(run_id, "FAILED", error=error)
        finally:
            with self._lock:
                self._cancels.pop(run_id, None)

    def _run_steps(
        self, run_id: str, task: dict[str, Any], inputs: dict[str, Any], cancel: threading.Event
    ) -> None:
        steps: list[dict[str, Any]] = task.get("workflow", {}).get("steps", [])

        def begin(doc: dict[str, Any]) -> None:
            doc["status"] = "RUNNING"
            doc["startTime"] = iso(self._now())
            self._log(doc, "INFO", "run started")

        self._update(run_id, begin)
        scope: dict[str, Any] = {"inputs": inputs, "steps": {}}
        outputs: dict[str, Any] = {}
        last: Any = None
        for done, step in enumerate(steps, 1):
            if cancel.is_set():
                raise _Canceled
            step_id = step["id"]
            self._update(
                run_id,
                lambda d, s=step: self._log(
                    d, "INFO", f"step '{s['id']}' ({s['type']}) started", s["id"]
                ),
            )
            try:
                last = self._step(step, scope, cancel)
            except StepError as exc:
                error = {"code": exc.code, "message": str(exc), "step": step_id}
                self._finish(
                    run_id,
                    "FAILED",
                    error=error,
                    message=f"step '{step_id}' failed: {exc}",
                    node=step_id,
                )
                return
            scope["steps"][step_id] = {"output": last}
            outputs[step_id] = last

            def progress(doc: dict[str, Any], n: int = done, s: str = step_id) -> None:
                doc["progress"] = {"done": n, "total": len(steps)}
                self._log(doc, "INFO", f"step '{s}' finished", s)

            self._update(run_id, progress)
        if cancel.is_set():
            raise _Canceled
        self._finish(run_id, "COMPLETED", outputs={**outputs, "result": last})

    def _step(self, step: dict[str, Any], scope: dict[str, Any], cancel: threading.Event) -> Any:
        kind = step["type"]
        if kind == "wait":
            if cancel.wait(float(step["seconds"])):
                raise _Canceled
            return {"waited": step["seconds"]}
        if kind == "template":
            return self._render(step["template"], scope)
        if kind == "dataset_query":
            query = self._render(step["query"], scope) if step.get("query") else None
            result = self._index.search(
                step["datasetId"],
                query=query,
                filter=step.get("filter") or None,
                top_k=int(step.get("top_k", step.get("topK", 5))),
            )
            if result is None:
                raise StepError("not_found", f"dataset '{step['datasetId']}' not found")
            return result["data"]
        agent = self._store.get_agent(step["agentId"])
        if agent is None:
            raise StepError("not_found", f"agent '{step['agentId']}' not found")
        if step.get("input"):
            question = self._render(step["input"], scope)
        else:
            question = json.dumps(scope["inputs"], ensure_ascii=False, sort_keys=True)
        answer = respond(self._index, agent, question)
        log_call(self._store, self._now(), agent["id"], "execute", question, answer, 0)
        return answer.text

    @staticmethod
    def _render(template: str, scope: dict[str, Any]) -> str:
        try:
            return render(template, scope)
        except TemplateError as exc:
            raise StepError("template_error", str(exc)) from None

    # -- bookkeeping ----------------------------------------------------------------------------

    def _update(self, run_id: str, change: Any) -> None:
        """Apply a change unless the run was canceled (then stop executing it)."""
        stopped: list[bool] = []

        def guarded(doc: dict[str, Any]) -> None:
            if doc["status"] in FINAL:
                stopped.append(True)
                return
            change(doc)

        if self._store.update_run(run_id, guarded) is None or stopped:
            raise _Canceled

    def _finish(
        self,
        run_id: str,
        status: str,
        *,
        outputs: dict[str, Any] | None = None,
        error: dict[str, Any] | None = None,
        message: str | None = None,
        node: str | None = None,
    ) -> None:
        def close(doc: dict[str, Any]) -> None:
            doc["status"] = status
            doc["outputs"] = outputs
            doc["error"] = error
            doc["endTime"] = iso(self._now())
            doc["duration"] = self._duration(doc)
            level = "ERROR" if status == "FAILED" else "INFO"
            self._log(doc, level, message or f"run {status.lower()}", node)

        self._update(run_id, close)

    def _duration(self, doc: dict[str, Any]) -> int | None:
        if not doc.get("startTime") or not doc.get("endTime"):
            return 0 if doc.get("endTime") else None
        return max(0, round((parse_iso(doc["endTime"]) - parse_iso(doc["startTime"])) * 1000))

    def _log(self, doc: dict[str, Any], level: str, message: str, node: str | None = None) -> None:
        doc.setdefault("logs", []).append(
            {"level": level, "message": message, "timestamp": iso(self._now()), "nodeId": node}
        )
