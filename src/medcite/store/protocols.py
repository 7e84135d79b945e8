"""What the layers above ``store/`` may rely on: a database with a per-thread connection and
one write transaction at a time, and the repositories built on it.

Code outside ``store/`` never executes SQL. It calls repository methods; a change that
must land together with another (an article and its audit event) opens
``store.transaction()`` and passes the handle it yields to each repository write. That
handle is opaque outside ``store/``: pass it on, never call it. A PostgreSQL backend
implements these protocols with its own connection type.
"""

from __future__ import annotations

import sqlite3
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Protocol

Tx = sqlite3.Connection
"""The handle of an open write transaction, from :meth:`Database.transaction`."""


class Database(Protocol):
    """A connection for this thread, and write transactions (one writer at a time)."""

    @property
    def conn(self) -> sqlite3.Connection: ...

    def transaction(self) -> AbstractContextManager[Tx]: ...


@dataclass(frozen=True)
class ThreadRow:
    id: str
    topic: str
    created_at: str


@dataclass(frozen=True)
class TurnRow:
    n: int
    question: str
    rewritten: str
    audience: str
    answer_json: str
    created_at: str


class ThreadRepository(Protocol):
    """Follow-up threads and their turns (:mod:`medcite.threads` holds the logic)."""

    def create(self, thread_id: str, topic: str, created_at: str) -> None: ...

    def get(self, thread_id: str) -> ThreadRow | None: ...

    def add_turn(self, thread_id: str, question: str, rewritten: str, audience: str,
                 answer_json: str, created_at: str) -> int: ...

    def turns(self, thread_id: str) -> list[TurnRow]: ...
