"""The evidence a writer works from: numbered passages with their document's metadata and
evidence level, built once per question from one ranked retrieval.

Writers never search: they receive an :class:`Evidence` and cite its passages by number
(``[n]`` is :attr:`EvidencePassage.n`). The pipeline maps those numbers to the answer's
references (numbered by document, in order of first use).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from medcite.answer.audience import Audience, AudiencePolicy, policy
from medcite.answer.coverage import QuestionTerms
from medcite.models import Passage
from medcite.retrieve.query import QueryInfo, populations
from medcite.retrieve.search import ScoredPassage, Searcher
from medcite.store.sqlite import SQLiteStore
from medcite.text.terms import stems


@dataclass(frozen=True)
class EvidencePassage:
    """One numbered passage of the evidence."""

    n: int
    passage: Passage
    doc: dict[str, Any]
    rank: int
    """Rank of its document in the retrieval (0-based); background passages rank after."""
    score: float
    """Its document's fused retrieval score, relative to the best document (0..1]."""
    coverage: float = 0.0
    """Share of the question's (idf-weighted) terms in the passage with its title."""

    @property
    def doc_id(self) -> str:
        return self.passage.doc_id

    @property
    def kind(self) -> str:
        return str(self.doc["kind"])

    @property
    def level(self) -> str:
        return str(self.doc.get("evidence_level") or "other")

    @property
    def text(self) -> str:
        return self.passage.text


@dataclass
class Evidence:
    """The question, what was understood of it, and the passages that bear on it."""

    question: str
    info: QueryInfo
    audience: Audience
    terms: QuestionTerms
    passages: list[EvidencePassage]
    """Retrieved passages, best document first."""
    background: list[EvidencePassage] = field(default_factory=list)
    """Further passages of the top documents (a trial's results for a comparison), read
    for a verdict but not ranked by retrieval."""

    def __post_init__(self) -> None:
        self._by_n = {p.n: p for p in (*self.passages, *self.background)}

    def get(self, n: int) -> EvidencePassage | None:
        return self._by_n.get(n)

    @property
    def policy(self) -> AudiencePolicy:
        return policy(self.audience)

    def all(self) -> list[EvidencePassage]:
        return [*self.passages, *self.background]

    @property
    def best_coverage(self) -> float:
        return max((p.coverage for p in self.passages), default=0.0)


@dataclass(frozen=True)
class EvidenceLimits:
    """How much of the ranking becomes evidence."""

    documents: int = 20
    """Best documents of the ranking, whatever their kind."""
    guideline_documents: int = 5
    """Best guideline documents of the same ranking, added if not among the above."""
    consumer_documents: int = 5
    """Best consumer texts of the same ranking (for audiences whose policy wants them)."""
    passages_per_document: int = 2
    passages_per_guideline: int = 3
    """Guideline sections put their recommendation anywhere: read more of them."""
    verdict_documents: int = 1
    """For comparisons, every passage of this many top documents is read (background)."""
    population_passages: int = 1
    """Sections of each retrieved guideline written for the population a question names."""


def gather(searcher: Searcher, store: SQLiteStore, info: QueryInfo, terms: QuestionTerms,
           audience: Audience, limits: EvidenceLimits | None = None) -> Evidence:
    """The evidence for one question: one ranked retrieval, from which the best documents,
    the best guidelines (and consumer texts for patients) are taken."""
    lim = limits or EvidenceLimits()
    consumer = policy(audience).consumer_sources
    per_kind = {"guideline": lim.guideline_documents}
    if consumer:
        per_kind["consumer"] = lim.consumer_documents
    ranked = searcher.ranked_passages(
        info, lim.documents, per_kind, lim.passages_per_document,
        {"guideline": lim.passages_per_guideline}, consumer)
    ranked += _population_sections(store, info, ranked, lim.population_passages)
    passages = store.get_passages(sp.passage_id for sp, _ in ranked)
    documents = store.document_meta({sp.doc_id for sp, _ in ranked})
    top = max((sp.score for sp, _ in ranked), default=1.0) or 1.0
    items: list[EvidencePassage] = []
    for sp, rank in ranked:
        passage, doc = passages.get(sp.passage_id), documents.get(sp.doc_id)
        if passage is None or doc is None:  # deleted since the index was read
            continue
        items.append(EvidencePassage(len(items) + 1, passage, doc, rank, sp.score / top,
                                     _coverage(terms, doc, passage)))
    items += _titles(items)
    background: list[EvidencePassage] = []
    if info.comparison is not None and items:
        background = _background(store, items, lim.verdict_documents, terms)
    return Evidence(info.text, info, audience, terms, items, background)


