"""The operations medcite offers; the CLI and the web app call only this.

A :class:`Medcite` owns the settings, the store and the indexes of one home directory.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from medcite.answer.extractive import ExtractiveEngine
from medcite.answer.model import Answer, Audience
from medcite.answer.verify import publishable
from medcite.editorial.staleness import flag_stale
from medcite.errors import EmptyStoreError, InvalidRequestError
from medcite.index.dense import DenseIndex
from medcite.index.dense import ProgressFn as EmbedProgressFn
from medcite.index.embedder import available_cores, make_embedder
from medcite.index.lexical import LexicalIndex
from medcite.ingest.pipeline import Ingestor, IngestReport, ProgressFn
from medcite.models import Hit
from medcite.retrieve.evidence import CLASSIFIER_VERSION, classify_document
from medcite.retrieve.search import Searcher
from medcite.settings import Settings, load_settings
from medcite.store.sqlite import SQLiteStore
from medcite.threads import ThreadStore, rewrite_followup

MAX_QUESTION_CHARS = 2000
CLASSIFIER_KEY = "evidence_classifier"


def clean_question(question: str) -> str:
    """The question with whitespace collapsed; empty or over-long questions are errors."""
    question = " ".join(question.split())
    if not question:
        raise InvalidRequestError("The question is empty.", "Ask a clinical question.")
    if len(question) > MAX_QUESTION_CHARS:
        raise InvalidRequestError(
            f"The question is {len(question)} characters long; the limit is "
            f"{MAX_QUESTION_CHARS}.", "Shorten it to the clinical question itself.")
    return question


@dataclass(frozen=True)
class AnswerEvent:
    """One part of a streamed answer."""

    event: str
    data: Any


def answer_events(answer: Answer) -> Iterator[AnswerEvent]:
    yield AnswerEvent("summary", {"status": answer.status, "notice": answer.notice,
                                  "verdict": answer.verdict,
                                  "summary": [s.model_dump() for s in answer.summary]})
    for section in answer.sections:
        yield AnswerEvent("section", section.model_dump())
    yield AnswerEvent("references", [r.model_dump() for r in answer.references])
    yield AnswerEvent("done", answer.model_dump())


class Medcite:
    """One medcite installation: settings, store and indexes under ``settings.home``."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.store = SQLiteStore(settings.home)
        self.lexical = LexicalIndex(settings.home)
        self._searcher: Searcher | None = None
        self._engine: ExtractiveEngine | None = None
        self._dense: DenseIndex | None = None
        self._threads: ThreadStore | None = None
        self._init_lock = threading.RLock()  # lazy parts are built once, also under load
        # Answering is CPU-bound (Python and the embedding model): more answers at once than
        # cores only makes them contend, so the rest wait their turn.
        self._answering = threading.BoundedSemaphore(available_cores())

    @classmethod
    def open(cls, home: Path | None = None, **overrides: Any) -> Medcite:
        return cls(load_settings(home, **overrides))

    def close(self) -> None:
        self.lexical.close()
        self.store.close()

    def __enter__(self) -> Medcite:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- ingest ----------------------------------------------------------------------

    def sync_indexes(self) -> int:
        """Bring derived data up to date with the store (after a crash, an ingest, or an
        upgrade of the evidence classifier)."""
        if self.store.get_meta(CLASSIFIER_KEY) != CLASSIFIER_VERSION:
            self.store.reclassify(classify_document)
            self.store.set_meta(CLASSIFIER_KEY, CLASSIFIER_VERSION)
        return self.lexical.sync(self.store)

    @property
    def dense(self) -> DenseIndex | None:
        """The dense index, or None when the embedder is off (``embedder.kind = none``)."""
        with self._init_lock:
            if self._dense is None:
                embedder = make_embedder(self.settings.embedder)
                if embedder is None:
                    return None
                self._dense = DenseIndex(self.settings.home, embedder,
                                         self.settings.embedder.parts,
                                         self.settings.embedder.exact_threshold)
            return self._dense

    def embed(self, progress: EmbedProgressFn | None = None) -> int:
        """Embed the passages that changed since the vectors were last synced."""
        dense = self.dense
        return dense.sync(self.store, progress) if dense is not None else 0

    def ingest(
        self, paths: Iterable[Path], force: bool = False, progress: ProgressFn | None = None,
        embed_progress: EmbedProgressFn | None = None,
    ) -> IngestReport:
        """Ingest files, keep the BM25 index in step, then embed the new passages."""
        report = self.ingest_files(paths, force, progress)
        report.embedded = self.embed(embed_progress)
        return report

    def ingest_files(
        self, paths: Iterable[Path], force: bool = False, progress: ProgressFn | None = None
    ) -> IngestReport:
        """Ingest files into the store and the BM25 index (no embedding); then flag the
        approved articles the new evidence may change for re-review."""
        seq = self.store.last_change()
        ingestor = Ingestor(
            self.store, self.sync_indexes, self.settings.ingest.batch_size,
            self.settings.ingest.passage_chars,
        )
        report = ingestor.ingest(paths, force=force, progress=progress)
        flag_stale(self, seq)
        return report

    def rebuild_indexes(self, lexical: bool = True, dense: bool = True,
                        progress: EmbedProgressFn | None = None) -> dict[str, int]:
        """Recreate the derived indexes from the store (e.g. for a new embedding model)."""
        done = {}
        if lexical:
            done["lexical_passages"] = self.lexical.rebuild(self.store)
        if dense and self.dense is not None:
            done["embedded_passages"] = self.dense.rebuild(self.store, progress)
        return done

    # -- search ----------------------------------------------------------------------

    @property
    def searcher(self) -> Searcher:
        with self._init_lock:
            if self._searcher is None:
                self.require_documents()
                self.sync_indexes()
                self._searcher = Searcher(self.store, self.lexical, self.dense,
                                          self.settings.retrieval)
            return self._searcher

    def require_documents(self) -> None:
        if self.store.document_count() == 0:
            raise EmptyStoreError(
                "The store holds no documents yet.",
                "Ingest some first: medcite ingest PATH (e.g. ../shared/data/corpus).",
            )

    def search(self, query: str, k: int | None = None) -> list[Hit]:
        return self.searcher.search(query, k or self.settings.retrieval.k)

    # -- answers ---------------------------------------------------------------------

    @property
    def engine(self) -> ExtractiveEngine:
        with self._init_lock:
            if self._engine is None:
                self._engine = ExtractiveEngine(self.store, self.searcher, self.lexical)
            return self._engine

    @property
    def threads(self) -> ThreadStore:
        with self._init_lock:
            if self._threads is None:
                self._threads = ThreadStore(self.store)
            return self._threads

    def ask(self, question: str, audience: Audience = "clinician", thread_id: str | None = None,
            record: bool = True) -> Answer:
        """A cited answer to ``question`` for a clinician or a patient.

        With ``thread_id`` the question is a follow-up, answered in the thread's context;
        with ``record`` the question and answer are kept as a turn of a (new) thread.
        """
        question = clean_question(question)
        asked_as = question
        if thread_id is not None:
            asked_as = rewrite_followup(question, self.threads.topic(thread_id))
        with self._answering:
            answer = self.engine.answer(asked_as, audience, in_thread=thread_id is not None)
            publishable(answer)  # whatever the engine, nothing unverified is published
        answer.question = question
        answer.asked_as = asked_as if asked_as != question else None
        if record:
            if thread_id is None:
                thread_id = self.threads.create(question)
            answer.thread_id = thread_id
            answer.turn = self.threads.add_turn(thread_id, question, asked_as, answer)
        return answer

    def ask_stream(self, question: str, audience: Audience = "clinician",
                   thread_id: str | None = None) -> Iterator[AnswerEvent]:
        """The answer in parts, as they are ready: ``start``, ``summary``, each ``section``,
        ``references``, then ``done`` with the whole answer."""
        question = clean_question(question)
        yield AnswerEvent("start", {"question": question, "audience": audience,
                                    "thread_id": thread_id})
        answer = self.ask(question, audience, thread_id)
        yield from answer_events(answer)

    # -- facts -----------------------------------------------------------------------

    def stats(self) -> dict[str, Any]:
        counts = self.store.counts()
        return {
            "home": str(self.settings.home),
            "documents": sum(c["documents"] for c in counts.values()),
            "passages": sum(c["passages"] for c in counts.values()),
            "by_kind": counts,
            "vocabulary": self.store.vocab_count(),
            "lexical_index": {"passages": self.lexical.size(),
                              "pending_changes": self.lexical.pending(self.store)},
            "dense_index": self._dense_stats(),
        }

    def _dense_stats(self) -> dict[str, Any] | None:
        dense = self.dense
        if dense is None:
            return None
        return {"model": dense.embedder.name, "parts": list(dense.parts),
                "vectors": len(dense.vectors), "pending_changes": dense.pending(self.store)}
