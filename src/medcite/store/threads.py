"""The follow-up threads' tables and their SQL (created by migration 7)."""

from __future__ import annotations

from medcite.store.protocols import Database, ThreadRow, TurnRow

SCHEMA = """
CREATE TABLE IF NOT EXISTS threads (
    id TEXT PRIMARY KEY,
    topic TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS turns (
    thread_id TEXT NOT NULL REFERENCES threads(id) ON DELETE CASCADE,
    n INTEGER NOT NULL,
    question TEXT NOT NULL,
    rewritten TEXT NOT NULL,
    audience TEXT NOT NULL,
    answer TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (thread_id, n)
);
"""

INSERT_THREAD = "INSERT INTO threads (id, topic, created_at) VALUES (?, ?, ?)"
SELECT_THREAD = "SELECT id, topic, created_at FROM threads WHERE id = ?"
NEXT_TURN = "SELECT COALESCE(MAX(n), 0) + 1 FROM turns WHERE thread_id = ?"
INSERT_TURN = (
    "INSERT INTO turns (thread_id, n, question, rewritten, audience, answer, created_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?)"
)
SELECT_TURNS = (
    "SELECT n, question, rewritten, audience, answer, created_at FROM turns "
    "WHERE thread_id = ? ORDER BY n"
)


class SQLiteThreadRepository:
    """:class:`~medcite.store.protocols.ThreadRepository` in the store's SQLite database."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def create(self, thread_id: str, topic: str, created_at: str) -> None:
        with self.db.transaction() as tx:
            tx.execute(INSERT_THREAD, (thread_id, topic, created_at))

    def get(self, thread_id: str) -> ThreadRow | None:
        row = self.db.conn.execute(SELECT_THREAD, (thread_id,)).fetchone()
        return ThreadRow(*row) if row else None

    def add_turn(self, thread_id: str, question: str, rewritten: str, audience: str,
                 answer_json: str, created_at: str) -> int:
        """Append a turn; its number is one more than the thread's last (counted inside
        the write transaction, so concurrent turns get distinct numbers)."""
        with self.db.transaction() as tx:
            n = int(tx.execute(NEXT_TURN, (thread_id,)).fetchone()[0])
            tx.execute(INSERT_TURN, (thread_id, n, question, rewritten, audience, answer_json,
                                     created_at))
        return n

    def turns(self, thread_id: str) -> list[TurnRow]:
        return [TurnRow(*row) for row in self.db.conn.execute(SELECT_TURNS, (thread_id,))]
