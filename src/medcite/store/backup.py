"""The database's part of a backup (:mod:`medcite.index.backup` does the rest): a snapshot
through SQLite's online backup API, taken while other connections read and write.

The copy is written in one step of the API, so it is one consistent point in time however
busy the source is, and converted to a single self-contained file (no write-ahead log).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

READ_META = "SELECT value FROM meta WHERE key = ?"
LOWER_META = "UPDATE meta SET value = ? WHERE key = ? AND CAST(value AS INTEGER) > ?"
SNAPSHOT_FACTS = (
    "SELECT (SELECT COUNT(*) FROM documents), (SELECT COUNT(*) FROM passages), "
    "(SELECT COALESCE(MAX(seq), 0) FROM changes)"
)


@dataclass(frozen=True)
class Snapshot:
    documents: int
    passages: int
    last_change: int


def _connect(db: Path) -> sqlite3.Connection:
    """A read-only connection: a backup never changes the store it copies."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, isolation_level=None)
    conn.execute("PRAGMA busy_timeout=10000")
    return conn


def read_meta(db: Path, key: str) -> str | None:
    """One ``meta`` value of the live database (None if unset or the table is missing)."""
    conn = _connect(db)
    try:
        row = conn.execute(READ_META, (key,)).fetchone()
    except sqlite3.OperationalError:  # a store that never got as far as its meta table
        return None
    finally:
        conn.close()
    return str(row[0]) if row else None


def snapshot_database(db: Path, target: Path, cap: dict[str, int]) -> Snapshot:
    """Copy the database ``db`` to the new file ``target``; in the copy, lower each
    ``meta`` sequence number named in ``cap`` to at most the value given (an index copied
    earlier than the database must replay what it may lack)."""
    source = _connect(db)
    try:
        copy = sqlite3.connect(target, isolation_level=None)
        try:
            source.backup(copy)  # all pages in one step: one point in time
            for key, value in cap.items():
                copy.execute(LOWER_META, (str(value), key, value))
            copy.execute("PRAGMA journal_mode=DELETE")
            documents, passages, last_change = copy.execute(SNAPSHOT_FACTS).fetchone()
        finally:
            copy.close()
    finally:
        source.close()
    return Snapshot(int(documents), int(passages), int(last_change))
