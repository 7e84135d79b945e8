"""The schema registry: a new store gets every migration, an older one the ones it lacks
(with their data), each recorded in ``meta``; a newer store is refused."""

from __future__ import annotations

import json
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from medcite.errors import StoreError
from medcite.models import Document
from medcite.service import Medcite
from medcite.settings import load_settings
from medcite.store.migrations import (
    LATEST,
    MIGRATIONS,
    VERSION_KEY,
    Migration,
    current_version,
    recorded_versions,
    statements,
)
from medcite.store.sqlite import DB_FILE, SQLiteStore


def tables(store: SQLiteStore) -> set[str]:
    return {r[0] for r in store.conn.execute("SELECT name FROM sqlite_master WHERE "
                                             "type = 'table'")}


def test_versions_are_consecutive_and_described() -> None:
    assert [m.version for m in MIGRATIONS] == list(range(1, len(MIGRATIONS) + 1))
    assert all(m.description for m in MIGRATIONS)
    assert MIGRATIONS[-1].version == LATEST


def test_a_new_store_gets_every_migration(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path)
    assert recorded_versions(store.conn) == (LATEST, LATEST)
    assert {"documents", "passages", "vocab_terms", "ed_articles", "ed_audit", "threads",
            "turns"} <= tables(store)
    store.close()
    again = SQLiteStore(tmp_path)  # opening again applies nothing and changes nothing
    assert current_version(again.conn) == LATEST
    again.close()


def test_a_store_from_before_the_registry_gets_what_it_lacks(tmp_path: Path) -> None:
    """A medcite release before the registry recorded only ``user_version`` (5) and made
    the editorial and thread tables when first used: they stay, data and all."""
    old = SQLiteStore(tmp_path, MIGRATIONS[:5])
    with old.transaction() as tx:
        old.put_document(tx, Document(id="pmid:1", kind="research", text="Aspirin."), [],
                         "hash")
        tx.execute("DELETE FROM meta WHERE key = ?", (VERSION_KEY,))
    old.close()
    assert recorded_versions(sqlite3.connect(tmp_path / DB_FILE)) == (None, 5)
    store = SQLiteStore(tmp_path)
    assert recorded_versions(store.conn) == (LATEST, LATEST)
    assert store.get_document("pmid:1") is not None
    assert {"ed_articles", "threads"} <= tables(store)
    store.close()


def test_a_schema_3_store_gets_its_derived_vocabulary_tables(tmp_path: Path) -> None:
    home = tmp_path / "home"
    SQLiteStore(home, MIGRATIONS[:3]).close()
    with sqlite3.connect(home / DB_FILE) as conn:  # MeSH entries as schema 3 stored them
        conn.executemany(
            "INSERT INTO vocab (source, key, name, synonyms, extra) VALUES (?, ?, ?, ?, ?)",
            [("mesh", f"D{i}", name, "[]", json.dumps({"tree_numbers": ["C10.1"]}))
             for i, name in enumerate(["Leptomeningeal Neoplasms", "Leptomeningeal Cysts"])])
    with Medcite(load_settings(home)) as svc:
        assert svc.store.medical_stems(["leptomening"]) == {"leptomening"}
        assert current_version(svc.store.conn) == LATEST


def test_a_schema_4_store_recounts_its_abbreviations(tmp_path: Path) -> None:
    home = tmp_path / "home"
    text = "Leptomeningeal disease (LMD) is treated with intrathecal chemotherapy."
    old = SQLiteStore(home, MIGRATIONS[:4])
    with old.transaction() as tx:  # counted again on each re-read, as schema 4 did
        old.put_document(tx, Document(id="pmid:1", kind="research", text=text), [], "h")
        old.count_abbreviations(tx, [("LMD", "leptomeningeal disease")] * 7)
    old.close()
    with Medcite(load_settings(home)) as svc:
        assert svc.store.long_forms("LMD", min_count=1) == [("leptomeningeal disease", 1)]


def test_a_store_from_a_newer_medcite_is_refused(tmp_path: Path) -> None:
    SQLiteStore(tmp_path).close()
    with sqlite3.connect(tmp_path / DB_FILE) as conn:
        conn.execute("UPDATE meta SET value = ? WHERE key = ?", (str(LATEST + 1), VERSION_KEY))
    with pytest.raises(StoreError, match="newer medcite") as caught:
        SQLiteStore(tmp_path)
    assert "Upgrade medcite" in caught.value.hint


def test_a_failing_migration_leaves_the_store_as_it_was(tmp_path: Path) -> None:
    SQLiteStore(tmp_path, MIGRATIONS[:5]).close()
    broken = (*MIGRATIONS[:5], Migration(
        6, "half a change", "CREATE TABLE half (x); INSERT INTO nowhere VALUES (1)"))
    with pytest.raises(StoreError, match="nowhere"):
        SQLiteStore(tmp_path, broken)
    store = SQLiteStore(tmp_path, MIGRATIONS[:5])
    assert "half" not in tables(store)
    assert current_version(store.conn) == 5
    store.close()


def test_a_script_splits_into_statements_with_triggers_whole() -> None:
    script = ("CREATE TABLE t (x);\nCREATE TRIGGER t_no BEFORE DELETE ON t\n"
              "BEGIN SELECT RAISE(ABORT, 'no; never'); END;\nCREATE INDEX t_x ON t (x)")
    assert statements(script) == [
        "CREATE TABLE t (x);",
        "CREATE TRIGGER t_no BEFORE DELETE ON t\nBEGIN SELECT RAISE(ABORT, 'no; never'); END;",
        "CREATE INDEX t_x ON t (x);"]


def test_two_stores_opening_a_new_home_at_once_both_succeed(tmp_path: Path) -> None:
    with ThreadPoolExecutor(4) as pool:
        stores = list(pool.map(lambda _: SQLiteStore(tmp_path), range(4)))
    assert {current_version(s.conn) for s in stores} == {LATEST}
    for store in stores:
        store.close()
