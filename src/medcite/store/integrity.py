"""Is the store whole, and do its derived indexes agree with it?

The BM25 index and the vectors are derived from the change log and may lag behind it
(after a crash they catch up on the next sync), so a lag is not a fault. A fault is:

1. SQLite's own quick check or foreign-key check failing;
2. a passage whose document is missing;
3. an index that claims a change sequence number past the store's last change;
4. for a document the index is not behind on, indexed passage ids that differ from the
   store's (missing or extra), or a passage indexed twice.

:func:`store_contents` and :func:`compare_contents` compare what two stores hold, row by
row, for tests and benchmarks that must find nothing lost or duplicated (small stores: the
whole content is held in memory).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from medcite.store.sqlite import SQLiteStore

QUICK_CHECK = "PRAGMA quick_check"
FOREIGN_KEY_CHECK = "PRAGMA foreign_key_check"
COUNT_DOCUMENTS = "SELECT COUNT(*) FROM documents"
ORPHAN_PASSAGES = (
    "SELECT COUNT(*) FROM passages WHERE doc_id NOT IN (SELECT id FROM documents)"
)
SELECT_PASSAGE_KEYS = "SELECT id, doc_id, part FROM passages"
SELECT_CHANGED_SINCE = "SELECT DISTINCT doc_id FROM changes WHERE seq > ?"

CONTENT_TABLES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "documents": (("id",), ("ingested_at",)),
    "passages": (("id",), ()),
    "fulltexts": (("key",), ()),
    "vocab": (("source", "key"), ()),
    "vocab_phrases": (("phrase", "source", "key"), ()),
    "vocab_terms": (("stem",), ()),
    "abbreviations": (("short", "long"), ()),
}
"""What an ingest writes, by table: its key columns and the columns that vary between two
ingests of the same files (timestamps)."""

EXAMPLES = 5


@dataclass(frozen=True)
class IndexView:
    """What a derived index holds: its name, the change sequence number it reflects, the
    passage id of every entry, and the passage parts it indexes (None: all)."""

    name: str
    seq: int
    ids: Sequence[str]
    parts: tuple[str, ...] | None = None


@dataclass
class IndexReport:
    name: str
    seq: int
    entries: int
    behind_documents: int
    """Documents changed after ``seq``: the index may differ on them until it syncs."""
    missing: int = 0
    extra: int = 0
    duplicates: int = 0
    examples: list[str] = field(default_factory=list)


@dataclass
class ConsistencyReport:
    documents: int
    passages: int
    last_change: int
    problems: list[str] = field(default_factory=list)
    indexes: list[IndexReport] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "documents": self.documents, "passages": self.passages,
                "last_change": self.last_change, "problems": list(self.problems),
                "indexes": [vars(i) for i in self.indexes]}


def check_store(store: SQLiteStore, views: Sequence[IndexView] = ()) -> ConsistencyReport:
    """Check the database itself, then each derived index against it (see the module)."""
    conn = store.conn
    report = ConsistencyReport(int(conn.execute(COUNT_DOCUMENTS).fetchone()[0]), 0,
                               store.last_change())
    quick = [row[0] for row in conn.execute(QUICK_CHECK)]
    if quick != ["ok"]:
        report.problems.append(f"SQLite quick check: {'; '.join(quick[:EXAMPLES])}")
    broken = conn.execute(FOREIGN_KEY_CHECK).fetchall()
    if broken:
        report.problems.append(f"{len(broken)} rows break a foreign key (first: {broken[0]})")
    orphans = int(conn.execute(ORPHAN_PASSAGES).fetchone()[0])
    if orphans:
        report.problems.append(f"{orphans} passages belong to no document")
    passages = {row[0]: (row[1], row[2]) for row in conn.execute(SELECT_PASSAGE_KEYS)}
    report.passages = len(passages)
    for view in views:
        report.indexes.append(_check_index(store, view, passages, report))
    return report


def _check_index(store: SQLiteStore, view: IndexView, passages: dict[str, tuple[str, str]],
                 report: ConsistencyReport) -> IndexReport:
    behind = {row[0] for row in store.conn.execute(SELECT_CHANGED_SINCE, (view.seq,))}
    result = IndexReport(view.name, view.seq, len(view.ids), len(behind))
    if view.seq > report.last_change:
        report.problems.append(f"{view.name} index claims change {view.seq}, past the store's "
                               f"last change {report.last_change}")
    counts = Counter(view.ids)
    result.duplicates = sum(n - 1 for n in counts.values())
    expected = {pid for pid, (doc, part) in passages.items()
                if doc not in behind and (view.parts is None or part in view.parts)}
    held = {pid for pid in counts if _doc_of(pid, passages) not in behind}
    missing, extra = sorted(expected - held), sorted(held - expected)
    result.missing, result.extra = len(missing), len(extra)
    result.examples = [f"missing {p}" for p in missing[:EXAMPLES]] + \
        [f"extra {p}" for p in extra[:EXAMPLES]] + \
        [f"twice {p}" for p, n in counts.items() if n > 1][:EXAMPLES]
    for count, what in ((result.missing, "stored passage(s) missing"),
                        (result.extra, "entry(ies) for no stored passage"),
                        (result.duplicates, "passage(s) indexed more than once")):
        if count:
            report.problems.append(f"{view.name} index: {count} {what}")
    return result


def _doc_of(passage_id: str, passages: dict[str, tuple[str, str]]) -> str:
    known = passages.get(passage_id)
    return known[0] if known else passage_id.rsplit("#", 1)[0]


# -- comparing two stores ----------------------------------------------------------------

Contents = dict[str, dict[str, str]]
"""table -> row key -> digest of the row's other columns."""


def store_contents(store: SQLiteStore) -> Contents:
    """What the store holds that an ingest wrote, row by row (timestamps left out)."""
    contents: Contents = {}
    for table, (keys, varying) in CONTENT_TABLES.items():
        cursor = store.conn.execute(f"SELECT * FROM {table}")  # table names are constants
        columns = [d[0] for d in cursor.description]
        key_at = [columns.index(k) for k in keys]
        value_at = [i for i, c in enumerate(columns) if c not in keys and c not in varying]
        rows: dict[str, str] = {}
        for row in cursor:
            key = "\x1f".join(str(row[i]) for i in key_at)
            rows[key] = hashlib.blake2b(repr([row[i] for i in value_at]).encode(),
                                        digest_size=12).hexdigest()
        contents[table] = rows
    return contents


def compare_contents(reference: Contents, actual: Contents) -> dict[str, dict[str, int]]:
    """Per table, rows of ``reference`` that ``actual`` lacks (``lost``), holds in addition
    (``extra``) or holds with other values (``changed``)."""
    result: dict[str, dict[str, int]] = {}
    for table, ref in reference.items():
        got = actual.get(table, {})
        result[table] = {
            "lost": sum(1 for k in ref if k not in got),
            "extra": sum(1 for k in got if k not in ref),
            "changed": sum(1 for k, v in ref.items() if k in got and got[k] != v),
        }
    return result
