"""The operations medcite offers; the CLI and the web app call only this.

A :class:`Medcite` owns the settings, the store and the indexes of one home directory.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from medcite.answer.extractive import ExtractiveEngine
from medcite.answer.model import Answer, Audience
from medcite.errors import EmptyStoreError, InvalidRequestError
from medcite.index.lexical import LexicalIndex
from medcite.ingest.pipeline import Ingestor, IngestReport, ProgressFn
from medcite.models import Hit
from medcite.retrieve.search import Searcher
from medcite.settings import Settings, load_settings
from medcite.store.sqlite import SQLiteStore

MAX_QUESTION_CHARS = 2000


class Medcite:
    """One medcite installation: settings, store and indexes under ``settings.home``."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.store = SQLiteStore(settings.home)
        self.lexical = LexicalIndex(settings.home)
        self._searcher: Searcher | None = None
        self._engine: ExtractiveEngine | None = None

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
        """Bring derived indexes up to date with the store (after a crash, or an ingest)."""
        return self.lexical.sync(self.store)

    def ingest(
        self, paths: Iterable[Path], force: bool = False, progress: ProgressFn | None = None
    ) -> IngestReport:
        ingestor = Ingestor(
            self.store, self.sync_indexes, self.settings.ingest.batch_size,
            self.settings.ingest.passage_chars,
        )
        return ingestor.ingest(paths, force=force, progress=progress)

    # -- search ----------------------------------------------------------------------

    @property
    def searcher(self) -> Searcher:
        if self._searcher is None:
            self.require_documents()
            self.sync_indexes()
            self._searcher = Searcher(
                self.store, self.lexical, self.settings.retrieval.lexical_candidates
            )
        return self._searcher

    def require_documents(self) -> None:
        if self.store.document_count() == 0:
            raise EmptyStoreError(
                f"The store at {self.settings.home} holds no documents yet.",
                "Ingest some first: medcite ingest PATH (e.g. ../shared/data/corpus).",
            )

    def search(self, query: str, k: int | None = None) -> list[Hit]:
        return self.searcher.search(query, k or self.settings.retrieval.k)

    # -- answers ---------------------------------------------------------------------

    @property
    def engine(self) -> ExtractiveEngine:
        if self._engine is None:
            self._engine = ExtractiveEngine(self.store, self.searcher, self.lexical)
        return self._engine

    def ask(self, question: str, audience: Audience = "clinician") -> Answer:
        """A cited answer to ``question`` for a clinician or a patient."""
        question = " ".join(question.split())
        if not question:
            raise InvalidRequestError("The question is empty.", "Ask a clinical question.")
        if len(question) > MAX_QUESTION_CHARS:
            raise InvalidRequestError(
                f"The question is {len(question)} characters long; the limit is "
                f"{MAX_QUESTION_CHARS}.", "Shorten it to the clinical question itself.")
        return self.engine.answer(question, audience)

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
        }
