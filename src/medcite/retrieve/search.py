"""Search: candidates from the indexes, collapsed to one passage per document, ranked."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from medcite.index.lexical import LexicalHit, LexicalIndex
from medcite.models import Hit
from medcite.store.sqlite import SQLiteStore


@dataclass(frozen=True, slots=True)
class Candidate:
    """A passage scored for a query, before collapsing to documents."""

    passage_id: str
    doc_id: str
    score: float


def collapse(candidates: Sequence[Candidate | LexicalHit], k: int) -> list[Candidate]:
    """The best-scoring passage of each document, best documents first, at most ``k``."""
    best: dict[str, Candidate] = {}
    for c in candidates:
        current = best.get(c.doc_id)
        if current is None or c.score > current.score:
            best[c.doc_id] = Candidate(c.passage_id, c.doc_id, c.score)
    return sorted(best.values(), key=lambda c: -c.score)[:k]


class Searcher:
    """Lexical passage search over the store's BM25 index."""

    def __init__(self, store: SQLiteStore, lexical: LexicalIndex, candidates: int = 100) -> None:
        self.store = store
        self.lexical = lexical
        self.candidates = candidates

    def search(self, query: str, k: int = 10) -> list[Hit]:
        ranked = collapse(self.lexical.search(query, max(self.candidates, k)), k)
        return self.hits(ranked)

    def hits(self, ranked: list[Candidate]) -> list[Hit]:
        """Attach titles, kinds and passage text to ranked candidates."""
        meta = self.store.document_meta(c.doc_id for c in ranked)
        passages = self.store.get_passages(c.passage_id for c in ranked)
        hits = []
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
