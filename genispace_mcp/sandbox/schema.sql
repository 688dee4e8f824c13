-- The sandbox's SQLite schema. Entities are JSON documents (`doc`) plus the columns lists filter
-- and sort on; rowid order is creation order (newest first = ORDER BY rowid DESC).

CREATE TABLE IF NOT EXISTS meta (
    k TEXT PRIMARY KEY,
    v TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS users (
    id TEXT PRIMARY KEY,
    doc TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS api_keys (
    id TEXT PRIMARY KEY,
    hash TEXT NOT NULL UNIQUE,          -- sha256 of the secret; the secret itself is never stored
    revoked INTEGER NOT NULL DEFAULT 0,
    last_used_at TEXT,
    last_used_ip TEXT,
    doc TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS usage (
    key_id TEXT NOT NULL,
    day TEXT NOT NULL,                  -- YYYY-MM-DD, UTC
    endpoint TEXT NOT NULL,             -- "GET /v1/agents/{id}"
    requests INTEGER NOT NULL DEFAULT 0,
    errors INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (key_id, day, endpoint)
);

CREATE TABLE IF NOT EXISTS agents (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    agent_type TEXT NOT NULL,
    doc TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS agent_logs (
    id TEXT PRIMARY KEY,
    agent_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS agent_logs_agent ON agent_logs (agent_id);

CREATE TABLE IF NOT EXISTS tasks (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    type TEXT NOT NULL,
    doc TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS runs (
    id TEXT PRIMARY KEY,
    task_id TEXT NOT NULL,
    status TEXT NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS runs_task ON runs (task_id);

CREATE TABLE IF NOT EXISTS datasets (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    fields TEXT NOT NULL DEFAULT '[]',  -- every top-level field name ever imported, in order seen
    last_import_at TEXT,
    version INTEGER NOT NULL DEFAULT 0, -- bumped on every change to the records (search cache key)
    doc TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS records (
    dataset_id TEXT NOT NULL,
    id TEXT NOT NULL,
    size INTEGER NOT NULL,              -- bytes of the JSON record
    data TEXT NOT NULL,                 -- the record without its id, as JSON
    vector BLOB NOT NULL,               -- float32 embedding of the record's text fields
    PRIMARY KEY (dataset_id, id)
);

CREATE TABLE IF NOT EXISTS idempotency (
    key_id TEXT NOT NULL,
    idem_key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,          -- sha256 of method, path, query, content type and body
    status INTEGER NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (key_id, idem_key)
);
