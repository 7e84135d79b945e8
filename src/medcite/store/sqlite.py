"""The embedded store: one SQLite database (WAL) under the home directory.

One writer at a time (a lock around write transactions); each thread reads through its
own connection, so the web server can read while an ingest writes.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from medcite.errors import StoreError
from medcite.models import Document, Passage, Section, VocabTerm
from medcite.store import schema as sql
from medcite.store.migrations import MIGRATIONS, Migration, migrate
from medcite.store.protocols import Tx
from medcite.text.terms import stems

DB_FILE = "medcite.sqlite3"
_NON_WORD = re.compile(r"[^\w]+")
META_COLUMNS = ("id", "kind", "title", "year", "evidence_level", "journal", "organization",
                "pmid", "doi", "url", "collection")


IDENTIFIER_COLUMNS = {"id": "id = ?", "pmid": "pmid = ?", "doi": "lower(doi) = lower(?)",
                      "url": "url = ?"}
"""How :meth:`SQLiteStore.document_named` matches each kind of identifier."""


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class SQLiteStore:
    """Documents, passages, the change log, ingest checkpoints and vocabularies."""

    def __init__(self, home: Path, migrations: tuple[Migration, ...] = MIGRATIONS) -> None:
        """Open (or create) the store under ``home`` and apply the ``migrations`` it lacks
        (all of them; a prefix builds a store as an older medcite left it)."""
        self.home = home
        self.path = home / DB_FILE
        try:
            home.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"Cannot create the data directory {home}: {exc.strerror}.",
                             "Choose another with --home or MEDCITE_HOME.") from exc
        self._local = threading.local()
        self._write_lock = threading.RLock()
        self._connections: list[sqlite3.Connection] = []
        try:
            migrate(self, migrations)
        except sqlite3.Error as exc:
            self.close()
            raise self._open_error(exc) from exc
        except StoreError:
            self.close()
            raise

    @property
    def conn(self) -> sqlite3.Connection:
        """This thread's connection (created on first use)."""
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            try:
                conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            except sqlite3.Error as exc:
                raise self._open_error(exc) from exc
            try:
                for pragma in sql.PRAGMAS:
                    conn.execute(pragma)
            except sqlite3.Error as exc:
                conn.close()
                raise self._open_error(exc) from exc
            self._local.conn = conn
            self._connections.append(conn)
        return conn

    def _open_error(self, exc: sqlite3.Error) -> StoreError:
        """What keeps the store from opening, in words, with what to do about it."""
        reason = str(exc)
        elsewhere = "or choose another data directory with --home or MEDCITE_HOME."
        if "not a database" in reason or "malformed" in reason:
            return StoreError(f"{self.path} is not a medcite database, or it is damaged "
                              f"({reason}).", "Move the file aside (medcite starts a new "
                              f"store) or restore it from a backup, {elsewhere}")
        if self.path.is_dir():
            return StoreError(f"{self.path} is a directory, not a database file.",
                              f"Move it aside, {elsewhere}")
        readonly = "readonly" in reason or "unable to open" in reason
        if (readonly or not os.access(self.home, os.W_OK)
                or (self.path.exists() and not os.access(self.path, os.W_OK))):
            return StoreError(f"Cannot write to the data directory {self.home} ({reason}).",
                              f"Make it and {DB_FILE} writable for this user, {elsewhere}")
        return StoreError(f"Cannot open the store {self.path}: {reason}.",
                          f"Check the data directory, {elsewhere}")

    def close(self) -> None:
        for conn in self._connections:
            conn.close()
        self._connections.clear()
        self._local = threading.local()

    @contextmanager
    def transaction(self) -> Iterator[Tx]:
        """A write transaction: all of it lands, or none of it (also on Ctrl-C)."""
        with self._write_lock:
            conn = self.conn
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    # -- documents -------------------------------------------------------------------

    def document_state(self, doc_id: str) -> tuple[int, str, str] | None:
        """``(version, revised, content_hash)`` of a stored document, or None."""
        row = self.conn.execute(sql.SELECT_DOCUMENT_STATE, (doc_id,)).fetchone()
        return (row[0], row[1] or "", row[2]) if row else None

    def put_document(
        self, conn: Tx, doc: Document, passages: list[Passage],
        content_hash: str, evidence_level: str | None = None,
    ) -> None:
        """Insert or replace a document with its passages, and log the change."""
        conn.execute(sql.UPSERT_DOCUMENT, _document_row(doc, content_hash, evidence_level))
        conn.execute(sql.DELETE_PASSAGES, (doc.id,))
        conn.executemany(
            sql.INSERT_PASSAGE,
            [(p.id, p.doc_id, p.part, p.n, p.section, p.text, p.start, p.end) for p in passages],
        )
        conn.execute(sql.INSERT_CHANGE, (doc.id, "upsert"))

    def delete_document(self, conn: Tx, doc_id: str) -> bool:
        conn.execute(sql.DELETE_PASSAGES, (doc_id,))
        deleted = conn.execute(sql.DELETE_DOCUMENT, (doc_id,)).rowcount > 0
        if deleted:
            conn.execute(sql.INSERT_CHANGE, (doc_id, "delete"))
        return deleted

    def get_document(self, doc_id: str) -> Document | None:
        row = self.conn.execute(sql.SELECT_DOCUMENT, (doc_id,)).fetchone()
        return _row_document(row) if row else None

    def document_meta(self, doc_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        """Citation metadata (no text) of many documents, by id."""
        ids = list(dict.fromkeys(doc_ids))
        found: dict[str, dict[str, Any]] = {}
        cols = ", ".join(META_COLUMNS)
        for chunk in _chunks(ids, 500):
            marks = ",".join("?" for _ in chunk)
            for row in self.conn.execute(
                f"SELECT {cols} FROM documents WHERE id IN ({marks})", chunk
            ):
                found[row[0]] = dict(zip(META_COLUMNS, row, strict=True))
        return found

    def document_named(self, scheme: str, value: str) -> str | None:
        """The id of the document a citation names by ``id``, ``pmid``, ``doi`` (any case)
        or ``url``; a research record first when several share a PMID."""
        if scheme not in IDENTIFIER_COLUMNS or not value:
            return None
        column = IDENTIFIER_COLUMNS[scheme]
        row = self.conn.execute(
            f"SELECT id FROM documents WHERE {column} ORDER BY kind = 'research' DESC, id "
            "LIMIT 1", (value,)).fetchone()
        return row[0] if row else None

    def passages_of(self, doc_id: str) -> list[Passage]:
        return [Passage(*row) for row in self.conn.execute(sql.SELECT_PASSAGES_OF, (doc_id,))]

    def passages_for_docs(self, doc_ids: list[str]) -> dict[str, list[Passage]]:
        result: dict[str, list[Passage]] = {d: [] for d in doc_ids}
        for chunk in _chunks(doc_ids, 500):
            marks = ",".join("?" for _ in chunk)
            for row in self.conn.execute(
                'SELECT id, doc_id, part, n, section, text, start, "end" FROM passages '
                f"WHERE doc_id IN ({marks}) ORDER BY doc_id, part DESC, n", chunk
            ):
                result[row[1]].append(Passage(*row))
        return result

    def get_passages(self, passage_ids: Iterable[str]) -> dict[str, Passage]:
        ids = list(dict.fromkeys(passage_ids))
        found: dict[str, Passage] = {}
        for chunk in _chunks(ids, 500):
            marks = ",".join("?" for _ in chunk)
            for row in self.conn.execute(
                'SELECT id, doc_id, part, n, section, text, start, "end" FROM passages '
                f"WHERE id IN ({marks})", chunk
            ):
                found[row[0]] = Passage(*row)
        return found

    def iter_documents(self, batch: int = 1000) -> Iterator[Document]:
        """Every document, in id order, read in batches (for rebuilding indexes)."""
        last = ""
        cols = ", ".join(sql.DOCUMENT_COLUMNS)
        while True:
            rows = self.conn.execute(
                f"SELECT {cols} FROM documents WHERE id > ? ORDER BY id LIMIT ?", (last, batch)
            ).fetchall()
            if not rows:
                return
            for row in rows:
                yield _row_document(row)
            last = rows[-1][0]

    def reclassify(self, classify: Callable[[Document], str]) -> int:
        """Recompute every document's evidence level; returns how many changed."""
        changed = 0
        updates: list[tuple[str, str]] = []
        current = dict(self.conn.execute("SELECT id, evidence_level FROM documents"))
        for doc in self.iter_documents():
            level = classify(doc)
            if current.get(doc.id) != level:
                updates.append((level, doc.id))
        for i in range(0, len(updates), 5000):
            with self.transaction() as conn:
                conn.executemany("UPDATE documents SET evidence_level = ? WHERE id = ?",
                                 updates[i:i + 5000])
        changed = len(updates)
        return changed

    def counts(self) -> dict[str, dict[str, int]]:
        docs = dict(self.conn.execute("SELECT kind, COUNT(*) FROM documents GROUP BY kind"))
        passages = dict(self.conn.execute(
            "SELECT d.kind, COUNT(*) FROM passages p JOIN documents d ON d.id = p.doc_id "
            "GROUP BY d.kind"
        ))
        return {k: {"documents": docs[k], "passages": passages.get(k, 0)} for k in sorted(docs)}

    def document_count(self) -> int:
        return int(self.conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0])

    # -- full texts --------------------------------------------------------------------

    def fulltext_hash(self, key: str) -> str | None:
        row = self.conn.execute(sql.SELECT_FULLTEXT_HASH, (key,)).fetchone()
        return row[0] if row else None

    def put_fulltext(
        self, conn: Tx, key: str, pmid: str | None, pmcid: str | None,
        title: str | None, sections: list[Section], content_hash: str,
    ) -> None:
        body = json.dumps([s.model_dump() for s in sections], ensure_ascii=False)
        conn.execute(sql.UPSERT_FULLTEXT, (key, pmid, pmcid, title, body, content_hash))

    def fulltext_for(self, pmid: str | None, pmcid: str | None) -> list[Section]:
        """The full-text sections stored for an article, matched by PMID, then PMCID."""
        for query, value in ((sql.SELECT_FULLTEXT_BY_PMID, pmid),
                             (sql.SELECT_FULLTEXT_BY_PMCID, pmcid)):
            if value:
                row = self.conn.execute(query, (value,)).fetchone()
                if row:
                    return [Section(**s) for s in json.loads(row[0])]
        return []

    def documents_for_fulltext(self, pmid: str | None, pmcid: str | None) -> list[str]:
        """Research documents a full text belongs to (same PMID or PMCID)."""
        ids: list[str] = []
        for query, value in ((sql.SELECT_RESEARCH_BY_PMID, pmid),
                             (sql.SELECT_RESEARCH_BY_PMCID, pmcid)):
            if value:
                ids += [r[0] for r in self.conn.execute(query, (value,))]
        return list(dict.fromkeys(ids))

    def stored_hash(self, doc_id: str) -> str | None:
        row = self.conn.execute("SELECT content_hash FROM documents WHERE id = ?",
                                (doc_id,)).fetchone()
        return row[0] if row else None

    # -- change log and meta -----------------------------------------------------------

    def changes_after(self, seq: int, limit: int = 5000) -> list[tuple[int, str, str]]:
        return list(self.conn.execute(sql.SELECT_CHANGES_AFTER, (seq, limit)))

    def changed_documents(self, seq: int, limit: int = 500) -> list[tuple[str, int]]:
        """``(doc_id, last change seq)`` of documents changed after ``seq``, in order of
        their last change. A document changed several times appears once, so work done
        from this list is done once; and a checkpoint at the last seq of a prefix of it
        is safe, since any document still to do has a later last change."""
        return [(r[0], int(r[1])) for r in self.conn.execute(
            "SELECT doc_id, MAX(seq) AS last FROM changes WHERE seq > ? GROUP BY doc_id "
            "ORDER BY last LIMIT ?", (seq, limit))]

    def documents_changed_by(self, seq: int, doc_ids: list[str]) -> set[str]:
        """Which of ``doc_ids`` had a change at or before ``seq`` (existed before it)."""
        found: set[str] = set()
        for chunk in _chunks(doc_ids, 500):
            marks = ",".join("?" for _ in chunk)
            found.update(r[0] for r in self.conn.execute(
                f"SELECT DISTINCT doc_id FROM changes WHERE seq <= ? AND doc_id IN ({marks})",
                (seq, *chunk)))
        return found

    def passages_changed_after(self, seq: int, parts: Sequence[str]) -> int:
        """How many passages of the given parts belong to documents changed after ``seq``
        (what a vector index at ``seq`` has to embed)."""
        marks = ",".join("?" for _ in parts)
        row = self.conn.execute(
            f"SELECT COUNT(*) FROM passages WHERE part IN ({marks}) AND doc_id IN "
            "(SELECT DISTINCT doc_id FROM changes WHERE seq > ?)", (*parts, seq)).fetchone()
        return int(row[0])

    def last_change(self) -> int:
        return int(self.conn.execute(sql.MAX_CHANGE).fetchone()[0])

    def get_meta(self, key: str, default: str | None = None) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def set_meta(self, key: str, value: str) -> None:
        with self.transaction() as conn:
            conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    # -- ingest checkpoints ------------------------------------------------------------

    def file_state(self, fp: str) -> tuple[int, bool] | None:
        row = self.conn.execute(sql.SELECT_FILE, (fp,)).fetchone()
        return (int(row[0]), bool(row[1])) if row else None

    def set_file_state(
        self, conn: Tx, fp: str, path: Path, fmt: str, done: int, complete: bool
    ) -> None:
        conn.execute(sql.UPSERT_FILE, (fp, str(path), fmt, done, int(complete), now_iso()))

    # -- vocabularies ------------------------------------------------------------------

    def put_vocab(self, conn: Tx, terms: list[VocabTerm]) -> None:
        """Vocabulary entries, every name and synonym as a lookup phrase, and the stem
        counts of :meth:`medical_stems`. An entry read again (a newer file, ``--force``)
        replaces the old one in all three: its old phrases and counts are taken back."""
        terms = list({(t.source, t.key): t for t in terms}.values())  # last one wins
        previous = self._stored_vocab(conn, terms)
        conn.executemany(  # by primary key: an entry's phrases follow from its names
            "DELETE FROM vocab_phrases WHERE phrase = ? AND source = ? AND key = ?",
            [(phrase, t.source, t.key) for t in previous for phrase in _phrases(t)])
        conn.executemany(sql.UPSERT_VOCAB, [
            (t.source, t.key, t.name, json.dumps(list(t.synonyms), ensure_ascii=False),
             json.dumps(t.extra, ensure_ascii=False)) for t in terms
        ])
        self.index_vocab(conn, previous, terms)

    def index_vocab(self, conn: Tx, removed: list[VocabTerm],
                     added: list[VocabTerm]) -> None:
        """The lookup phrases of ``added`` entries, and the stem counts less ``removed``."""
        conn.executemany(sql.INSERT_PHRASE, [
            (phrase, t.source, t.key) for t in added for phrase in _phrases(t)])
        counts: Counter[tuple[str, bool]] = Counter()
        for sign, entries in ((-1, removed), (1, added)):
            for t in entries:
                medical = is_medical_entry(t)
                for stem in _concept_words(t):
                    counts[(stem, medical)] += sign
        conn.executemany(
            "INSERT INTO vocab_terms (stem, medical, other) VALUES (?, ?, ?) ON CONFLICT (stem) "
            "DO UPDATE SET medical = medical + excluded.medical, other = other + excluded.other",
            [(stem, n if medical else 0, 0 if medical else n)
             for (stem, medical), n in counts.items() if n])

    def _stored_vocab(self, conn: Tx, terms: list[VocabTerm]) -> list[VocabTerm]:
        """The stored entries with the keys of ``terms``."""
        found: list[VocabTerm] = []
        for source in {t.source for t in terms}:
            keys = [t.key for t in terms if t.source == source]
            for chunk in _chunks(keys, 500):
                marks = ",".join("?" for _ in chunk)
                found += [VocabTerm(source, key, name, tuple(json.loads(synonyms)),
                                    json.loads(extra))
                          for key, name, synonyms, extra in conn.execute(
                              f"SELECT key, name, synonyms, extra FROM vocab WHERE source = ? "
                              f"AND key IN ({marks})", [source, *chunk])]
        return found

    def medical_stems(self, candidates: Iterable[str]) -> set[str]:
        """Which of ``candidates`` (analysed terms) are distinctly medical words: long
        enough to be specific (6+ letters) and found in names of drugs or medical MeSH
        branches at least three times as often as in other branches ("leptomening" is,
        "capit", "time" or "chang" are not)."""
        items = [t for t in dict.fromkeys(candidates) if len(t) >= 6]
        if not items:
            return set()
        marks = ",".join("?" for _ in items)
        rows = self.conn.execute(
            f"SELECT stem FROM vocab_terms WHERE stem IN ({marks}) AND medical >= 2 "
            "AND medical >= 3 * other", items)
        return {r[0] for r in rows}

    def count_abbreviations(self, conn: Tx, added: Iterable[tuple[str, str]],
                            removed: Iterable[tuple[str, str]] = ()) -> None:
        """Count the (short, long) definitions of a document's text, less those of the text
        it replaces (or of a document deleted), so each text counts once."""
        counts = Counter(added)
        counts.subtract(removed)
        conn.executemany(sql.ADD_ABBREVIATION,
                         [(s, lf, n) for (s, lf), n in counts.items() if n])
        conn.executemany("DELETE FROM abbreviations WHERE short = ? AND long = ? AND count <= 0",
                         [(s, lf) for (s, lf), n in counts.items() if n < 0])

    def vocab_matches(self, phrases: list[str]) -> list[tuple[str, VocabTerm]]:
        """``(phrase, entry)`` for every phrase that names a vocabulary entry."""
        if not phrases:
            return []
        marks = ",".join("?" for _ in phrases)
        rows = self.conn.execute(
            "SELECT p.phrase, v.source, v.key, v.name, v.synonyms, v.extra FROM vocab_phrases p "
            "JOIN vocab v ON v.source = p.source AND v.key = p.key "
            f"WHERE p.phrase IN ({marks})", phrases)
        return [(r[0], VocabTerm(r[1], r[2], r[3], tuple(json.loads(r[4])), json.loads(r[5])))
                for r in rows]

    def long_forms(self, short: str, min_count: int = 2) -> list[tuple[str, int]]:
        return list(self.conn.execute(
            "SELECT long, count FROM abbreviations WHERE short = ? AND count >= ? "
            "ORDER BY count DESC LIMIT 3", (short, min_count)))

    def short_forms(self, long: str, min_count: int = 2) -> list[tuple[str, int]]:
        return list(self.conn.execute(
            "SELECT short, count FROM abbreviations WHERE long = ? AND count >= ? "
            "ORDER BY count DESC LIMIT 2", (long, min_count)))

    def iter_vocab(self, source: str) -> Iterator[tuple[str, str, list[str], dict[str, Any]]]:
        for key, name, synonyms, extra in self.conn.execute(
            "SELECT key, name, synonyms, extra FROM vocab WHERE source = ?", (source,)
        ):
            yield key, name, json.loads(synonyms), json.loads(extra)

    def vocab_count(self) -> dict[str, int]:
        return dict(self.conn.execute("SELECT source, COUNT(*) FROM vocab GROUP BY source"))


