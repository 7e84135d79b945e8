"""The consistency check of a home: a healthy store passes, a lag is not a fault, and each
kind of disagreement between the store and an index is reported."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pytest
import tantivy

from medcite.index.consistency import check_home
from medcite.index.lexical import LexicalIndex
from medcite.index.vectors import VectorIndex
from medcite.service import Medcite
from medcite.settings import load_settings
from medcite.store.sqlite import DB_FILE, SQLiteStore
from tests.conftest import doc, write_jsonl

LONG = " ".join(f"Sentence {i} about blood pressure and stroke prevention." for i in range(40))


@pytest.fixture
def home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    records = [doc(f"pmid:{i}", LONG, title=f"Study {i}") for i in range(6)]
    with Medcite(load_settings(home, embedder={"kind": "none"})) as service:
        service.ingest([write_jsonl(tmp_path / "c.jsonl", records)])
    return home


def save_vectors(home: Path, ids: list[str], seq: int) -> None:
    index = VectorIndex.open(home / "vectors", dim=4, model_name="test")
    index.add(ids, np.ones((len(ids), 4), dtype=np.float32))
    index.meta["seq"] = seq
    index.save()


def passage_ids(home: Path) -> tuple[list[str], int]:
    store = SQLiteStore(home)
    try:
        ids = [p.id for items in store.passages_for_docs([f"pmid:{i}" for i in range(6)]).values()
               for p in items]
        return ids, store.last_change()
    finally:
        store.close()


def test_a_healthy_home_passes(home: Path) -> None:
    ids, seq = passage_ids(home)
    save_vectors(home, ids, seq)
    report = check_home(home)
    assert report.ok, report.problems
    assert report.documents == 6 and report.passages == len(ids) > 6
    assert [(i.name, i.entries, i.behind_documents) for i in report.indexes] == [
        ("lexical", len(ids), 0), ("vectors", len(ids), 0)]


def test_an_index_behind_the_store_is_not_a_fault(home: Path) -> None:
    ids, seq = passage_ids(home)
    # The last document's passages not embedded yet, nor the last two documents indexed:
    save_vectors(home, [p for p in ids if not p.startswith("pmid:5#")], seq - 1)
    with sqlite3.connect(home / DB_FILE) as conn:
        conn.execute("UPDATE meta SET value = ? WHERE key = 'lexical_seq'", (str(seq - 2),))
    report = check_home(home)
    assert report.ok, report.problems
    assert [i.behind_documents for i in report.indexes] == [2, 1]


def test_missing_extra_and_duplicate_entries_are_reported(home: Path) -> None:
    ids, seq = passage_ids(home)
    save_vectors(home, [*ids[1:], "pmid:0#t9"], seq)
    lexical = LexicalIndex(home)
    lexical.writer.add_document(tantivy.Document(passage_id=ids[0], doc_id="pmid:0",
                                                 kind="research", body="again"))
    lexical.writer.commit()
    lexical.close()
    report = check_home(home)
    assert not report.ok
    lexical_report, vectors_report = report.indexes
    assert (lexical_report.duplicates, lexical_report.missing, lexical_report.extra) == (1, 0, 0)
    assert (vectors_report.duplicates, vectors_report.missing, vectors_report.extra) == (0, 1, 1)
    assert f"missing {ids[0]}" in vectors_report.examples
    assert "lexical index: 1 passage(s) indexed more than once" in report.problems
    assert "vectors index: 1 stored passage(s) missing" in report.problems


def test_passages_without_a_document_and_an_index_ahead_are_reported(home: Path) -> None:
    with sqlite3.connect(home / DB_FILE) as conn:
        conn.execute("PRAGMA foreign_keys=OFF")
        conn.execute("DELETE FROM documents WHERE id = 'pmid:3'")
        conn.execute("UPDATE meta SET value = '999' WHERE key = 'lexical_seq'")
    problems = check_home(home).problems
    assert any("belong to no document" in p for p in problems)
    assert any("claims change 999" in p for p in problems)
