"""The sandbox's storage: one SQLite connection behind one lock, and all of the SQL.

A file database (`<data_dir>/sandbox.db`) runs in WAL mode so that data survives restarts; without
a data dir the database lives in memory. Every method takes the lock, so handlers (on the event
loop), worker threads (task runs, imports, queries) and the middleware share one connection safely.
Entities are stored as JSON documents; the columns beside them exist for filtering and sorting.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SCHEMA = Path(__file__).with_name("schema.sql")
DB_FILE = "sandbox.db"

Doc = dict[str, Any]


@dataclass(frozen=True, slots=True)
class KeyRow:
    """An API key as auth sees it: its public document plus the state kept in columns."""

    doc: Doc
    revoked: bool


@dataclass(frozen=True, slots=True)
class RecordRow:
    """One stored record: id, its JSON (without the id), its size and its packed vector."""

    id: str
    data: str
    size: int
    vector: bytes


class Store:
    """Thread-safe access to the sandbox database (see the module docstring)."""

    def __init__(self, connection: sqlite3.Connection, path: Path | None) -> None:
        self._db = connection
        self._lock = threading.RLock()
        self.path = path

    @classmethod
    def open(cls, data_dir: Path | None = None) -> Store:
        """Open (creating when needed) the database in `data_dir`, or in memory when None."""
        if data_dir is None:
            path = None
            connection = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
        else:
            data_dir.mkdir(parents=True, exist_ok=True)
            path = data_dir / DB_FILE
            connection = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
        connection.execute("PRAGMA foreign_keys=ON")
        connection.executescript(SCHEMA.read_text(encoding="utf-8"))
        return cls(connection, path)

    def close(self) -> None:
        """Close the connection (idempotent)."""
        with self._lock, contextlib.suppress(sqlite3.ProgrammingError):  # already closed
            self._db.close()

    # -- plumbing -------------------------------------------------------------------------------

    def _transaction(self) -> _Transaction:
        return _Transaction(self._db, self._lock)

    def _one(self, sql: str, params: Iterable[Any] = ()) -> sqlite3.Row | tuple[Any, ...] | None:
        with self._lock:
            return self._db.execute(sql, tuple(params)).fetchone()

    def _all(self, sql: str, params: Iterable[Any] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            return self._db.execute(sql, tuple(params)).fetchall()

    def _exec(self, sql: str, params: Iterable[Any] = ()) -> int:
        with self._lock:
            return self._db.execute(sql, tuple(params)).rowcount

    def _get_doc(self, table: str, id_: str) -> Doc | None:
        row = self._one(f"SELECT doc FROM {table} WHERE id = ?", (id_,))
        return json.loads(row[0]) if row else None

    def _page(
        self, table: str, where: list[str], params: list[Any], page: int, limit: int
    ) -> tuple[list[Doc], int]:
        clause = (" WHERE " + " AND ".join(where)) if where else ""
        with self._lock:
            total = self._db.execute(f"SELECT COUNT(*) FROM {table}{clause}", params).fetchone()[0]
            rows = self._db.execute(
                f"SELECT doc FROM {table}{clause} ORDER BY rowid DESC LIMIT ? OFFSET ?",
                [*params, limit, (page - 1) * limit],
            ).fetchall()
        return [json.loads(r[0]) for r in rows], int(total)

    @staticmethod
    def _search(where: list[str], params: list[Any], search: str | None) -> None:
        if search:
            where.append("(instr(lower(name), ?) > 0 OR instr(lower(description), ?) > 0)")
            params.extend([search.lower(), search.lower()])

    # -- meta -----------------------------------------------------------------------------------

    def get_meta(self, key: str) -> str | None:
        """A value of the small key/value table (e.g. the owner's id)."""
        row = self._one("SELECT v FROM meta WHERE k = ?", (key,))
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        """Set a value of the key/value table."""
        self._exec(
            "INSERT INTO meta (k, v) VALUES (?, ?) ON CONFLICT(k) DO UPDATE SET v = excluded.v",
            (key, value),
        )

    # -- users ----------------------------------------------------------------------------------

    def put_user(self, doc: Doc) -> None:
        """Insert or replace a user."""
        self._exec(
            "INSERT INTO users (id, doc) VALUES (?, ?) ON CONFLICT(id) DO UPDATE SET doc = excluded.doc",
            (doc["id"], json.dumps(doc)),
        )

    def get_user(self, user_id: str) -> Doc | None:
        """A user by id."""
        return self._get_doc("users", user_id)

    # -- api keys -------------------------------------------------------------------------------

    def insert_key(self, doc: Doc, key_hash: str) -> None:
        """Store a new key (its hash only)."""
        self._exec(
            "INSERT INTO api_keys (id, hash, doc) VALUES (?, ?, ?)",
            (doc["id"], key_hash, json.dumps(doc)),
        )

    def key_by_hash(self, key_hash: str) -> KeyRow | None:
        """The key whose secret hashes to `key_hash`, revoked or not."""
        row = self._one(
            "SELECT doc, revoked, last_used_at FROM api_keys WHERE hash = ?", (key_hash,)
        )
        if row is None:
            return None
        doc = json.loads(row[0])
        doc["lastUsedAt"] = row[2]
        return KeyRow(doc, bool(row[1]))

    def get_key(self, key_id: str) -> Doc | None:
        """A live (not revoked) key by id, with `lastUsedAt` filled in."""
        row = self._one(
            "SELECT doc, last_used_at FROM api_keys WHERE id = ? AND revoked = 0", (key_id,)
        )
        if row is None:
            return None
        doc = json.loads(row[0])
        doc["lastUsedAt"] = row[1]
        return doc

    def list_keys(self, page: int, limit: int) -> tuple[list[Doc], int]:
        """Live keys, newest first."""
        with self._lock:
            total = self._db.execute("SELECT COUNT(*) FROM api_keys WHERE revoked = 0").fetchone()[
                0
            ]
            rows = self._db.execute(
                "SELECT doc, last_used_at FROM api_keys WHERE revoked = 0 "
                "ORDER BY rowid DESC LIMIT ? OFFSET ?",
                (limit, (page - 1) * limit),
            ).fetchall()
        docs = []
        for raw, last_used in rows:
            doc = json.loads(raw)
            doc["lastUsedAt"] = last_used
            docs.append(doc)
        return docs, int(total)

    def update_key(self, doc: Doc) -> None:
        """Replace a key's document."""
        self._exec("UPDATE api_keys SET doc = ? WHERE id = ?", (json.dumps(doc), doc["id"]))

    def revoke_key(self, key_id: str, doc: Doc) -> bool:
        """Revoke a live key; False when there was none."""
        return (
            self._exec(
                "UPDATE api_keys SET revoked = 1, doc = ? WHERE id = ? AND revoked = 0",
                (json.dumps(doc), key_id),
            )
            > 0
        )

    def record_request(
        self, key_id: str, day: str, endpoint: str, error: bool, ip: str | None, at: str
    ) -> None:
        """Count one request of a key (usage statistics and last use)."""
        with self._transaction() as db:
            db.execute(
                "INSERT INTO usage (key_id, day, endpoint, requests, errors) VALUES (?, ?, ?, 1, ?) "
                "ON CONFLICT(key_id, day, endpoint) DO UPDATE SET "
                "requests = requests + 1, errors = errors + excluded.errors",
                (key_id, day, endpoint, int(error)),
            )
            db.execute(
                "UPDATE api_keys SET last_used_at = ?, last_used_ip = ? WHERE id = ?",
                (at, ip, key_id),
            )

    def usage_rows(self, key_id: str, since_day: str) -> list[tuple[str, str, int, int]]:
        """(day, endpoint, requests, errors) of a key from `since_day` on."""
        return [
            (r[0], r[1], int(r[2]), int(r[3]))
            for r in self._all(
                "SELECT day, endpoint, requests, errors FROM usage WHERE key_id = ? AND day >= ?",
                (key_id, since_day),
            )
        ]

    def key_last_ip(self, key_id: str) -> str | None:
        """The address of the key's last request."""
        row = self._one("SELECT last_used_ip FROM api_keys WHERE id = ?", (key_id,))
        return row[0] if row else None

    # -- agents ---------------------------------------------------------------------------------

    def put_agent(self, doc: Doc) -> None:
        """Insert or replace an agent."""
        self._exec(
            "INSERT INTO agents (id, name, description, agent_type, doc) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT(id) DO UPDATE SET name = excluded.name, description = excluded.description, "
            "agent_type = excluded.agent_type, doc = excluded.doc",
            (
                doc["id"],
                doc["name"],
                doc.get("description") or "",
                doc["agentType"],
                json.dumps(doc),
            ),
        )

    def get_agent(self, agent_id: str) -> Doc | None:
        """An agent by id."""
        return self._get_doc("agents", agent_id)

    def list_agents(
        self, page: int, limit: int, search: str | None = None, agent_type: str | None = None
    ) -> tuple[list[Doc], int]:
        """Agents, newest first, optionally searched by name/description and filtered by type."""
        where: list[str] = []
        params: list[Any] = []
        self._search(where, params, search)
        if agent_type:
            where.append("agent_type = ?")
            params.append(agent_type)
        return self._page("agents", where, params, page, limit)

    def delete_agent(self, agent_id: str) -> bool:
        """Delete an agent and its logs; False when there was none."""
        with self._transaction() as db:
            db.execute("DELETE FROM agent_logs WHERE agent_id = ?", (agent_id,))
            return db.execute("DELETE FROM agents WHERE id = ?", (agent_id,)).rowcount > 0

    def add_agent_log(self, doc: Doc) -> None:
        """Append one chat/execute log."""
        self._exec(
            "INSERT INTO agent_logs (id, agent_id, kind, status, doc) VALUES (?, ?, ?, ?, ?)",
            (doc["id"], doc["agentId"], doc["kind"], doc["status"], json.dumps(doc)),
        )

    def list_agent_logs(
        self, agent_id: str, page: int, limit: int, kind: str | None, status: str | None
    ) -> tuple[list[Doc], int]:
        """An agent's logs, newest first."""
        where = ["agent_id = ?"]
        params: list[Any] = [agent_id]
        if kind:
            where.append("kind = ?")
            params.append(kind)
        if status:
            where.append("status = ?")
            params.append(status)
        return self._page("agent_logs", where, params, page, limit)

    # -- tasks and runs -------------------------------------------------------------------------

    def put_task(self, doc: Doc) -> None:
        """Insert or replace a task."""
        self._exec(
            "INSERT INTO tasks (id, name, description, type, doc) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT(id) DO UPDATE SET name = excluded.name, description = excluded.description, "
            "type = excluded.type, doc = excluded.doc",
            (doc["id"], doc["name"], doc.get("description") or "", doc["type"], json.dumps(doc)),
        )

    def get_task(self, task_id: str) -> Doc | None:
        """A task by id."""
        return self._get_doc("tasks", task_id)

    def list_tasks(
        self, page: int, limit: int, search: str | None = None, task_type: str | None = None
    ) -> tuple[list[Doc], int]:
        """Tasks, newest first."""
        where: list[str] = []
        params: list[Any] = []
        self._search(where, params, search)
        if task_type:
            where.append("type = ?")
            params.append(task_type)
        return self._page("tasks", where, params, page, limit)

    def delete_task(self, task_id: str) -> bool:
        """Delete a task and its run history; False when there was none."""
        with self._transaction() as db:
            db.execute("DELETE FROM runs WHERE task_id = ?", (task_id,))
            return db.execute("DELETE FROM tasks WHERE id = ?", (task_id,)).rowcount > 0

    def put_run(self, doc: Doc) -> None:
        """Insert or replace a run."""
        self._exec(
            "INSERT INTO runs (id, task_id, status, doc) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(id) DO UPDATE SET status = excluded.status, doc = excluded.doc",
            (doc["id"], doc["taskId"], doc["status"], json.dumps(doc)),
        )

    def get_run(self, run_id: str) -> Doc | None:
        """A run by id (with its logs)."""
        return self._get_doc("runs", run_id)

    def update_run(self, run_id: str, change: Callable[[Doc], None]) -> Doc | None:
        """Apply `change` to a run's document atomically; the new document, or None if gone."""
        with self._transaction() as db:
            row = db.execute("SELECT doc FROM runs WHERE id = ?", (run_id,)).fetchone()
            if row is None:
                return None
            doc: Doc = json.loads(row[0])
            change(doc)
            db.execute(
                "UPDATE runs SET status = ?, doc = ? WHERE id = ?",
                (doc["status"], json.dumps(doc), run_id),
            )
            return doc

    def list_runs(
        self, task_id: str, page: int, limit: int, status: str | None = None
    ) -> tuple[list[Doc], int]:
        """A task's runs, newest first."""
        where = ["task_id = ?"]
        params: list[Any] = [task_id]
        if status:
            where.append("status = ?")
            params.append(status)
        return self._page("runs", where, params, page, limit)

    def unfinished_runs(self) -> list[str]:
        """Ids of runs still PENDING or RUNNING (left over when a previous process stopped)."""
        return [
            r[0] for r in self._all("SELECT id FROM runs WHERE status IN ('PENDING', 'RUNNING')")
        ]

    # -- datasets and records -------------------------------------------------------------------

    def put_dataset(self, doc: Doc) -> None:
        """Insert or replace a dataset's document (its records and statistics are kept)."""
        self._exec(
            "INSERT INTO datasets (id, name, description, doc) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(id) DO UPDATE SET name = excluded.name, description = excluded.description, "
            "doc = excluded.doc",
            (doc["id"], doc["name"], doc.get("description") or "", json.dumps(doc)),
        )

    def get_dataset(self, dataset_id: str) -> Doc | None:
        """A dataset by id, with `recordCount` filled in."""
        with self._lock:
            row = self._db.execute(
                "SELECT doc FROM datasets WHERE id = ?", (dataset_id,)
            ).fetchone()
            if row is None:
                return None
            doc: Doc = json.loads(row[0])
            doc["recordCount"] = self._count_records(dataset_id)
        return doc

    def _count_records(self, dataset_id: str) -> int:
        row = self._db.execute(
            "SELECT COUNT(*) FROM records WHERE dataset_id = ?", (dataset_id,)
        ).fetchone()
        return int(row[0])

    def dataset_statistics(self, dataset_id: str) -> Doc:
        """Record count, size in bytes, field names and last import time of a dataset."""
        with self._lock:
            count, size = self._db.execute(
                "SELECT COUNT(*), COALESCE(SUM(size), 0) FROM records WHERE dataset_id = ?",
                (dataset_id,),
            ).fetchone()
            row = self._db.execute(
                "SELECT fields, last_import_at FROM datasets WHERE id = ?", (dataset_id,)
            ).fetchone()
        fields, last_import = (json.loads(row[0]), row[1]) if row else ([], None)
        return {
            "recordCount": int(count),
            "sizeBytes": int(size),
            "fields": fields,
            "lastImportAt": last_import,
        }

    def list_datasets(
        self, page: int, limit: int, search: str | None = None
    ) -> tuple[list[Doc], int]:
        """Datasets, newest first, with `recordCount`."""
        where: list[str] = []
        params: list[Any] = []
        self._search(where, params, search)
        with self._lock:
            docs, total = self._page("datasets", where, params, page, limit)
            for doc in docs:
                doc["recordCount"] = self._count_records(doc["id"])
        return docs, total

    def delete_dataset(self, dataset_id: str) -> bool:
        """Delete a dataset with its records; False when there was none."""
        with self._transaction() as db:
            db.execute("DELETE FROM records WHERE dataset_id = ?", (dataset_id,))
            return db.execute("DELETE FROM datasets WHERE id = ?", (dataset_id,)).rowcount > 0

    def dataset_version(self, dataset_id: str) -> int | None:
        """A number that changes whenever the dataset's records change; None if it is gone."""
        row = self._one("SELECT version FROM datasets WHERE id = ?", (dataset_id,))
        return int(row[0]) if row else None

    def existing_record_ids(self, dataset_id: str, ids: list[str]) -> set[str]:
        """Which of `ids` already exist in the dataset."""
        found: set[str] = set()
        with self._lock:
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                marks = ",".join("?" * len(chunk))
                found.update(
                    r[0]
                    for r in self._db.execute(
                        f"SELECT id FROM records WHERE dataset_id = ? AND id IN ({marks})",
                        [dataset_id, *chunk],
                    )
                )
        return found

    def import_records(
        self, dataset_id: str, rows: list[RecordRow], fields: list[str], at: str
    ) -> int | None:
        """Upsert records in one transaction (an existing id keeps its position); the new record
        count, or None when the dataset is gone."""
        with self._transaction() as db:
            current = db.execute(
                "SELECT fields FROM datasets WHERE id = ?", (dataset_id,)
            ).fetchone()
            if current is None:
                return None
            known: list[str] = json.loads(current[0])
            merged = known + [f for f in dict.fromkeys(fields) if f not in set(known)]
            db.executemany(
                "INSERT INTO records (dataset_id, id, size, data, vector) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT(dataset_id, id) DO UPDATE SET size = excluded.size, "
                "data = excluded.data, vector = excluded.vector",
                [(dataset_id, r.id, r.size, r.data, r.vector) for r in rows],
            )
            db.execute(
                "UPDATE datasets SET fields = ?, last_import_at = ?, version = version + 1 "
                "WHERE id = ?",
                (json.dumps(merged), at, dataset_id),
            )
            return self._count_records(dataset_id)

    def load_records(self, dataset_id: str) -> tuple[int, list[RecordRow]] | None:
        """Every record of a dataset in insertion order, with the version they belong to."""
        with self._lock:
            version = self.dataset_version(dataset_id)
            if version is None:
                return None
            rows = self._db.execute(
                "SELECT id, data, size, vector FROM records WHERE dataset_id = ? ORDER BY rowid",
                (dataset_id,),
            ).fetchall()
        return version, [RecordRow(r[0], r[1], r[2], r[3]) for r in rows]

    def iter_records(self, dataset_id: str, batch: int = 500) -> Iterator[list[tuple[str, str]]]:
        """(id, data) of every record in insertion order, in batches; the lock is not held
        between batches, so a slow reader does not block writers."""
        last = 0
        while True:
            rows = self._all(
                "SELECT rowid, id, data FROM records WHERE dataset_id = ? AND rowid > ? "
                "ORDER BY rowid LIMIT ?",
                (dataset_id, last, batch),
            )
            if not rows:
                return
            last = rows[-1][0]
            yield [(r[1], r[2]) for r in rows]

    # -- idempotency ----------------------------------------------------------------------------

    def get_idempotent(self, key_id: str, idem_key: str) -> tuple[str, int, str] | None:
        """(fingerprint, status, body) stored under an Idempotency-Key of a key."""
        row = self._one(
            "SELECT fingerprint, status, body FROM idempotency WHERE key_id = ? AND idem_key = ?",
            (key_id, idem_key),
        )
        return (row[0], int(row[1]), row[2]) if row else None

    def put_idempotent(
        self, key_id: str, idem_key: str, fingerprint: str, status: int, body: str
    ) -> None:
        """Remember the answer given under an Idempotency-Key."""
        self._exec(
            "INSERT OR REPLACE INTO idempotency (key_id, idem_key, fingerprint, status, body) "
            "VALUES (?, ?, ?, ?, ?)",
            (key_id, idem_key, fingerprint, status, body),
        )


class _Transaction:
    """`with store._transaction() as db:` holds the lock and commits, or rolls back on error."""

    def __init__(self, db: sqlite3.Connection, lock: threading.RLock) -> None:
        self._db = db
        self._lock = lock

    def __enter__(self) -> sqlite3.Connection:
        self._lock.acquire()
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except BaseException:
            self._lock.release()
            raise
        return self._db

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        try:
            self._db.execute("ROLLBACK" if exc_type else "COMMIT")
        finally:
            self._lock.release()
