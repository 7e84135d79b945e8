"""The editorial audit log's rows: appended, chained by hash, never changed.

``ed_audit`` (migration 6) refuses UPDATE and DELETE by trigger. Migration 9 adds
``prev_hash`` and ``hash``: each entry stores the hash of the entry before it and its own
hash, SHA-256 of ``prev_hash`` and its canonical JSON (:func:`canonical`), so that
whoever edits the database file itself, triggers and all, breaks the chain at the entry
they touched. Its fill, :func:`chain_existing`, computes the chain for the entries
written before. :mod:`medcite.editorial.audit` holds the logic
that reads the chain back.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Mapping
from typing import Any

from medcite.store.protocols import Database, Tx

GENESIS = "0" * 64
"""The ``prev_hash`` of the first entry."""
HASHED_FIELDS = ("seq", "at", "actor", "action", "article_id", "from_state", "to_state",
                 "version", "detail")
"""What an entry's hash covers: all of it but the hashes themselves."""
AUDIT_COLUMNS = (*HASHED_FIELDS, "prev_hash", "hash")
PAGE_ROWS = 1000

CHAIN_MIGRATION_SQL = """
ALTER TABLE ed_audit ADD COLUMN prev_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE ed_audit ADD COLUMN hash TEXT NOT NULL DEFAULT '';
"""
_COLUMNS = ", ".join(AUDIT_COLUMNS)
INSERT_AUDIT = (f"INSERT INTO ed_audit ({_COLUMNS}) "
                f"VALUES ({', '.join('?' for _ in AUDIT_COLUMNS)})")
SELECT_HEAD = "SELECT seq, hash FROM ed_audit ORDER BY seq DESC LIMIT 1"
SELECT_PAGE = f"SELECT {_COLUMNS} FROM ed_audit WHERE seq > ? ORDER BY seq LIMIT ?"
SELECT_ARTICLE_PAGE = (f"SELECT {_COLUMNS} FROM ed_audit WHERE seq > ? AND article_id = ? "
                       "ORDER BY seq LIMIT ?")
SELECT_LAST_AT = ("SELECT at FROM ed_audit WHERE article_id = ? AND action = ? "
                  "ORDER BY seq DESC LIMIT 1")
SET_LINK = "UPDATE ed_audit SET prev_hash = ?, hash = ? WHERE seq = ?"
DROP_NO_UPDATE = "DROP TRIGGER IF EXISTS ed_audit_no_update"
CREATE_NO_UPDATE = """CREATE TRIGGER IF NOT EXISTS ed_audit_no_update BEFORE UPDATE ON ed_audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END"""


def canonical(entry: Mapping[str, Any]) -> str:
    """An entry as canonical JSON: the hashed fields, keys sorted, no spaces, the detail
    parsed when it is JSON (so its stored spacing does not matter, its content does)."""
    data = {name: entry[name] for name in HASHED_FIELDS}
    if isinstance(data["detail"], str):
        with contextlib.suppress(json.JSONDecodeError):  # else hashed as the text it is
            data["detail"] = json.loads(data["detail"])
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def chain_hash(prev_hash: str, entry: Mapping[str, Any]) -> str:
    """The hash of ``entry`` following the entry whose hash is ``prev_hash``."""
    return hashlib.sha256(f"{prev_hash}\n{canonical(entry)}".encode()).hexdigest()


def chain_existing(store: Database, tx: Tx) -> None:
    """Migration fill: chain the entries written before the chain existed, in ``seq``
    order (the no-update trigger is lifted inside this one transaction)."""
    tx.execute(DROP_NO_UPDATE)
    last, prev = 0, GENESIS
    while page := tx.execute(SELECT_PAGE, (last, PAGE_ROWS)).fetchall():
        for row in page:
            entry = dict(zip(AUDIT_COLUMNS, row, strict=True))
            link = chain_hash(prev, entry)
            tx.execute(SET_LINK, (prev, link, entry["seq"]))
            prev = link
        last = page[-1][0]
    tx.execute(CREATE_NO_UPDATE)


def append(tx: Tx, at: str, actor: str, action: str, article_id: int | None,
           from_state: str | None, to_state: str | None, version: int | None,
           detail_json: str) -> int:
    """Add an entry after the last one, with its chain link; its ``seq``. Only inside a
    write transaction, so that nobody appends between reading the head and writing."""
    if not tx.in_transaction:
        raise RuntimeError("an audit entry is appended inside the change's transaction")
    head = tx.execute(SELECT_HEAD).fetchone()
    seq, prev = (int(head[0]) + 1, str(head[1])) if head else (1, GENESIS)
    entry = {"seq": seq, "at": at, "actor": actor, "action": action,
             "article_id": article_id, "from_state": from_state, "to_state": to_state,
             "version": version, "detail": detail_json}
    tx.execute(INSERT_AUDIT, (*(entry[f] for f in HASHED_FIELDS), prev,
                              chain_hash(prev, entry)))
    return seq


class SQLiteAuditLog:
    """Reads of the audit log in the store's SQLite database (writes: :func:`append`)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def page(self, after: int = 0, limit: int = PAGE_ROWS,
             article_id: int | None = None) -> list[dict[str, Any]]:
        """Up to ``limit`` entries after ``seq`` ``after``, oldest first, as column ->
        value (``detail`` as its JSON text)."""
        if article_id is None:
            rows = self.db.conn.execute(SELECT_PAGE, (after, limit))
        else:
            rows = self.db.conn.execute(SELECT_ARTICLE_PAGE, (after, article_id, limit))
        return [dict(zip(AUDIT_COLUMNS, row, strict=True)) for row in rows]

    def last_at(self, article_id: int, action: str) -> str | None:
        """When ``action`` was last taken on the article."""
        row = self.db.conn.execute(SELECT_LAST_AT, (article_id, action)).fetchone()
        return str(row[0]) if row else None
