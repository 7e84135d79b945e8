"""Ingestion: files in, documents and passages committed in batches, indexes kept in step.

Each batch is one transaction that also records how many records of the file are done,
so an interrupted ingest (Ctrl-C, crash) leaves the store consistent and a re-run skips
what already landed. A file that was ingested completely is recognised by its sha256
and skipped. Malformed records are reported and skipped; the rest of the batch lands.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from medcite.errors import InputFileError
from medcite.ingest.chunking import chunk_document
from medcite.ingest.formats import FORMATS
from medcite.ingest.source import Format, detect, fingerprint
from medcite.models import Deletion, Document, FullText, Malformed, Parsed, VocabTerm
from medcite.retrieve.evidence import classify_document
from medcite.store.protocols import Tx
from medcite.store.sqlite import SQLiteStore
from medcite.text.abbreviations import find_definitions

ProgressFn = Callable[[int, int], None]
"""Called with (records, passages) after each batch."""

SYNC_EVERY_BATCHES = 20


@dataclass
class FileReport:
    path: str
    format: str = ""
    records: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    older: int = 0
    deleted: int = 0
    fulltexts: int = 0
    vocab: int = 0
    passages: int = 0
    resumed_from: int = 0
    skipped: str = ""
    malformed: list[Malformed] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        data = {k: v for k, v in self.__dict__.items() if k != "malformed"}
        data["malformed"] = [{"where": m.where, "reason": m.reason} for m in self.malformed]
        return data


@dataclass
class IngestReport:
    files: list[FileReport] = field(default_factory=list)
    seconds: float = 0.0
    """Reading, storing and BM25 indexing (the ingestor's own time)."""
    embedded: int = 0
    embed_seconds: float = 0.0
    """Embedding the new passages, which follows (by far the longer part)."""
    warnings: list[str] = field(default_factory=list)
    """What a step after the ingest could not do (e.g. re-review checks of articles)."""

    @property
    def total_seconds(self) -> float:
        """The whole ingest as the user waited for it: storing plus embedding."""
        return self.seconds + self.embed_seconds

    def total(self, name: str) -> int:
        return sum(int(getattr(f, name)) for f in self.files)

    @property
    def malformed(self) -> list[Malformed]:
        return [m for f in self.files for m in f.malformed]

    def as_dict(self) -> dict[str, object]:
        totals = {name: self.total(name) for name in (
            "records", "added", "updated", "unchanged", "older", "deleted", "fulltexts",
            "vocab", "passages")}
        totals["malformed"] = len(self.malformed)
        totals["embedded"] = self.embedded
        return {"seconds": round(self.total_seconds, 3),
                "store_seconds": round(self.seconds, 3),
                "embed_seconds": round(self.embed_seconds, 3), "totals": totals,
                "files": [f.as_dict() for f in self.files], "warnings": list(self.warnings)}


def expand_paths(paths: Iterable[Path]) -> Iterator[tuple[Path, bool]]:
    """Files to ingest, with whether each was named explicitly (directories are walked)."""
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and not child.name.startswith("."):
                    yield child, False
        elif path.exists():
            yield path, True
        else:
            raise InputFileError(f"No such file or directory: {path}.", "Check the path.")


def content_hash(item: Document | FullText) -> str:
    if isinstance(item, Document):
        data = item.model_dump_json()
    else:
        data = repr((item.pmid, item.pmcid, item.title, [(s.title, s.text) for s in item.sections]))
    return hashlib.blake2b(data.encode(), digest_size=16).hexdigest()


class Ingestor:
    """Applies parsed records to the store and keeps derived indexes in step."""

    def __init__(
        self,
        store: SQLiteStore,
        sync: Callable[[], object],
        batch_size: int = 500,
        passage_chars: int = 1000,
        formats: list[Format] | None = None,
    ) -> None:
        self.store = store
        self.sync = sync
        self.batch_size = batch_size
        self.passage_chars = passage_chars
        self.formats = formats or FORMATS

    def ingest(
        self, paths: Iterable[Path], force: bool = False, progress: ProgressFn | None = None
    ) -> IngestReport:
        report = IngestReport()
        started = time.perf_counter()
        self.sync()  # catch up after an earlier crash before adding more
        try:
            for path, explicit in expand_paths(paths):
                try:
                    fmt = detect(path, self.formats)
                except InputFileError as exc:  # unknown format, or the head is unreadable
                    if explicit:
                        raise
                    report.files.append(FileReport(str(path), skipped=exc.message))
                    continue
                report.files.append(self._ingest_file(path, fmt, force, progress))
        finally:
            report.seconds = time.perf_counter() - started
        return report

    def _ingest_file(
        self, path: Path, fmt: Format, force: bool, progress: ProgressFn | None
    ) -> FileReport:
        report = FileReport(str(path), fmt.name)
        fp = fingerprint(path)
        state = self.store.file_state(fp)
        if state and state[1] and not force:
            report.skipped = "already ingested (same content); use --force to read it again"
            return report
        skip = state[0] if state and not force else 0
        report.resumed_from = skip
        batch: list[Parsed] = []
        done = batches = 0
        for item in fmt.read(path):
            done += 1
            if done <= skip:
                continue
            batch.append(item)
            if len(batch) >= self.batch_size:
                self._apply(batch, report, fp, path, fmt.name, done, progress)
                batch = []
                batches += 1
                if batches % SYNC_EVERY_BATCHES == 0:
                    self.sync()
        self._apply(batch, report, fp, path, fmt.name, done, progress, complete=True)
        self.sync()
        return report

    def _apply(
        self, batch: list[Parsed], report: FileReport, fp: str, path: Path, fmt: str,
        done: int, progress: ProgressFn | None, complete: bool = False,
    ) -> None:
        passages_before = report.passages
        vocab: list[VocabTerm] = []
        with self.store.transaction() as conn:
            for item in batch:
                if isinstance(item, Document):
                    self._apply_document(conn, item, report)
                elif isinstance(item, FullText):
                    self._apply_fulltext(conn, item, report)
                elif isinstance(item, Deletion):
                    gone = self.store.get_document(item.doc_id)
                    report.deleted += self.store.delete_document(conn, item.doc_id)
                    if gone is not None:
                        self.store.count_abbreviations(conn, (), find_definitions(gone.text))
                elif isinstance(item, VocabTerm):
                    vocab.append(item)
                else:
                    report.malformed.append(item)
            if vocab:
                self.store.put_vocab(conn, vocab)
                report.vocab += len(vocab)
            self.store.set_file_state(conn, fp, path, fmt, done, complete)
        report.records += len(batch)
        if progress:
            progress(len(batch), report.passages - passages_before)

    def _apply_document(self, conn: Tx, doc: Document, report: FileReport) -> None:
        if doc.body and doc.kind == "research" and (doc.pmid or doc.pmcid):
            # A full text (PMC JATS) also lands as a FullText, so that it stays merged
            # into the article whichever record of it (PubMed, corpus, PMC) wins.
            self._apply_fulltext(
                conn, FullText(doc.pmid, doc.pmcid, doc.title, list(doc.body)), report
            )
        digest = content_hash(doc)
        state = self.store.document_state(doc.id)
        if state and state[2] == digest:
            report.unchanged += 1
            return
        if state and (doc.version, doc.revised or "") < (state[0], state[1]):
            report.older += 1
            return
        if not doc.body and doc.kind == "research" and (doc.pmid or doc.pmcid):
            sections = self.store.fulltext_for(doc.pmid, doc.pmcid)
            if sections:
                doc = doc.model_copy(update={"body": sections})
        previous = self.store.get_document(doc.id) if state else None
        self._put(conn, doc, digest, report)
        self.store.count_abbreviations(conn, find_definitions(doc.text),
                                       find_definitions(previous.text) if previous else ())
        if state:
            report.updated += 1
        else:
            report.added += 1

    def _apply_fulltext(self, conn: Tx, ft: FullText, report: FileReport) -> None:
        key = f"pmc:{ft.pmcid}" if ft.pmcid else f"pmid:{ft.pmid}"
        digest = content_hash(ft)
        if self.store.fulltext_hash(key) == digest:
            report.unchanged += 1
            return
        self.store.put_fulltext(conn, key, ft.pmid, ft.pmcid, ft.title, ft.sections, digest)
        report.fulltexts += 1
        for doc_id in self.store.documents_for_fulltext(ft.pmid, ft.pmcid):
            doc = self.store.get_document(doc_id)
            stored = self.store.stored_hash(doc_id)
            if doc is not None and stored is not None:
                self._put(conn, doc.model_copy(update={"body": ft.sections}), stored, report)

    def _put(
        self, conn: Tx, doc: Document, digest: str, report: FileReport
    ) -> None:
        passages = chunk_document(doc, self.passage_chars)
        self.store.put_document(conn, doc, passages, digest, classify_document(doc))
        report.passages += len(passages)
