"""Search: candidates from the indexes, collapsed to one passage per document, ranked."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from medcite.index.lexical import LexicalHit, LexicalIndex
from medcite.models import Hit
from medcite.store.sqlite import SQLiteStore


@dataclass(frozen=True, slots=True)
class ScoredPassage:
    """A passage scored for a query, before collapsing to documents."""

    passage_id: str
    doc_id: str
    score: float


def collapse(candidates: Sequence[ScoredPassage | LexicalHit], k: int) -> list[ScoredPassage]:
    """The best-scoring passage of each document, best documents first, at most ``k``."""
    best: dict[str, ScoredPassage] = {}
    for c in candidates:
        current = best.get(c.doc_id)
        if current is None or c.score > current.score:
            best[c.doc_id] = ScoredPassage(c.passage_id, c.doc_id, c.score)
    return sorted(best.values(), key=lambda c: -c.score)[:k]


class Searcher:
    """Lexical passage search over the store's BM25 index."""

    def __init__(self, store: SQLiteStore, lexical: LexicalIndex, candidates: int = 100) -> None:
        self.store = store
        self.lexical = lexical
        self.candidates = candidates

    def search(self, query: str, k: int = 10, kinds: Sequence[str] | None = None) -> list[Hit]:
        return self.hits(self.ranked(query, k, kinds))

    def ranked(
        self, query: str, k: int = 10, kinds: Sequence[str] | None = None
    ) -> list[ScoredPassage]:
        """The best passage of each of the ``k`` best documents."""
        return collapse(self.lexical.search(query, max(self.candidates, k), kinds), k)

    def passages(
        self, query: str, docs: int = 20, per_doc: int = 2, kinds: Sequence[str] | None = None
    ) -> list[tuple[ScoredPassage, int]]:
        """Up to ``per_doc`` best passages of each of the ``docs`` best documents, with the
        document's rank (0-based), for building answers."""
        ranked = self.ranked(query, docs, kinds)
        rank = {c.doc_id: i for i, c in enumerate(ranked)}
        taken: dict[str, int] = {}
        chosen: list[tuple[ScoredPassage, int]] = []
        for hit in self.lexical.search(query, max(self.candidates, docs * 5), kinds):
            if hit.doc_id in rank and taken.get(hit.doc_id, 0) < per_doc:
                taken[hit.doc_id] = taken.get(hit.doc_id, 0) + 1
                chosen.append((ScoredPassage(hit.passage_id, hit.doc_id, hit.score),
                               rank[hit.doc_id]))
        return chosen

    def hits(self, ranked: list[ScoredPassage]) -> list[Hit]:
        """Attach titles, kinds and passage text to ranked candidates."""
        meta = self.store.document_meta(c.doc_id for c in ranked)
        passages = self.store.get_passages(c.passage_id for c in ranked)
        hits: list[Hit] = []
        for c in ranked:
            info, passage = meta.get(c.doc_id), passages.get(c.passage_id)
            if info is None or passage is None:  # deleted since the index was read
                continue
            hits.append(Hit(
                rank=len(hits) + 1, doc_id=c.doc_id, passage_id=c.passage_id,
                score=round(c.score, 6), kind=info["kind"], title=info["title"],
                section=passage.section, text=passage.text, year=info["year"],
                evidence_level=info["evidence_level"],
            ))
        return hits
