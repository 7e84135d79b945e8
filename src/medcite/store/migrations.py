"""The store's schema as an ordered list of migrations, applied when a store is opened.

Each :class:`Migration` has a version, a description, DDL (``sql``) and optionally a
``fill`` that derives data for what it added. Opening a store applies, in order, every
migration above the version it records. Each one runs in one write transaction together
with the record of its version (in ``meta``, and mirrored in SQLite's ``user_version``,
which medcite releases before this registry read, so that they refuse a newer store), so
it lands whole or not at all. A store opened by two processes at once is migrated once:
the version is read again inside the transaction.

To change the schema, append a migration; never edit one that has shipped.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from medcite.errors import StoreError
from medcite.models import Document, VocabTerm
from medcite.store import accounts, articles, audit, editorial, schema, threads
from medcite.store.protocols import Database, Tx
from medcite.text.abbreviations import find_definitions

VERSION_KEY = "schema_version"
"""The ``meta`` key that holds the version of the last migration applied."""


class Upgradable(Database, Protocol):
    """What the fills need of a store (:class:`~medcite.store.sqlite.SQLiteStore`)."""

    home: Path

    def iter_vocab(self, source: str) -> Iterator[tuple[str, str, list[str], dict[str, Any]]]:
        ...

    def index_vocab(self, conn: Tx, removed: list[VocabTerm], added: list[VocabTerm]) -> None:
        ...

    def iter_documents(self, batch: int = 1000) -> Iterator[Document]: ...

    def count_abbreviations(self, conn: Tx, added: Iterable[tuple[str, str]],
                            removed: Iterable[tuple[str, str]] = ()) -> None: ...


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    sql: str = ""
    fill: Callable[[Upgradable, Tx], None] | None = None
    """Runs after ``sql``, in the same transaction (``Tx``)."""


def _refill_vocab_index(store: Upgradable, tx: Tx) -> None:
    """Vocabulary phrases and stem counts are derived from ``vocab``: derive them again."""
    tx.execute("DROP TABLE IF EXISTS vocab_stems")  # the stems table of migration 3
    tx.execute("DELETE FROM vocab_terms")
    tx.execute("DELETE FROM vocab_phrases")
    terms = [VocabTerm(source, key, name, tuple(synonyms), extra)
             for source in ("mesh", "drug")
             for key, name, synonyms, extra in store.iter_vocab(source)]
    for i in range(0, len(terms), 5000):
        store.index_vocab(tx, [], terms[i:i + 5000])


def _recount_abbreviations(store: Upgradable, tx: Tx) -> None:
    """Count abbreviations once per document text (they were counted again on re-reads)."""
    tx.execute("DELETE FROM abbreviations")
    for doc in store.iter_documents():
        store.count_abbreviations(tx, find_definitions(doc.text))


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "documents, passages, full texts, change log, ingest checkpoints, "
              "vocabularies", schema.CORE_SCHEMA),
    Migration(2, "abbreviations, vocabulary phrases", schema.PHRASES_SCHEMA),
    Migration(3, "vocabulary stems (replaced by migration 4)"),
    Migration(4, "vocabulary stems counted by medical and other MeSH branches",
              schema.VOCAB_TERMS_SCHEMA, _refill_vocab_index),
    Migration(5, "abbreviations counted once per document text", fill=_recount_abbreviations),
    Migration(6, "editorial: users, tokens, articles, versions, comments, audit log",
              editorial.SCHEMA),
    Migration(7, "follow-up threads and their turns", threads.SCHEMA),
    Migration(8, "accounts: who minted each token; failed logins per account and address",
              accounts.ACCOUNTS_SCHEMA),
    Migration(9, "audit log: each entry chained to the one before by hash",
              audit.CHAIN_MIGRATION_SQL, audit.chain_existing),
    Migration(10, "articles: when and why an article was withdrawn from the public site",
              articles.WITHDRAWAL_MIGRATION_SQL),
)
LATEST = MIGRATIONS[-1].version


def statements(script: str) -> list[str]:
    """The statements of an SQL script (a trigger's ``BEGIN ... END`` stays whole), so a
    script can run inside a transaction (``executescript`` would commit it first)."""
    found: list[str] = []
    current = ""
    for piece in script.split(";"):
        current += piece + ";"
        if sqlite3.complete_statement(current):
            if current.strip(" \n\t;"):
                found.append(current.strip())
            current = ""
    if current.strip(" \n\t;"):
        found.append(current.strip())
    return found


def recorded_versions(conn: sqlite3.Connection) -> tuple[int | None, int]:
    """``(meta version, user_version)``; the first is None before migration 1 and in
    stores that a medcite release before this registry wrote."""
    pragma = int(conn.execute("PRAGMA user_version").fetchone()[0])
    if conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'"
                    ).fetchone() is None:
        return None, pragma
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (VERSION_KEY,)).fetchone()
    return (int(row[0]) if row else None), pragma


def current_version(conn: sqlite3.Connection) -> int:
    """The version of the last migration applied (``meta``, else ``user_version``)."""
    meta, pragma = recorded_versions(conn)
    return pragma if meta is None else meta


def _record(tx: Tx, version: int) -> None:
    tx.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
               (VERSION_KEY, str(version)))
    tx.execute(f"PRAGMA user_version = {int(version)}")


def migrate(store: Upgradable, migrations: tuple[Migration, ...] = MIGRATIONS) -> int:
    """Apply the migrations the store lacks, in order; returns its version now."""
    latest = migrations[-1].version
    meta, pragma = recorded_versions(store.conn)
    if max(meta or 0, pragma) > latest:
        raise StoreError(
            f"The store at {store.home} was written by a newer medcite (schema "
            f"{max(meta or 0, pragma)}; this one knows {latest}).",
            "Upgrade medcite or use another --home.")
    applied = current_version(store.conn)
    for step in migrations:
        if step.version <= applied:
            continue
        with store.transaction() as tx:
            if step.version <= current_version(tx):
                continue  # another process applied it meanwhile
            for statement in statements(step.sql):
                tx.execute(statement)
            if step.fill is not None:
                step.fill(store, tx)
            _record(tx, step.version)
        applied = step.version
    return applied
