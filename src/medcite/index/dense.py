"""Dense passage retrieval kept in step with the store, like the BM25 index.

Vectors live in ``<home>/vectors`` and remember (in their manifest) the store change
sequence they reflect and the model that made them. Syncing embeds the passages of
changed documents in batches, saving a checkpoint every few thousand passages, so an
interrupted embedding resumes where it stopped; a new model means a rebuild.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from medcite.index.embedder import Embedder
from medcite.index.vectors import VectorIndex
from medcite.store.sqlite import SQLiteStore

SEQ_KEY = "seq"
CHECKPOINT_PASSAGES = 4000
CHANGES_PER_ROUND = 500
"""Documents embedded between checkpoints of the sequence number."""
EMBED_BATCH = 64

ProgressFn = Callable[[int, int], None]
"""Called with (passages embedded so far, passages to embed in total)."""


def doc_of(passage_id: str) -> str:
    return passage_id.rsplit("#", 1)[0]


class DenseIndex:
    """An embedder plus a vector index over the passages of the chosen parts."""

    def __init__(self, home: Path, embedder: Embedder, parts: Sequence[str] = ("text",),
                 exact_threshold: int = 50_000) -> None:
        self.embedder = embedder
        self.parts = tuple(parts)
        self.vectors = VectorIndex.open(home / "vectors", embedder.dim, embedder.name,
                                        exact_threshold=exact_threshold)
        if not self.vectors.compatible:  # another model made them: start afresh
            self.vectors.clear()
        self._by_doc: dict[str, list[str]] | None = None

    @property
    def seq(self) -> int:
        return int(self.vectors.meta.get(SEQ_KEY, 0))

    def pending(self, store: SQLiteStore) -> int:
        return store.last_change() - self.seq

    def to_embed(self, store: SQLiteStore) -> int:
        """Passages that a sync would embed now."""
        return store.passages_changed_after(self.seq, self.parts)

    def sync(self, store: SQLiteStore, progress: ProgressFn | None = None) -> int:
        """Embed what changed since the last sync; returns passages embedded."""
        total = self.to_embed(store) if progress else 0
        done = since_save = 0
        seq = self.seq
        while True:
            changed = store.changed_documents(seq, CHANGES_PER_ROUND)
            if not changed:
                break
            doc_ids = [doc for doc, _ in changed]
            self._remove_docs(doc_ids)
            passages = [p for items in store.passages_for_docs(doc_ids).values()
                        for p in items if p.part in self.parts]
            for i in range(0, len(passages), EMBED_BATCH):
                batch = passages[i:i + EMBED_BATCH]
                vectors = self.embedder.embed([p.text for p in batch], "passage")
                self.vectors.add([p.id for p in batch], vectors)
                self._remember([p.id for p in batch])
                done += len(batch)
                since_save += len(batch)
                if progress:
                    progress(done, total)
            seq = changed[-1][1]
            self.vectors.meta[SEQ_KEY] = seq
            if since_save >= CHECKPOINT_PASSAGES:
                self.vectors.save()
                since_save = 0
        self.vectors.save()
        return done

    def search(self, text: str, k: int = 100) -> list[tuple[str, float]]:
        """``(passage_id, cosine)`` of the passages nearest to ``text``, best first."""
        if len(self.vectors) == 0:
            return []
        query = self.embedder.embed([text], "query")[0]
        return self.vectors.search(query, k)

    def rebuild(self, store: SQLiteStore, progress: ProgressFn | None = None) -> int:
        """Embed every passage again (after a change of model or of parts)."""
        self.vectors.clear()
        self._by_doc = None
        return self.sync(store, progress)

    def _index_by_doc(self) -> dict[str, list[str]]:
        if self._by_doc is None:
            by_doc: dict[str, list[str]] = {}
            for pid in self.vectors.ids():
                by_doc.setdefault(doc_of(pid), []).append(pid)
            self._by_doc = by_doc
        return self._by_doc

    def _remove_docs(self, doc_ids: list[str]) -> None:
        by_doc = self._index_by_doc()
        stale = [pid for doc in doc_ids for pid in by_doc.pop(doc, [])]
        if stale:
            self.vectors.remove(stale)

    def _remember(self, passage_ids: list[str]) -> None:
        by_doc = self._index_by_doc()
        for pid in passage_ids:
            by_doc.setdefault(doc_of(pid), []).append(pid)