FINDING_TITLE = re.compile(
    r"(?<![-/])\b(?:is|are|was|were|cause[sd]?|lead(?:s)? to|results? in|associated with|"
    r"reduce[sd]?|increase[sd]?|improve[sd]?|induce[sd]?|inhibit(?:s|ed)?|promote[sd]?|regulate[sd]?|"
    r"mediate[sd]?|predict(?:s|ed)?|prevent(?:s|ed)?|protect(?:s|ed)?|confer(?:s|red)?|"
    r"reveal(?:s|ed)?|show(?:s|ed)?|suggest(?:s|ed)?|identif(?:y|ies|ied)|link(?:s|ed)? to|"
    r"target(?:s|ed)?|block(?:s|ed)?|activate[sd]?|enhance[sd]?|impair(?:s|ed)?|"
    r"underlie[sd]?|drive[sd]?|contribute[sd]? to|require[sd]?|define[sd]?)\b", re.I)
"""A verb that makes a research title a statement of its finding ("Biallelic variants in X
cause Y"), not a topic ("X in Y: a cohort study")."""
DESIGN_SUBTITLE = re.compile(
    r"[:.]\s+(?:a|an|the)?\s*[^:.]*\b(?:study|trial|review|analysis|meta-analysis|report|"
    r"series|survey|experience|protocol|cohort|audit)\.?$", re.I)
"""The subtitle that names a design (": a double-blind, placebo-controlled study"): the
title before it states a topic unless it has a finding verb of its own."""
TITLE_WORDS = (6, 40)
TITLE_SECTION = "Title"


def _titles(items: list[EvidencePassage]) -> list[EvidencePassage]:
    """A research article's title that states its finding, as one more passage of its
    document: it is often the one sentence that answers ("... cause intellectual
    disability, epilepsy and hearing loss"). Cited, it is shown as the passage it is."""
    out: list[EvidencePassage] = []
    seen: set[str] = set()
    for item in items:
        title = " ".join(str(item.doc.get("title") or "").split())
        if item.doc_id in seen or item.kind in ("guideline", "consumer") or not title:
            continue
        seen.add(item.doc_id)
        if title.endswith("?") or not TITLE_WORDS[0] <= len(title.split()) <= TITLE_WORDS[1] \
                or not FINDING_TITLE.search(DESIGN_SUBTITLE.sub("", title)):
            continue
        text = title if title.endswith((".", "!")) else title + "."
        passage = Passage(id=f"{item.doc_id}#title", doc_id=item.doc_id, part="text", n=0,
                          section=TITLE_SECTION, text=text, start=0, end=len(text))
        out.append(EvidencePassage(len(items) + len(out) + 1, passage, item.doc, item.rank,
                                   item.score, item.coverage))
    return out


def _population_sections(store: SQLiteStore, info: QueryInfo,
                         ranked: list[tuple[ScoredPassage, int]], limit: int
                         ) -> list[tuple[ScoredPassage, int]]:
    """For a question naming a population (pregnancy, children, CKD...), the sections of
    the retrieved guidelines written for it ("Special Populations / Pregnancy"), which
    rarely repeat the condition the question names and so rank low on their own."""
    groups = populations(info.text)
    if not groups or limit <= 0:
        return []
    taken = {sp.passage_id for sp, _ in ranked}
    first: dict[str, tuple[ScoredPassage, int]] = {}
    for sp, rank in ranked:
        first.setdefault(sp.doc_id, (sp, rank))
    meta = store.document_meta(first)
    added: list[tuple[ScoredPassage, int]] = []
    for doc_id, (sp, rank) in first.items():
        if meta.get(doc_id, {}).get("kind") != "guideline":
            continue
        found = [p for p in store.passages_of(doc_id) if p.id not in taken
                 and all(g.search(f"{p.section} {p.text}") for g in groups)][:limit]
        added.extend((ScoredPassage(p.id, doc_id, sp.score), rank) for p in found)
    return added


def _background(store: SQLiteStore, items: list[EvidencePassage], n_docs: int,
                terms: QuestionTerms) -> list[EvidencePassage]:
    top_docs = list(dict.fromkeys(p.doc_id for p in items))[:n_docs]
    seen = {p.passage.id for p in items}
    meta = {p.doc_id: p for p in items}
    extra: list[EvidencePassage] = []
    n = len(items)
    for doc_id, doc_passages in store.passages_for_docs(top_docs).items():
        first = meta[doc_id]
        for passage in doc_passages:
            if passage.id in seen:
                continue
            n += 1
            extra.append(EvidencePassage(n, passage, first.doc, first.rank, first.score,
                                         _coverage(terms, first.doc, passage)))
    return extra


def _coverage(terms: QuestionTerms, doc: dict[str, Any], passage: Passage) -> float:
    context = stems(" ".join((doc.get("title") or "", passage.section, passage.text)))
    return terms.coverage(frozenset(context))


def evidence_from(question: str, info: QueryInfo, audience: Audience, terms: QuestionTerms,
                  items: Iterable[tuple[Passage, dict[str, Any]]]) -> Evidence:
    """Evidence from given passages (tests, `medcite verify`, writers run on fixed data)."""
    built = [EvidencePassage(i, passage, doc, i - 1, 1.0, _coverage(terms, doc, passage))
             for i, (passage, doc) in enumerate(items, start=1)]
    return Evidence(question, info, audience, terms, built)
