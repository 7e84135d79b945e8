"""The offline extractive engine: an answer made only of sentences that exist in the
retrieved passages, so it cannot state what no source says.

1. Safety first: an emergency gets the emergency notice before the evidence; a question
   that is not medical is declined (``answer/safety.py``).
2. Retrieval (hybrid, ``retrieve/search.py``) of the best documents, plus the best
   guidelines (and consumer texts for patients).
3. Every clean sentence of the retrieved passages is scored: how much of the question it
   covers (idf-weighted, lifted by its passage's coverage), how well its passage matched,
   the evidence level of its document, cues for the question's type, readability for
   patients.
4. Sentences are chosen greedily without near-duplicates and placed into the reference
   page's sections; the verdict sentence, if any, opens the bottom line.
5. Every sentence is then verified against the passages it cites, as for every engine
   (``Medcite.ask`` runs ``answer/verify.py``'s ``publishable``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from medcite.answer.candidates import Candidate, candidates
from medcite.answer.compose import Chosen, compose
from medcite.answer.coverage import QuestionTerms
from medcite.answer.model import DISCLAIMERS, INSUFFICIENT_EVIDENCE, Answer, Audience
from medcite.answer.numbers import facts
from medcite.answer.readability import grade
from medcite.answer.safety import assess
from medcite.answer.themes import (
    FALLBACK_THEME,
    RECOMMENDATION,
    THEMES,
    TREATMENT,
    TYPE_CUES,
    theme_for,
)
from medcite.answer.verdict import Evidence, compare, yes_no
from medcite.index.lexical import LexicalIndex
from medcite.models import Passage
from medcite.retrieve.query import QueryInfo, is_yes_no
from medcite.retrieve.search import ScoredPassage, Searcher
from medcite.store.sqlite import SQLiteStore
from medcite.text.terms import stems

EVIDENCE_WEIGHT: dict[str, float] = {
    "guideline": 1.3, "systematic_review": 1.2, "rct": 1.12, "observational": 1.0,
    "narrative_review": 0.97, "other": 0.95, "case_report": 0.85, "consumer": 0.9,
}
PATIENT_EVIDENCE_WEIGHT = {**EVIDENCE_WEIGHT, "consumer": 1.45}

MIN_COVERAGE = 0.5
"""Below this share of the question's (idf-weighted) terms in the best passage (with its
document title and vocabulary synonyms), the answer is 'insufficient evidence'. Chosen on
the dev sets: at 0.6, 10% of BioASQ yes/no questions whose documents are in the corpus
were declined; at 0.5, 5%."""
MIN_RELEVANCE = 0.45
"""A sentence is eligible when its relevance (own coverage, lifted by its passage's) is
at least this and it shares at least one question term."""
SCOPE_COVERAGE = 0.85
"""A question without a medical term is still in scope if a passage covers this much."""
PATIENT_GRADE = 8.0
"""Flesch-Kincaid grade patient answers aim at; harder sentences are ranked down."""
DOSE_NOTICE = ("Doses are not listed here: take medicines only as prescribed by your "
               "clinician, who knows your situation.")

MAX_GUIDELINE_SENTENCES = 5
MAX_RESEARCH_SENTENCES = 9
MAX_PER_THEME = 4
MAX_PER_DOCUMENT = 2
REDUNDANCY = 0.55
DOSE_UNITS = ("mg", "mcg", "µg", "g", "ml", "iu", "u", "mg/kg", "mg/day", "mg/kg/day", "mg/m2")


@dataclass(frozen=True)
class Limits:
    documents: int = 20
    guideline_documents: int = 5
    passages_per_document: int = 2
    verdict_documents: int = 1


class ExtractiveEngine:
    """Builds answers from the store's passages; needs no model and no network."""

    name = "extractive"

    def __init__(self, store: SQLiteStore, searcher: Searcher, lexical: LexicalIndex,
                 limits: Limits | None = None) -> None:
        self.store = store
        self.searcher = searcher
        self.lexical = lexical
        self.limits = limits or Limits()

    def answer(self, question: str, audience: Audience = "clinician",
               in_thread: bool = False) -> Answer:
        """The answer to ``question``; a follow-up (``in_thread``) continues a thread that
        was in scope, so it is not declined as out of scope."""
        timings: dict[str, float] = {}
        t0 = time.perf_counter()
        safety = assess(question, self.store, self.lexical.share)
        info = self.searcher.understand(question)
        if safety.status == "out_of_scope" and not in_thread and not self._corpus_covers(info):
            answer = Answer(question=question, audience=audience, status="out_of_scope",
                            notice=safety.notice, disclaimer=DISCLAIMERS[audience],
                            engine=self.name)
            answer.timings_ms = {"total": _ms(t0)}
            return answer
        pool = self._retrieve(info, audience)
        timings["retrieve"] = _ms(t0)

        t1 = time.perf_counter()
        passages = self.store.get_passages(c.passage_id for c, _ in pool)
        documents = self.store.document_meta(c.doc_id for c, _ in pool)
        weights = QuestionTerms(info, self.lexical.idf)
        scored = self._score_all(pool, passages, documents, info, weights, audience)
        timings["select"] = _ms(t1)

        t2 = time.perf_counter()
        answer = self._compose(question, info, audience, scored, documents, passages, weights)
        if safety.status == "emergency":
            answer.status, answer.notice = "emergency", safety.notice
        timings["compose"] = _ms(t2)
        timings["total"] = _ms(t0)
        answer.timings_ms = timings
        return answer

    # -- retrieval and scoring --------------------------------------------------------

    def _corpus_covers(self, info: QueryInfo) -> bool:
        """Whether some indexed passage covers nearly all of the question: the corpus is
        medical, so a question it discusses at length is in scope even without a known
        medical term (health policy, injury prevention)."""
        terms = QuestionTerms(info, self.lexical.idf)
        if not terms:
            return False
        hits = self.lexical.search(info.core, 5)
        passages = self.store.get_passages(h.passage_id for h in hits)
        return any(terms.coverage(frozenset(stems(p.text))) >= SCOPE_COVERAGE
                   for p in passages.values())

    def _retrieve(self, info: QueryInfo, audience: Audience) -> list[tuple[ScoredPassage, int]]:
        lim = self.limits
        patient = audience == "patient"
        pool = self.searcher.passages(info, lim.documents, lim.passages_per_document,
                                      patient=patient)
        extra_kinds = ["guideline"] + (["consumer"] if patient else [])
        seen = {c.passage_id for c, _ in pool}
        for kind in extra_kinds:
            for hit, rank in self.searcher.passages(info, lim.guideline_documents,
                                                    lim.passages_per_document, [kind], patient):
                if hit.passage_id not in seen:
                    pool.append((hit, rank))
                    seen.add(hit.passage_id)
        return pool

    def _score_all(self, pool: list[tuple[ScoredPassage, int]], passages: dict[str, Passage],
                   documents: dict[str, dict[str, Any]], info: QueryInfo,
                   weights: QuestionTerms, audience: Audience) -> list[Chosen]:
        top_score = max((c.score for c, _ in pool), default=1.0) or 1.0
        scored: list[Chosen] = []
        for hit, rank in pool:
            passage, doc = passages.get(hit.passage_id), documents.get(hit.doc_id)
            if passage is None or doc is None:
                continue
            context = stems(" ".join((doc.get("title") or "", passage.section, passage.text)))
            pc = weights.coverage(frozenset(context))
            for cand in candidates(passage):
                scored.append(self._score(cand, info, weights, doc, hit.score / top_score,
                                          rank, audience, pc))
        scored.sort(key=lambda c: -c.score)
        return scored

    def _score(self, cand: Candidate, info: QueryInfo, weights: QuestionTerms,
               doc: dict[str, Any], passage_score: float, rank: int, audience: Audience,
               passage_coverage: float) -> Chosen:
        own = weights.coverage(cand.terms)
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
        if cand.narrative:
            score *= 0.75
        if audience == "patient":
            score *= max(0.35, 1.0 - 0.07 * max(0.0, grade(cand.text) - PATIENT_GRADE))
        return Chosen(cand, score, relevance, level, passage_coverage)

    # -- composing --------------------------------------------------------------------

    def _compose(self, question: str, info: QueryInfo, audience: Audience,
                 scored: list[Chosen], documents: dict[str, dict[str, Any]],
                 passages: dict[str, Passage], weights: QuestionTerms) -> Answer:
        best = max((c.passage_coverage for c in scored), default=0.0)
        relevant = [c for c in scored if c.relevance >= MIN_RELEVANCE]
        if best < MIN_COVERAGE or not relevant:
            return self._insufficient(question, info, audience, scored, documents, passages,
                                      weights)
        notice = None
        if audience == "patient":
            dosing = [c for c in relevant if _states_dose(c.candidate.text)]
            if dosing or info.type == "dosing":
                notice = DOSE_NOTICE
            relevant = [c for c in relevant if not _states_dose(c.candidate.text)]

        verdict, carrier, extra = self._verdict(info, relevant, weights)
        guideline_pool = [c for c in relevant
                          if documents[c.candidate.doc_id]["kind"] == "guideline"]
        research_pool = [c for c in relevant
                         if documents[c.candidate.doc_id]["kind"] != "guideline"]
        guidelines = pick(guideline_pool, MAX_GUIDELINE_SENTENCES + 1, per_doc=3)
        research = pick(research_pool, MAX_RESEARCH_SENTENCES + 1, per_doc=MAX_PER_DOCUMENT)
        summary: list[Chosen] = []
        if carrier is not None:
            summary.append(carrier)
        if guidelines and not _near(guidelines[0], summary):
            summary.append(guidelines.pop(0))
        if len(summary) < 2 and research and not _near(research[0], summary):
            summary.append(research.pop(0))
        guidelines = [c for c in guidelines if not _near(c, summary)]
        research = [c for c in research if not _near(c, summary)]
        documents_for = documents | self.store.document_meta(
            c.candidate.doc_id for c in summary)
        answer = compose(question, info.type, audience, summary, guidelines,
                         group_by_theme(info.type, research), documents_for, passages | extra)
        answer.verdict = verdict  # type: ignore[assignment]
        answer.verdict_sentence = answer.summary[0] if carrier is not None else None
        answer.notice = notice
        answer.missing = self._missing(info, summary + guidelines + research)
        return answer

    def _verdict(self, info: QueryInfo, relevant: list[Chosen], weights: QuestionTerms
                 ) -> tuple[str | None, Chosen | None, dict[str, Passage]]:
        """The verdict, the chosen sentence that carries it (or no verdict), and the
        passages read beyond the retrieved ones."""
        extra: dict[str, Passage] = {}
        if info.comparison is not None:
            pool, extra = self._verdict_pool(relevant, weights)
            evidence = [Evidence(c.candidate.text, c.candidate.section, c.relevance, c)
                        for c in pool]
            decision = compare(info.comparison, evidence)
        elif is_yes_no(info.text):
            top_docs = list(dict.fromkeys(c.candidate.doc_id for c in relevant))[:3]
            rank = {d: i for i, d in enumerate(top_docs)}
            evidence = [Evidence(c.candidate.text, c.candidate.section,
                                 c.relevance / (1 + rank[c.candidate.doc_id]), c)
                        for c in relevant
                        if c.candidate.doc_id in rank and not c.candidate.objective][:12]
            decision = yes_no(info.text, evidence)
        else:
            return None, None, extra
        if decision.verdict is None or decision.evidence is None:
            return None, None, extra
        carrier = decision.evidence.key
        return decision.verdict, carrier if isinstance(carrier, Chosen) else None, extra

    def _verdict_pool(self, relevant: list[Chosen], weights: QuestionTerms
                      ) -> tuple[list[Chosen], dict[str, Passage]]:
        """Every sentence of the top documents (full texts included): the finding of a
        trial is often in its results, not in the passage that matched best."""
        top_docs = list(dict.fromkeys(c.candidate.doc_id for c in relevant))
        top_docs = top_docs[:self.limits.verdict_documents]
        meta = self.store.document_meta(top_docs)
        pool = [c for c in relevant if c.candidate.doc_id in top_docs]
        seen = {c.candidate.text for c in pool}
        read: dict[str, Passage] = {}
        for rank, (doc_id, items) in enumerate(self.store.passages_for_docs(top_docs).items()):
            level = meta.get(doc_id, {}).get("evidence_level") or "other"
            for passage in items:
                read[passage.id] = passage
                for cand in candidates(passage):
                    if cand.text not in seen:
                        seen.add(cand.text)
                        own = weights.coverage(cand.terms)
                        pool.append(Chosen(cand, own / (1 + rank), own / (1 + rank), level))
        return pool, read

    def _missing(self, info: QueryInfo, chosen: list[Chosen]) -> list[str]:
        """What the chosen evidence does not cover, said plainly."""
        missing = []
        text = " ".join(c.candidate.text for c in chosen)
        if info.type in ("management", "dosing") and not TREATMENT.search(text):
            missing.append(f"No indexed passage describes treatment of {info.core}.")
        if info.type == "dosing" and not any(_states_dose(c.candidate.text) for c in chosen):
            missing.append(f"No indexed passage states a dose for {info.core}.")
        return missing

    def _insufficient(self, question: str, info: QueryInfo, audience: Audience,
                      scored: list[Chosen], documents: dict[str, dict[str, Any]],
                      passages: dict[str, Passage], weights: QuestionTerms) -> Answer:
        found = pick([c for c in scored if c.relevance > 0], 3, per_doc=1)
        sections = [("What the indexed evidence does contain", found)] if found else []
        answer = compose(question, info.type, audience, [], [], sections, documents, passages,
                         research_kind="found")
        answer.status = "insufficient_evidence"
        covered = set().union(*(c.candidate.terms for c in found)) if found else set()
        answer.missing = [INSUFFICIENT_EVIDENCE] + [
            f"No passage found that addresses '{word}'."
            for word in _missing_words(info.core, covered)
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
        if per.get(doc, 0) >= per_doc or _near(c, chosen):
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


def _near(c: Chosen, others: list[Chosen]) -> bool:
    return any(c.candidate.text == o.candidate.text
               or _overlap(c.candidate, o.candidate) > REDUNDANCY for o in others)


def _states_dose(text: str) -> bool:
    return any(f.kind == "quantity" and f.value.split(" ")[-1] in DOSE_UNITS
               for f in facts(text))


def _overlap(a: Candidate, b: Candidate) -> float:
    if not a.terms or not b.terms:
        return 0.0
    return len(a.terms & b.terms) / len(a.terms | b.terms)


def _missing_words(core: str, covered: set[str]) -> list[str]:
    words = []
    for word in core.split():
        word_stems = stems(word)
        if word_stems and all(s not in covered for s in word_stems):
            words.append(word.strip(",.;:()"))
    return list(dict.fromkeys(w for w in words if w))[:5]


def _ms(start: float) -> float:
    return round((time.perf_counter() - start) * 1000, 2)
