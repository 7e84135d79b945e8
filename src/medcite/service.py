"""The operations medcite offers; the CLI and the web app call only this.

A :class:`Medcite` owns the settings, the store and the indexes of one home directory.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from medcite.answer import pipeline
from medcite.answer.audience import Audience, policy
from medcite.answer.coverage import QuestionTerms
from medcite.answer.evidence import Evidence, gather
from medcite.answer.extractive import ExtractiveWriter
from medcite.answer.lexicon import Lexicon, store_lexicon
from medcite.answer.model import Answer, Status
from medcite.answer.pasted import PastedReport, verify_pasted
from medcite.answer.pipeline import AnswerEvent
from medcite.answer.question import MAX_QUESTION_CHARS as MAX_QUESTION_CHARS
from medcite.answer.question import clean_question as clean_question
from medcite.answer.safety import assess
from medcite.answer.verify import Check, check_sentence
from medcite.answer.writer import Writer
from medcite.editorial.staleness import flag_stale
from medcite.errors import EmptyStoreError, InvalidRequestError, NotFoundError
from medcite.index.dense import DenseIndex
from medcite.index.dense import ProgressFn as EmbedProgressFn
from medcite.index.embedder import available_cores, make_embedder
from medcite.index.lexical import LexicalIndex
from medcite.ingest.pipeline import Ingestor, IngestReport, ProgressFn
from medcite.models import Document, Hit, Passage
from medcite.retrieve.evidence import CLASSIFIER_VERSION, classify_document
from medcite.retrieve.search import Searcher
from medcite.settings import Settings, load_settings
from medcite.store.sqlite import SQLiteStore
from medcite.store.threads import SQLiteThreadRepository
from medcite.threads import ThreadStore, rewrite_followup

SCOPE_COVERAGE = 0.85
"""A question without a medical term is still in scope if a retrieved passage covers this
much of it: the corpus is medical, so what it discusses at length is (health policy,
injury prevention)."""
ENGINES = ("extractive", "llm")
STALENESS_CHECKED = "staleness_checked_through"
"""Meta key: the change log position up to which articles have been checked for re-review
(advanced only after the check, so a killed ingest's changes are checked by the next)."""
CLASSIFIER_KEY = "evidence_classifier"


class Medcite:
    """One medcite installation: settings, store and indexes under ``settings.home``."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.store = SQLiteStore(settings.home)
        self.lexical = LexicalIndex(settings.home)
        self._searcher: Searcher | None = None
        self._writers: dict[str, Writer] = {}
        self._lexicon: Lexicon | None = None
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
        return self.embed_after(self.ingest_files(paths, force, progress), embed_progress)

    def embed_after(self, report: IngestReport, progress: EmbedProgressFn | None = None
                    ) -> IngestReport:
        """Embed the passages an ingest changed, adding the count and the time it took to
        ``report`` (its summary is the whole wait, embedding included)."""
        started = time.perf_counter()
        report.embedded = self.embed(progress)
        report.embed_seconds = time.perf_counter() - started
        return report

    def ingest_files(
        self, paths: Iterable[Path], force: bool = False, progress: ProgressFn | None = None
    ) -> IngestReport:
        """Ingest files into the store and the BM25 index (no embedding); then flag the
        approved articles the new evidence may change for re-review."""
        checked = self.store.get_meta(STALENESS_CHECKED)
        if checked is None:  # first ingest: what came before needs no re-review
            self.store.set_meta(STALENESS_CHECKED, str(self.store.last_change()))
        seq = int(self.store.get_meta(STALENESS_CHECKED) or 0)
        ingestor = Ingestor(
            self.store, self.sync_indexes, self.settings.ingest.batch_size,
            self.settings.ingest.passage_chars,
        )
        report = ingestor.ingest(paths, force=force, progress=progress)
        with self._init_lock:
            self._lexicon = None  # new vocabulary: the verifier reads it again
        done = self.store.last_change()
        report.warnings += flag_stale(self.store, self.search, seq).warnings
        # only now: an ingest killed before this point is re-checked from ``seq`` next time
        self.store.set_meta(STALENESS_CHECKED, str(done))
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

    def writer(self, engine: str | None = None) -> Writer:
        """The writer named by ``engine`` (default: setting ``answer.engine``)."""
        name = engine or self.settings.answer.engine
        if name not in ENGINES:
            raise InvalidRequestError(f"Unknown answer engine {name!r}.",
                                      f"Choose one of: {', '.join(ENGINES)}.")
        with self._init_lock:
            if name not in self._writers:
                self._writers[name] = self._make_writer(name)
            return self._writers[name]

    def _make_writer(self, name: str) -> Writer:
        if name == "llm":
            from medcite.answer.llm import make_llm_writer
            return make_llm_writer(self.settings.answer.llm)
        return ExtractiveWriter()

    @property
    def lexicon(self) -> Lexicon:
        """Drug and condition names from the store's vocabularies, for the verifier."""
        with self._init_lock:
            if self._lexicon is None:
                self._lexicon = store_lexicon(self.store)
            return self._lexicon

    def _checker(self, writer: Writer) -> Callable[[str, list[str]], Check]:
        """The verifier for ``writer``'s sentences: the rules, and for an LLM writer with
        ``answer.llm.judge`` on, its endpoint as the second-tier judge."""
        client = getattr(writer, "client", None)
        if not self.settings.answer.llm.judge or client is None:
            return self.check
        from medcite.answer.judge import ModelJudge

        judge = ModelJudge(client)
        return lambda text, passages: check_sentence(text, passages, lexicon=self.lexicon,
                                                     judge=judge)

    def check(self, text: str, passages: list[str]) -> Check:
        """The verifier every writer's sentence and every editor's edit passes."""
        return check_sentence(text, passages, lexicon=self.lexicon)

    def evidence(self, question: str, audience: Audience = Audience.CLINICIAN) -> Evidence:
        """The numbered passages an answer to ``question`` is written from."""
        info = self.searcher.understand(question)
        return gather(self.searcher, self.store, info, QuestionTerms(info, self.lexical.idf),
                      audience)

    @property
    def threads(self) -> ThreadStore:
        with self._init_lock:
            if self._threads is None:
                self._threads = ThreadStore(SQLiteThreadRepository(self.store))
            return self._threads

    def ask(self, question: str, audience: Audience = Audience.CLINICIAN,
            thread_id: str | None = None, record: bool = True,
            engine: str | None = None) -> Answer:
        """A cited answer to ``question`` for a clinician or a patient.

        With ``thread_id`` the question is a follow-up, answered in the thread's context;
        with ``record`` the question and answer are kept as a turn of a (new) thread;
        ``engine`` picks the writer (default: setting ``answer.engine``).
        """
        events = self._answer_events(question, audience, thread_id, record, engine)
        for event in events:
            if event.event == "done":
                answer: Answer = event.data
                return answer
        raise AssertionError("the answer stream ended without an answer")

    def ask_stream(self, question: str, audience: Audience = Audience.CLINICIAN,
                   thread_id: str | None = None, engine: str | None = None
                   ) -> Iterator[AnswerEvent]:
        """The answer in parts, as each is written and verified: ``start``, ``summary``,
        each ``section``, ``references``, then ``done`` with the whole answer (a dict)."""
        question = clean_question(question)
        yield AnswerEvent("start", {"question": question, "audience": audience,
                                    "thread_id": thread_id})
        for event in self._answer_events(question, audience, thread_id, True, engine):
            yield AnswerEvent("done", event.data.model_dump()) if event.event == "done" \
                else event

    def _answer_events(self, question: str, audience: Audience, thread_id: str | None,
                       record: bool, engine: str | None) -> Iterator[AnswerEvent]:
        """The one answer path: safety and scope, understanding, evidence, the writer, the
        verifier; the ``done`` event carries the :class:`Answer` (recorded in its thread)."""
        question = clean_question(question)
        asked_as = question
        if thread_id is not None:
            asked_as = rewrite_followup(question, self.threads.topic(thread_id))
        writer = self.writer(engine)
        with self._answering:
            start = time.perf_counter()
            safety = assess(asked_as, self.store, self.lexical.share)
            events: Iterator[AnswerEvent]
            if safety.status == "emergency":
                # The instruction is the whole answer: evidence would delay and distract.
                self.require_documents()
                retrieved = 0.0
                events = pipeline.notice_only(notice_answer(
                    question, audience, "emergency", safety.notice, writer.name))
            else:
                evidence = self.evidence(asked_as, audience)
                retrieved = _ms(start)
                if (safety.status == "out_of_scope" and thread_id is None
                        and evidence.best_coverage < SCOPE_COVERAGE):
                    events = pipeline.notice_only(notice_answer(
                        question, audience, "out_of_scope", safety.notice, writer.name))
                else:
                    fallback = self.writer("extractive") if writer.name != "extractive" \
                        else None
                    events = pipeline.write(writer, evidence, fallback,
                                            check=self._checker(writer))
            for event in events:
                if event.event != "done":
                    yield event
                    continue
                answer = event.data
                answer.timings_ms = {"retrieve": retrieved, **answer.timings_ms,
                                     "total": _ms(start)}
        answer.question = question
        answer.asked_as = asked_as if asked_as != question else None
        if record:
            if thread_id is None:
                thread_id = self.threads.create(asked_as)
            answer.thread_id = thread_id
            answer.turn = self.threads.add_turn(thread_id, question, asked_as, answer)
        yield AnswerEvent("done", answer)

    # -- facts -----------------------------------------------------------------------

    def document(self, doc_id: str) -> tuple[Document, list[Passage]]:
        """A stored document and its passages (the units citations point to)."""
        document = self.store.get_document(doc_id)
        if document is None:
            raise NotFoundError(f"No document {doc_id!r}.", "Check the id (e.g. 'pmid:123').")
        return document, self.store.passages_of(doc_id)

    def passages(self, passage_ids: Iterable[str]) -> dict[str, Passage]:
        """Stored passages by id (those not in the store are left out)."""
        return self.store.get_passages(passage_ids)

    def verify_pasted(self, markdown: str) -> PastedReport:
        """Every sentence of a pasted answer checked against the documents it cites."""
        return verify_pasted(self.store, markdown, self.lexicon)

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


def notice_answer(question: str, audience: Audience, status: Status, notice: str | None,
                  engine: str) -> Answer:
    """An answer that is only medcite's own notice, with no evidence. An emergency keeps
    its audience's disclaimer; a question out of scope says nothing to disclaim."""
    return Answer(question=question, audience=audience, status=status, notice=notice,
                  disclaimer=policy(audience).disclaimer if status == "emergency" else "",
                  engine=engine, generated_at=datetime.now(UTC).isoformat(timespec="seconds"))


def _ms(start: float) -> float:
    return round((time.perf_counter() - start) * 1000, 2)
