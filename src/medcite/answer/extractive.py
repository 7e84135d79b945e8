"""The offline extractive engine: an answer made only of sentences that exist in the
retrieved passages, so it cannot state what no source says.

Sentences are scored by how much of the question they cover (idf-weighted), how well
their passage matched, the evidence level of their document and cues for the question's
type; chosen greedily without redundancy; and placed into the reference page's sections.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from medcite.answer.candidates import Candidate, candidates
from medcite.answer.compose import Chosen, compose
from medcite.answer.model import INSUFFICIENT_EVIDENCE, Answer, Audience
from medcite.answer.themes import FALLBACK_THEME, RECOMMENDATION, THEMES, TYPE_CUES, theme_for
from medcite.answer.verify import verify_answer
from medcite.index.lexical import LexicalIndex
from medcite.retrieve.query import QueryInfo, understand
from medcite.retrieve.search import ScoredPassage, Searcher
from medcite.store.sqlite import SQLiteStore
from medcite.text.terms import stems

EVIDENCE_WEIGHT: dict[str, float] = {
    "guideline": 1.3, "systematic_review": 1.2, "rct": 1.12, "observational": 1.0,
    "narrative_review": 0.97, "other": 0.95, "case_report": 0.85, "consumer": 0.9,
}
PATIENT_EVIDENCE_WEIGHT = {**EVIDENCE_WEIGHT, "consumer": 1.4}

MIN_COVERAGE = 0.6
"""Below this share of the question's (idf-weighted) terms in the best passage (with its
document title), the answer is 'insufficient evidence'."""
MIN_RELEVANCE = 0.45
"""A sentence is eligible when its relevance (own coverage, lifted by its passage's) is
at least this and it shares at least one question term."""

MAX_GUIDELINE_SENTENCES = 5
MAX_RESEARCH_SENTENCES = 9
MAX_PER_THEME = 4
MAX_PER_DOCUMENT = 2
REDUNDANCY = 0.55


@dataclass(frozen=True)
class Limits:
    documents: int = 20
    guideline_documents: int = 5
    passages_per_document: int = 2


class ExtractiveEngine:
    """Builds answers from the store's passages; needs no model and no network."""

    name = "extractive"

    def __init__(self, store: SQLiteStore, searcher: Searcher, lexical: LexicalIndex,
                 limits: Limits | None = None) -> None:
        self.store = store
        self.searcher = searcher
        self.lexical = lexical
        self.limits = limits or Limits()

    def answer(self, question: str, audience: Audience = "clinician") -> Answer:
        timings: dict[str, float] = {}
        t0 = time.perf_counter()
        info = understand(question)
        pool = self._retrieve(info, audience)
        timings["retrieve"] = _ms(t0)

        t1 = time.perf_counter()
        passages = self.store.get_passages(c.passage_id for c, _ in pool)
        documents = self.store.document_meta(c.doc_id for c, _ in pool)
        weights = self.lexical.idf(stems(info.core))
        top_score = max((c.score for c, _ in pool), default=1.0) or 1.0
        scored: list[Chosen] = []
        for hit, rank in pool:
            passage = passages.get(hit.passage_id)
            doc = documents.get(hit.doc_id)
            if passage is None or doc is None:
                continue
            context = stems(" ".join((doc.get("title") or "", passage.section, passage.text)))
            pc = _coverage(weights, frozenset(context))
            for cand in candidates(passage):
                scored.append(self._score(cand, info, weights, doc, hit.score / top_score,
                                          rank, audience, pc))
        scored.sort(key=lambda c: -c.score)
        timings["select"] = _ms(t1)

        t2 = time.perf_counter()
        answer = self._compose(question, info, audience, scored, documents, passages)
        dropped = verify_answer(answer)
        if dropped and not answer.all_sentences():
            answer.status = "insufficient_evidence"
        timings["verify"] = _ms(t2)
        timings["total"] = _ms(t0)
        answer.timings_ms = timings
        return answer

    def _retrieve(self, info: QueryInfo, audience: Audience) -> list[tuple[ScoredPassage, int]]:
        text = info.search_text
        lim = self.limits
        pool = self.searcher.passages(text, lim.documents, lim.passages_per_document)
        extra_kinds = ["guideline"] + (["consumer"] if audience == "patient" else [])
        seen = {c.passage_id for c, _ in pool}
        for kind in extra_kinds:
            for hit, rank in self.searcher.passages(text, lim.guideline_documents,
                                                    lim.passages_per_document, [kind]):
                if hit.passage_id not in seen:
                    pool.append((hit, rank))
                    seen.add(hit.passage_id)
        return pool

    def _score(self, cand: Candidate, info: QueryInfo, weights: dict[str, float],
               doc: dict, passage_score: float, rank: int, audience: Audience,
               passage_coverage: float) -> Chosen:
        own = _coverage(weights, cand.terms)
        relevance = max(own, 0.5 * own + 0.5 * passage_coverage) if own > 0 else 0.0
        level = doc.get("evidence_level") or "other"
        table = PATIENT_EVIDENCE_WEIGHT if audience == "patient" else EVIDENCE_WEIGHT
        score = (0.65 * relevance + 0.35 * passage_score) * table.get(level, 1.0)
        score *= 1.0 / (1.0 + 0.03 * rank)
        cue = TYPE_CUES.get(info.type)
        if cue is not None and cue.search(cand.text):
            score *= 1.12
        if doc["kind"] == "guideline" and RECOMMENDATION.search(cand.text):
            score *= 1.1
        if "conclu" in cand.section.lower():
            score *= 1.1
        if cand.anaphoric:
            score *= 0.85
        if cand.objective:
            score *= 0.6
        return Chosen(cand, score, relevance, level, passage_coverage)

    def _compose(self, question: str, info: QueryInfo, audience: Audience,
                 scored: list[Chosen], documents: dict, passages: dict) -> Answer:
        best = max((c.passage_coverage for c in scored), default=0.0)
        relevant = [c for c in scored if c.relevance >= MIN_RELEVANCE]
        if best < MIN_COVERAGE or not relevant:
            return self._insufficient(question, info, audience, scored, documents, passages)

        guideline_pool = [c for c in relevant
                          if documents[c.candidate.doc_id]["kind"] == "guideline"]
        research_pool = [c for c in relevant
                         if documents[c.candidate.doc_id]["kind"] != "guideline"]
        guidelines = pick(guideline_pool, MAX_GUIDELINE_SENTENCES + 1, per_doc=3)
        research = pick(research_pool, MAX_RESEARCH_SENTENCES + 1, per_doc=MAX_PER_DOCUMENT)
        summary: list[Chosen] = []
        if guidelines:
            summary.append(guidelines.pop(0))
        if research and (not summary or research[0].relevance >= MIN_RELEVANCE):
            summary.append(research.pop(0))
        return compose(question, info.type, audience, summary, guidelines,
                       group_by_theme(info.type, research), documents, passages)

    def _insufficient(self, question: str, info: QueryInfo, audience: Audience,
                      scored: list[Chosen], documents: dict, passages: dict) -> Answer:
        found = pick([c for c in scored if c.relevance > 0], 3, per_doc=1)
        answer = compose(question, info.type, audience, [], [], [], documents, passages)
        if found:
            answer = compose(question, info.type, audience, [], [],
                             [("What the indexed evidence does contain", found)],
                             documents, passages, research_kind="found")
        answer.status = "insufficient_evidence"
        weights = self.lexical.idf(stems(info.core))
        covered = set().union(*(c.candidate.terms for c in found)) if found else set()
        answer.missing = [INSUFFICIENT_EVIDENCE] + [
            f"No passage found that addresses '{word}'."
            for word in _missing_words(info.core, weights, covered)
        ]
        return answer


def pick(pool: list[Chosen], limit: int, per_doc: int) -> list[Chosen]:
    """Best-first greedy choice without near-duplicates, at most ``per_doc`` per document."""
    chosen: list[Chosen] = []
    per: dict[str, int] = {}
    for c in pool:
        if len(chosen) >= limit:
            break
        doc = c.candidate.doc_id
        if per.get(doc, 0) >= per_doc:
            continue
        if any(_overlap(c.candidate, o.candidate) > REDUNDANCY for o in chosen):
            continue
        chosen.append(c)
        per[doc] = per.get(doc, 0) + 1
    return chosen


def group_by_theme(qtype: str, chosen: list[Chosen]) -> list[tuple[str, list[Chosen]]]:
    """Research sentences under the question type's themes, in the themes' order."""
    order = [title for title, _ in THEMES.get(qtype, THEMES["general"])] + [FALLBACK_THEME]
    groups: dict[str, list[Chosen]] = {title: [] for title in order}
    for c in chosen:
        theme = theme_for(qtype, c.candidate.text)
        if len(groups[theme]) < MAX_PER_THEME:
            groups[theme].append(c)
    return [(title, groups[title]) for title in order if groups[title]]


def _coverage(weights: dict[str, float], terms: frozenset[str]) -> float:
    """The idf-weighted share of the question's terms found in ``terms``."""
    total = sum(weights.values())
    return sum(w for t, w in weights.items() if t in terms) / total if total else 0.0


def _overlap(a: Candidate, b: Candidate) -> float:
    if not a.terms or not b.terms:
        return 0.0
    return len(a.terms & b.terms) / len(a.terms | b.terms)


def _missing_words(core: str, weights: dict[str, float], covered: set[str]) -> list[str]:
    words = []
    for word in core.split():
        word_stems = stems(word)
        if word_stems and all(s not in covered for s in word_stems):
            words.append(word.strip(",.;:()"))
    return list(dict.fromkeys(w for w in words if w))[:5]


def _ms(start: float) -> float:
    return round((time.perf_counter() - start) * 1000, 2)
