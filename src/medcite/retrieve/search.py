"""Hybrid search: lexical and dense candidates fused, weighted by evidence level and age,
collapsed to one passage per document.

1. The question is understood (type, core, comparison) and expanded (synonyms,
   brand/generic names, abbreviations) from the store's vocabularies.
2. BM25 fetches passages for the core plus weighted expansions; the embedder fetches the
   passages nearest to the whole question.
3. Each side's passages are ranked by document (a document ranks by its best passage);
   the two document rankings are fused (``retrieve/fuse.py``), then multiplied by the
   evidence factor (``retrieve/evidence.py``).
4. A document is represented by its best passage: the one ranked highest by either side.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from medcite.errors import InvalidRequestError
from medcite.index.dense import DenseIndex, doc_of
from medcite.index.lexical import LexicalIndex, query_text
from medcite.models import Hit
from medcite.retrieve.evidence import evidence_factor
from medcite.retrieve.expand import drugs_named, expand
from medcite.retrieve.fuse import linear, rrf
from medcite.retrieve.query import QueryInfo, understand
from medcite.settings import RetrievalSettings
from medcite.store.sqlite import SQLiteStore
from medcite.text.terms import index_terms, stem_set

INTENT_TERMS: dict[str, tuple[str, ...]] = {
    "management": ("treatment", "therapy", "management", "recommended", "first-line"),
    "dosing": ("dose", "dosing", "mg", "daily"),
    "screening": ("screening", "recommends", "interval"),
}
"""Words of the kind of answer a question type asks for: they lift (at the expansion
weight) passages that match the question, since a passage that recommends a treatment
often never says "treated", which is how the question asks; alone they find nothing."""


@dataclass(frozen=True, slots=True)
class ScoredPassage:
    """A passage scored for a query."""

    passage_id: str
    doc_id: str
    score: float


@dataclass
class Candidates:
    """What each retriever returned for one query, before fusion (kept for tuning)."""

    lexical: list[ScoredPassage]
    dense: list[ScoredPassage]
    meta: dict[str, dict[str, Any]]


def collapse(passages: Sequence[ScoredPassage]) -> list[ScoredPassage]:
    """The best passage of each document, best documents first."""
    best: dict[str, ScoredPassage] = {}
    for p in passages:
        if p.doc_id not in best or p.score > best[p.doc_id].score:
            best[p.doc_id] = p
    return sorted(best.values(), key=lambda p: (-p.score, p.doc_id))


def fuse(cands: Candidates, qtype: str, settings: RetrievalSettings, patient: bool = False,
         now_year: int | None = None) -> list[ScoredPassage]:
    """Documents ranked by fused relevance times their evidence factor, each with its best
    passage."""
    lex_docs, dense_docs = collapse(cands.lexical), collapse(cands.dense)
    weights = {"lexical": settings.lexical_weight, "dense": settings.dense_weight}
    if settings.fusion == "rrf":
        scores = rrf({"lexical": [p.doc_id for p in lex_docs],
                      "dense": [p.doc_id for p in dense_docs]}, weights, settings.rrf_k)
    else:
        scores = linear({"lexical": [(p.doc_id, p.score) for p in lex_docs],
                         "dense": [(p.doc_id, p.score) for p in dense_docs]}, weights)
    year = now_year or datetime.now(UTC).year
    representative: dict[str, ScoredPassage] = {}
    for p in (*lex_docs, *dense_docs):  # lexical first: its best passage wins ties
        representative.setdefault(p.doc_id, p)
    ranked = []
    for doc_id, score in scores.items():
        info = cands.meta.get(doc_id)
        if info is None:  # deleted since the index was read
            continue
        factor = evidence_factor(info.get("evidence_level"), info.get("year"), qtype,
                                 settings.evidence_weight, settings.recency_weight, year, patient)
        ranked.append(replace(representative[doc_id], score=score * factor))
    return sorted(ranked, key=lambda p: (-p.score, p.doc_id))


class Searcher:
    """Lexical + dense passage search over the store."""

    def __init__(self, store: SQLiteStore, lexical: LexicalIndex, dense: DenseIndex | None,
                 settings: RetrievalSettings) -> None:
        self.store = store
        self.lexical = lexical
        self.dense = dense
        self.settings = settings

    def understand(self, question: str) -> QueryInfo:
        """The question's type and core, with vocabulary expansions attached."""
        info = understand(question)
        found = expand(self.store, question, self.lexical.share)
        named = expand(self.store, question, self.lexical.share, common=True)
        have = stem_set(info.core)
        intent = tuple(w for w in INTENT_TERMS.get(info.type, ()) if not stem_set(w) <= have)
        return replace(info, expansions=tuple(a for e in found for a in e.alternatives),
                       intent=intent, synonyms=tuple((e.phrase, e.alternatives) for e in named),
                       drugs=drugs_named(self.store, question))

    def candidates(self, info: QueryInfo, kinds: Sequence[str] | None = None,
                   depth: int = 1) -> Candidates:
        """Passages from both retrievers, with the metadata of their documents."""
        s = self.settings
        lexical = [ScoredPassage(h.passage_id, h.doc_id, h.score) for h in self.lexical.search(
            info.core, s.lexical_candidates * depth, kinds, info.expansions, s.expansion_weight,
            info.intent)]
        dense: list[ScoredPassage] = []
        if self.dense is not None and s.dense_weight > 0:
            wanted = s.dense_candidates * depth * (4 if kinds else 1)
            dense = [ScoredPassage(pid, doc_of(pid), score)
                     for pid, score in self.dense.search(info.text, wanted)]
        meta = self.store.document_meta({p.doc_id for p in (*lexical, *dense)})
        if kinds:
            dense = [p for p in dense if meta.get(p.doc_id, {}).get("kind") in kinds]
        return Candidates(lexical, dense, meta)

    def ranked(self, info: QueryInfo, k: int = 10, kinds: Sequence[str] | None = None,
               patient: bool = False) -> tuple[list[ScoredPassage], Candidates]:
        cands = self.candidates(info, kinds)
        return fuse(cands, info.type, self.settings, patient)[:k], cands

    def search(self, question: str, k: int = 10, kinds: Sequence[str] | None = None) -> list[Hit]:
        """The best passage of each of the ``k`` best documents for ``question``; a query
        with no word to search for is an :class:`InvalidRequestError` (the dense side
        would otherwise return arbitrary passages)."""
        require_terms(question)
        ranked, cands = self.ranked(self.understand(question), k, kinds)
        return self.hits(ranked, cands.meta)

    def ranked_passages(self, info: QueryInfo, docs: int = 20,
                        per_kind: dict[str, int] | None = None, per_doc: int = 2,
                        per_doc_kind: dict[str, int] | None = None, patient: bool = False
                        ) -> list[tuple[ScoredPassage, int]]:
        """Passages of the best documents of one ranking, with the document's rank
        (0-based): the ``docs`` best documents, then the best documents of each kind in
        ``per_kind`` (e.g. ``{"guideline": 5}``) not already taken. Up to ``per_doc``
        passages a document (``per_doc_kind`` overrides by kind), in the order either
        retriever ranked them."""
        cands = self.candidates(info)
        ranked = fuse(cands, info.type, self.settings, patient)
        chosen = ranked[:docs]
        taken = {p.doc_id for p in chosen}
        for kind, n in (per_kind or {}).items():
            of_kind = [p for p in ranked
                       if cands.meta[p.doc_id]["kind"] == kind and p.doc_id not in taken][:n]
            chosen.extend(of_kind)
            taken.update(p.doc_id for p in of_kind)
        position = {p.doc_id: i for i, p in enumerate(ranked)}
        rank = {p.doc_id: position[p.doc_id] for p in chosen}
        score = {p.doc_id: p.score for p in chosen}
        order: dict[str, list[str]] = {p.doc_id: [] for p in chosen}
        for lex, den in _interleave(cands.lexical, cands.dense):
            for p in (lex, den):
                if p is not None and p.doc_id in order and p.passage_id not in order[p.doc_id]:
                    order[p.doc_id].append(p.passage_id)
        limits = per_doc_kind or {}
        result: list[tuple[ScoredPassage, int]] = []
        for doc, pids in order.items():
            n = limits.get(cands.meta[doc]["kind"], per_doc)
            result.extend((ScoredPassage(pid, doc, score[doc]), rank[doc]) for pid in pids[:n])
        return result

    def hits(self, ranked: list[ScoredPassage], meta: dict[str, dict[str, Any]]) -> list[Hit]:
        """Attach titles, kinds and passage text to ranked passages."""
        passages = self.store.get_passages(p.passage_id for p in ranked)
        hits: list[Hit] = []
        for p in ranked:
            info, passage = meta.get(p.doc_id), passages.get(p.passage_id)
            if info is None or passage is None:  # deleted since the index was read
                continue
            hits.append(Hit(
                rank=len(hits) + 1, doc_id=p.doc_id, passage_id=p.passage_id,
                score=round(p.score, 6), kind=info["kind"], title=info["title"],
                section=passage.section, text=passage.text, year=info["year"],
                evidence_level=info["evidence_level"],
            ))
        return hits


def require_terms(query: str) -> None:
    """Refuse a query that is empty or holds only stop words ("the of", "is not")."""
    example = "Example: 'statins for stroke'."
    words = query_text(query)
    if not words:
        what = f"{query.strip()!r} has no words" if query.strip() else "is empty"
        raise InvalidRequestError(f"The search query {what}.",
                                  f"Give words to search for. {example}")
    if not index_terms(words):
        raise InvalidRequestError(
            f"The search query {query.strip()!r} holds only common words (like 'the', 'of', "
            "'is', 'not') that are not searched.", f"Add the terms to look for. {example}")


def _interleave(a: list[ScoredPassage], b: list[ScoredPassage]
                ) -> list[tuple[ScoredPassage | None, ScoredPassage | None]]:
    n = max(len(a), len(b))
    return [(a[i] if i < len(a) else None, b[i] if i < len(b) else None) for i in range(n)]