MEDICAL_TREES = ("A", "C", "D", "E", "F", "G04", "G05", "G06", "G08", "G09", "G10", "G11",
                 "G12", "B03", "B04", "B05")
"""MeSH branches that are medical: anatomy, diseases, drugs, techniques, psychiatry,
physiology, and microbes (not food, geography, sport, finance or technology)."""


def is_medical_entry(term: VocabTerm) -> bool:
    if term.source == "drug":
        return True
    trees = term.extra.get("tree_numbers")
    return isinstance(trees, list) and any(str(t).startswith(MEDICAL_TREES) for t in trees)


def _concept_words(term: VocabTerm) -> set[str]:
    """Stems of the words of a vocabulary entry's names ("leptomening" and "neoplasm" from
    "Leptomeningeal Neoplasms")."""
    found: set[str] = set()
    for name in (term.name, *term.synonyms):
        for word in name.replace(",", " ").replace("-", " ").split():
            if word.isalpha() and len(word) >= 3:
                found.update(s for s in stems(word) if len(s) >= 3)
    return found


def _phrases(term: VocabTerm) -> set[str]:
    """The lookup phrases of a vocabulary entry: its name and synonyms, normalised."""
    return {p for p in (normalize_phrase(x) for x in (term.name, *term.synonyms)) if p}


