"""Follow-up threads: a question and its follow-ups, each answered in the thread's context.

A follow-up such as "what about in children?" or "and the dose?" names no topic; before
retrieval it is rewritten with the topic of the thread (the core of its first question)
unless it already mentions that topic's terms.
"""

from __future__ import annotations

import json
import re
import secrets
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime

from medcite.answer.model import Answer
from medcite.errors import NotFoundError
from medcite.retrieve.query import understand
from medcite.store.sqlite import SQLiteStore
from medcite.text.terms import stem_set

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


@dataclass(frozen=True)
class Turn:
    n: int
    question: str
    rewritten: str
    audience: str
    answer: Answer
    created_at: str


@dataclass(frozen=True)
class Thread:
    id: str
    topic: str
    created_at: str
    turns: tuple[Turn, ...]


_OPENER = re.compile(r"^(what about|how about|and what about|and|what of)\s+(.*)$", re.I)
_POSSESSIVE = re.compile(r"^(the|its|their|his|her|any|a|an)\b", re.I)


def rewrite_followup(question: str, topic: str) -> str:
    """The follow-up as a question of its own, from the thread's topic (the focus of its
    first question) and the new ask: "Which drugs are contraindicated?" in a thread on
    hypertension in pregnancy becomes "Which drugs are contraindicated in hypertension in
    pregnancy?". A follow-up that already names the topic is left as it is."""
    topic_terms = stem_set(topic)
    if not topic_terms or topic_terms & stem_set(question):
        return question
    ask = question.strip().rstrip(" ?.")
    opener = _OPENER.match(ask)
    if opener:
        head, rest = opener.group(1), opener.group(2)
        if _POSSESSIVE.match(rest):
            return f"{head} {rest} for {topic}?"
        return f"{head} {topic} {rest}?"
    joint = "for" if re.search(r"\bin\b", ask) else "in"
    return f"{ask} {joint} {topic}?"


class ThreadStore:
    """Threads kept in the store's database."""

    def __init__(self, store: SQLiteStore) -> None:
        self.store = store
        store.conn.executescript(SCHEMA)

    def create(self, question: str) -> str:
        thread_id = secrets.token_urlsafe(9)
        with self.store.transaction() as conn:
            conn.execute("INSERT INTO threads (id, topic, created_at) VALUES (?, ?, ?)",
                         (thread_id, understand(question).focus, _now()))
        return thread_id

    def topic(self, thread_id: str) -> str:
        row = self.store.conn.execute("SELECT topic FROM threads WHERE id = ?",
                                      (thread_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"No thread {thread_id!r}.", "Start a new question instead.")
        return str(row[0])

    def add_turn(self, thread_id: str, question: str, rewritten: str, answer: Answer) -> int:
        with self.store.transaction() as conn:
            n = _next_turn(conn, thread_id)
            conn.execute(
                "INSERT INTO turns (thread_id, n, question, rewritten, audience, answer, "
                "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (thread_id, n, question, rewritten, answer.audience, answer.model_dump_json(),
                 _now()))
        return n

    def get(self, thread_id: str) -> Thread:
        row = self.store.conn.execute("SELECT id, topic, created_at FROM threads WHERE id = ?",
                                      (thread_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"No thread {thread_id!r}.", "Check the link or ask again.")
        turns = tuple(
            Turn(n, q, r, a, Answer.model_validate(json.loads(ans)), created)
            for n, q, r, a, ans, created in self.store.conn.execute(
                "SELECT n, question, rewritten, audience, answer, created_at FROM turns "
                "WHERE thread_id = ? ORDER BY n", (thread_id,))
        )
        return Thread(row[0], row[1], row[2], turns)


def _next_turn(conn: sqlite3.Connection, thread_id: str) -> int:
    row = conn.execute("SELECT COALESCE(MAX(n), 0) + 1 FROM turns WHERE thread_id = ?",
                       (thread_id,)).fetchone()
    return int(row[0])


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
