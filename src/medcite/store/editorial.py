"""The editorial tables in the store's SQLite database (migration 6), and their SQL.

Tables are prefixed ``ed_``. The audit log is append-only: triggers abort any UPDATE or
DELETE on ``ed_audit``, so not even a bug (or a hand-typed SQL statement) can rewrite
history.
"""

from __future__ import annotations

from medcite.store.protocols import Database

SCHEMA = """
CREATE TABLE IF NOT EXISTS ed_users (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE COLLATE NOCASE,
    name TEXT NOT NULL,
    credentials TEXT NOT NULL DEFAULT '',
    role TEXT NOT NULL CHECK (role IN ('admin', 'editor', 'reviewer', 'reader')),
    password_hash TEXT NOT NULL,
    disabled INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS ed_tokens (
    hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES ed_users(id),
    kind TEXT NOT NULL CHECK (kind IN ('session', 'api')),
    csrf TEXT NOT NULL DEFAULT '',
    label TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    expires_at REAL
);
CREATE TABLE IF NOT EXISTS ed_login_failures (
    key TEXT NOT NULL,
    at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS ed_login_failures_key ON ed_login_failures (key, at);
CREATE TABLE IF NOT EXISTS ed_articles (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    question TEXT NOT NULL,
    audience TEXT NOT NULL,
    topic TEXT NOT NULL,
    state TEXT NOT NULL,
    current_version INTEGER NOT NULL DEFAULT 0,
    published_version INTEGER,
    merged_into INTEGER REFERENCES ed_articles(id),
    stale_reasons TEXT NOT NULL DEFAULT '[]',
    stale_since TEXT,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS ed_questions (
    norm TEXT PRIMARY KEY,
    question TEXT NOT NULL,
    article_id INTEGER NOT NULL REFERENCES ed_articles(id),
    embedding BLOB,
    added_by TEXT NOT NULL,
    added_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS ed_questions_article ON ed_questions (article_id);
CREATE TABLE IF NOT EXISTS ed_versions (
    article_id INTEGER NOT NULL REFERENCES ed_articles(id),
    n INTEGER NOT NULL,
    reason TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    answer TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    approval TEXT,
    PRIMARY KEY (article_id, n)
);
CREATE TABLE IF NOT EXISTS ed_comments (
    id INTEGER PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES ed_articles(id),
    version INTEGER NOT NULL,
    target TEXT NOT NULL,
    body TEXT NOT NULL,
    author TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS ed_audit (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    article_id INTEGER,
    from_state TEXT,
    to_state TEXT,
    version INTEGER,
    detail TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS ed_audit_article ON ed_audit (article_id, seq);
CREATE TRIGGER IF NOT EXISTS ed_audit_no_update BEFORE UPDATE ON ed_audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS ed_audit_no_delete BEFORE DELETE ON ed_audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
"""

# The SQL of each area lives with its repository: store/articles.py, store/audit.py,
# store/accounts.py.


def has_articles(store: Database) -> bool:
    """Whether any article exists (the ingest hook's fast path)."""
    return store.conn.execute("SELECT 1 FROM ed_articles LIMIT 1").fetchone() is not None