def normalize_phrase(text: str) -> str:
    """Lower case, punctuation to spaces, single spaces: the form phrases are matched in."""
    return " ".join(_NON_WORD.sub(" ", text.lower()).split())


def _document_row(doc: Document, content_hash: str, evidence_level: str | None) -> tuple:
    body = json.dumps([s.model_dump() for s in doc.body], ensure_ascii=False)
    return (
        doc.id, doc.kind, doc.title, doc.text, body, doc.collection, doc.journal,
        doc.organization, doc.year, doc.pmid, doc.pmcid, doc.doi, doc.url,
        json.dumps(doc.publication_types, ensure_ascii=False),
        json.dumps(doc.mesh, ensure_ascii=False), json.dumps(doc.keywords, ensure_ascii=False),
        doc.license, doc.version, doc.revised, evidence_level, content_hash, now_iso(),
    )


def _row_document(row: tuple) -> Document:
    values = dict(zip(sql.DOCUMENT_COLUMNS, row, strict=True))
    for key in ("publication_types", "mesh", "keywords"):
        values[key] = json.loads(values[key])
    values["body"] = [Section(**s) for s in json.loads(values["body"])]
    for key in ("evidence_level", "content_hash", "ingested_at"):
        values.pop(key)
    return Document.model_validate({k: v for k, v in values.items() if v is not None})


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]
