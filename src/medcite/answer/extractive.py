"""The offline extractive writer: an answer made only of sentences that exist in the
evidence, so it cannot state what no source says.

1. Every clean sentence (and every list of short items) of the evidence passages is a
   candidate (``answer/candidates.py``).
2. Each is scored: how much of the question it covers (idf-weighted, lifted by its
   passage's coverage), how well its passage was retrieved, the evidence level of its
   document, and how well it fills the *slot* the question type asks for
   (``answer/slots.py``: the recommendation for treatment questions, the dose statement
   for dosing, who/when/how often for screening, what X is for definitions).
3. The bottom line is built from the slot: the verdict sentence first (yes/no and
   comparisons; for a population asked about, only from sentences about it), then the
   sentences that fill the slot, those naming the question's focus, a choice's options or
   the question's side of a contrary pair ranking up. No bottom line or section opens
   with a sentence that points back ("This", "However") to one that is not there, and no
   bottom line with a flowchart's fragment or a sentence about the other side of a
   contrary pair (MRSA for a methicillin-susceptible question).
4. "From the Guidelines" holds the best recommendation sentences of guidelines, in the
   order their documents ranked; "From the Research" themed sub-sections follow.
5. The pipeline (``answer/pipeline.py``) verifies every sentence, as for every writer.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import cast, get_args

from medcite.answer.audience import DOSE_CAUTION
from medcite.answer.candidates import Candidate, candidates
from medcite.answer.coverage import QuestionTerms
from medcite.answer.entities import plain
from medcite.answer.evidence import Evidence, EvidencePassage
from medcite.answer.model import Verdict
from medcite.answer.numbers import states_dose
from medcite.answer.readability import grade
from medcite.answer.slots import (
    BOTH,
    CONTRARY,
    FOCUS_BONUS,
    NAMED_DRUG,
    contrary,
    defines,
    names,
    qualifiers,
    sides,
    slot_fit,
)
from medcite.answer.themes import FALLBACK_THEME, THEMES, TREATMENT, theme_for
from medcite.answer.verdict import Decision, Statement, compare, yes_no
from medcite.answer.writer import DraftEnd, DraftPart, DraftSection, DraftSentence
from medcite.retrieve.query import QueryInfo, is_yes_no, populations, question_type
from medcite.text.terms import stems

EVIDENCE_WEIGHT: dict[str, float] = {  # consumer texts: the audience policy's weight
    "guideline": 1.3, "systematic_review": 1.2, "rct": 1.12, "observational": 1.0,
    "narrative_review": 0.97, "other": 0.95, "case_report": 0.85,
}

RUN_IN_HEADING = re.compile(
    r"^(?:[A-Z][a-z'’]+\s(?:(?:a|an|the|of|and|to|in|for|on|with|is|are|at)\s)?){2,6}[A-Z][a-z]")
"""A consumer text's heading run into its next sentence ("Genes Play a Role No one knows
..."): the plain-text form of these pages keeps no break after their headings."""
MIN_COVERAGE = 0.5
"""Below this share of the question's (idf-weighted) terms in the best passage (with its
document title and vocabulary synonyms), the answer is 'insufficient evidence'. Chosen on
the dev sets: at 0.6, 10% of BioASQ yes/no questions whose documents are in the corpus
were declined; at 0.5, 5%."""
MIN_RELEVANCE = 0.35
"""A sentence is eligible when its relevance (own coverage, lifted by its passage's) is
at least this and it shares at least one question term."""
MIN_SLOT_RELEVANCE = 0.25
"""A sentence that fills its question's slot fully (a recommendation naming a drug, a dose
with its route or frequency) is eligible at this lower relevance: guidelines abbreviate
what the question spells out ("aSAH")."""

RELEVANCE_SHARE = 0.65
"""Score = (RELEVANCE_SHARE x relevance + the rest x retrieval score) x evidence weight."""
RANK_DECAY = 0.03
"""Each place lower in the retrieval ranking costs this share of a sentence's score."""
CONCLUSION_BONUS = 1.1
"""Sentences of an abstract's conclusions state its finding."""
SAME_QUESTION_BONUS = 1.25
"""A consumer text written to answer the same kind of question ("What are the treatments
for hypothyroidism?" for "How is an underactive thyroid treated?") answers it."""
BACK_REFERENCE_PENALTY = 0.8
POPULATION_SECTION_BONUS = 1.5
"""A guideline's sentence under a heading for the population the question names ("Pregnancy"
in a hypertension guideline) is that guideline's recommendation for it."""
OBJECTIVE_PENALTY = 0.6
"""'We aimed to...' says what a study asked, not what it found."""
NARRATIVE_PENALTY = 0.75
"""'We report a case...' says what a paper does, not what it found."""
PATIENT_GRADE_PENALTY = 0.13
"""Per grade above the audience's reading grade (down to PATIENT_GRADE_FLOOR)."""
PATIENT_GRADE_FLOOR = 0.35
"""A hard sentence keeps this share of its score: it may still be the only one that answers."""
PASSAGE_COVERAGE_SHARE = 0.5
"""A sentence inherits this share of relevance from its passage's coverage of the question
(a list item or a short recommendation rarely repeats the condition its passage names)."""

SUMMARY_SENTENCES = 2
FLOWCHART = re.compile(r"\?\s*\n|-->|→|^(?:YES|NO)\b", re.M)
"""A flowchart's fragment: a question box, an arrow, a YES / NO branch."""
SLOT_VERDICTS = frozenset({"screening", "dosing"})
"""Yes/no questions of these types ("Should I get screened?") take their verdict only from a
sentence that fills the type's slot (whom, from what age, how often; a dose)."""
OPTION_BONUS = 1.3
"""A bottom-line sentence for a choice ("lactated Ringer's or normal saline?") ranks this
much higher for each option it names."""
SAME_SIDE = 1.2
"""... and for naming the question's side of a contrary pair ("outpatient")."""
NO_EVIDENCE = re.compile(r"\b(?:insufficient|no|not enough|inadequate|limited) evidence\b|"
                         r"\bno recommendation\b|\bfor or against\b", re.I)
NO_EVIDENCE_PENALTY = 0.6
"""A sentence saying there is no evidence answers "what should I do?" only when nothing
else does."""
MAX_GUIDELINE_SENTENCES = 7
PLAIN_TITLE = "In plain words"
"""The consumer-text section a patient's answer opens with (``AudiencePolicy.plain_section``)."""
MAX_PLAIN_SENTENCES = 5
MAX_PER_PLAIN_DOCUMENT = 3
MAX_RESEARCH_SENTENCES = 9
MAX_PER_THEME = 4
MAX_PER_DOCUMENT = 2
MAX_PER_GUIDELINE = 4
NEW_TERM_BONUS = 0.02
"""Per term a sentence adds to the question's (up to NEW_TERMS_COUNTED): a sentence that
only restates the question tells the reader nothing new."""
NEW_TERMS_COUNTED = 15
ANCHOR_SHARE = 0.8
ANCHOR_MIN_IDF = 8.0
"""Question terms weighing at least this share of the heaviest one, and this idf (a term
in fewer than ~1 in 3,000 passages: a gene, a rare drug or disease), are its anchors;
common words have synonyms ("colon" / "colorectal") and anchor nothing."""
REDUNDANCY = 0.55
"""Two sentences sharing more than this share of their terms say the same thing."""
GUIDELINES_TITLE = "From the Guidelines"
FOUND_TITLE = "What the indexed evidence does contain"


@dataclass(frozen=True, slots=True)
class Chosen:
    """A candidate sentence scored for the answer."""

    candidate: Candidate
    item: EvidencePassage
    score: float
    relevance: float
    fit: float = 1.0
    """How well it fills the question type's slot (1 = not at all)."""

    @property
    def text(self) -> str:
        return self.candidate.text

    def draft(self) -> DraftSentence:
        return DraftSentence(self.candidate.text, [self.item.n])


class ExtractiveWriter:
    """Builds answers from the evidence's own sentences; needs no model and no network."""

    name = "extractive"

    def write(self, evidence: Evidence) -> Iterator[DraftPart]:
        start = time.perf_counter()
        scored = self.score(evidence)
        relevant = [c for c in scored if c.relevance >= MIN_RELEVANCE
                    or (c.relevance >= MIN_SLOT_RELEVANCE and c.fit >= BOTH)]
        relevant = anchored(evidence, relevant)
        relevant = [c for c in relevant
                    if not (c.item.kind == "consumer" and RUN_IN_HEADING.match(c.text))]
        if evidence.best_coverage < MIN_COVERAGE or not relevant:
            yield from self._insufficient(evidence, scored)
            return
        verdict, carrier = self._verdict(evidence, [c for c in relevant if _opens(c)])
        lead = _before(carrier, evidence) if carrier and carrier.candidate.anaphoric else None
        if carrier is not None and carrier.candidate.anaphoric and lead is None:
            verdict, carrier = None, None  # it would point back to a sentence not shown
        summary = self._bottom_line(evidence, relevant, carrier, lead)
        yield DraftSection("summary", "", [c.draft() for c in summary],
                           verdict=_as_verdict(verdict) if carrier is not None else None,
                           verdict_at=1 if lead is not None else 0)
        used = list(summary)
        rules = evidence.policy
        if rules.plain_section:
            plain = _openable(_in_document_order(pick(
                [c for c in relevant if c.item.kind == "consumer" and not _near(c, used)],
                MAX_PLAIN_SENTENCES, MAX_PER_PLAIN_DOCUMENT)))
            if plain:
                used.extend(plain)
                yield DraftSection("consumer", PLAIN_TITLE, [c.draft() for c in plain])
        guidelines = _openable(_in_document_order(pick(
            [c for c in relevant if c.item.kind == "guideline" and not _near(c, used)
             and _readable(c, rules.guideline_grade)],
            MAX_GUIDELINE_SENTENCES, MAX_PER_GUIDELINE)))
        if guidelines:
            used.extend(guidelines)
            yield DraftSection("guidelines", GUIDELINES_TITLE, [c.draft() for c in guidelines])
        research = pick([c for c in relevant if c.item.kind != "guideline"
                         and not _near(c, used)], MAX_RESEARCH_SENTENCES, MAX_PER_DOCUMENT)
        for title, chosen in group_by_theme(evidence.info.type, research):
            chosen = _openable(chosen)
            if chosen:
                yield DraftSection("research", title, [c.draft() for c in chosen])
        caution = rules.dose_caution and any(states_dose(c.text) for c in used + research)
        yield DraftEnd(missing=_missing(evidence, used + research),
                       notice=DOSE_CAUTION if caution else None,
                       stats={"seconds": round(time.perf_counter() - start, 4)})

    # -- scoring ----------------------------------------------------------------------

    def score(self, evidence: Evidence) -> list[Chosen]:
        """Every candidate of the evidence's ranked passages, best first."""
        scored = [self._score(cand, item, evidence)
                  for item in evidence.passages for cand in candidates(item.passage)]
        scored.sort(key=lambda c: -c.score)
        return scored

    def _score(self, cand: Candidate, item: EvidencePassage, evidence: Evidence) -> Chosen:
        terms = cand.terms
        if item.kind == "guideline":  # a recommendation's heading says whom it is for
            terms = terms | frozenset(stems(cand.section))
        own = evidence.terms.coverage(terms)
        relevance = max(own, (1 - PASSAGE_COVERAGE_SHARE) * own + PASSAGE_COVERAGE_SHARE
                        * item.coverage) if own > 0 else 0.0
        if not own and item.kind == "guideline" and qualifiers(evidence.info.text) & qualifiers(
                cand.text):  # "First-line: amoxicillin ..." under a heading for the condition
            relevance = PASSAGE_COVERAGE_SHARE * item.coverage
        rules = evidence.policy
        weight = rules.consumer_weight if item.level == "consumer" \
            else EVIDENCE_WEIGHT.get(item.level, 1.0)
        score = (RELEVANCE_SHARE * relevance + (1 - RELEVANCE_SHARE) * item.score)
        score *= weight / (1.0 + RANK_DECAY * item.rank)
        # a guideline's heading says what its items are ("Outpatient treatment" over a list
        # of doses), as it says whom they are for
        said = f"{cand.section}: {cand.text}" if item.kind == "guideline" and cand.section \
            else cand.text
        fit = slot_fit(evidence.info, said, item.kind, rules.consumer_sources)
        score *= fit * (1.0 + NEW_TERM_BONUS * min(len(cand.terms - evidence.terms.weights.keys()),
                                                  NEW_TERMS_COUNTED))
        if "conclu" in cand.section.lower():
            score *= CONCLUSION_BONUS
        if item.kind == "consumer" and _asks_the_same(item, evidence):
            score *= SAME_QUESTION_BONUS
        if cand.anaphoric:
            score *= BACK_REFERENCE_PENALTY
        if cand.objective:
            score *= OBJECTIVE_PENALTY
        if cand.narrative:
            score *= NARRATIVE_PENALTY
        if item.kind == "guideline" and any(group.search(cand.section)
                                            for group in populations(evidence.info.text)):
            score *= POPULATION_SECTION_BONUS
        if contrary(evidence.info.text, cand.text, cand.section):
            score *= CONTRARY
        if rules.reading_grade is not None:
            score *= max(PATIENT_GRADE_FLOOR, 1.0 - PATIENT_GRADE_PENALTY
                         * max(0.0, grade(cand.text) - rules.reading_grade))
        return Chosen(cand, item, score, relevance, fit)

    # -- the bottom line --------------------------------------------------------------

    def _bottom_line(self, evidence: Evidence, relevant: list[Chosen],
                     carrier: Chosen | None, lead: Chosen | None = None) -> list[Chosen]:
        """The verdict sentence (after the sentence it points back to, if it does), then
        the sentences that best fill the question's slot and name its focus; none points
        back to a sentence that is not right before it, none is a flowchart's fragment,
        about the other side of a contrary pair, or shares no term with the question."""
        summary = [c for c in (lead, carrier) if c is not None]
        focus = evidence.terms
        top = _top(focus.weights)
        pool = [c for c in relevant if not c.candidate.anaphoric and _opens(c)]
        for group in populations(evidence.info.text):
            # a question about a population (pregnancy, children, CKD) is answered by what
            # is said of that population, when the evidence says anything of it
            named = [c for c in pool if group.search(c.text) or group.search(c.candidate.section)]
            pool = named or pool
        # one about the other side of a contrary pair ("MRSA" for a question about
        # methicillin-susceptible S. aureus) answers another question
        question = evidence.info.text
        pool = [c for c in pool if not contrary(question, c.text, c.candidate.section)]
        pool = [c for c in pool if focus.covered(_said(c))] or pool  # on topic
        # a sentence that fills the question's slot answers it; one that only shares its
        # words does not: those that fill it come first, and the slot counts twice
        pool.sort(key=lambda c: (c.fit < BOTH,
                                 -c.score * c.fit * _answers(evidence, c, focus, top)))
        subject = evidence.info.focus or evidence.info.core
        for c in pool:
            if len(summary) >= SUMMARY_SENTENCES:
                break
            if evidence.info.type == "definition" and defines(subject, c.text) and any(
                    defines(subject, o.text) for o in summary):
                continue  # a second definition adds nothing; what the reader needs next does
            if not _near(c, summary):
                summary.append(c)
        return summary

    # -- verdicts ---------------------------------------------------------------------

    def _verdict(self, evidence: Evidence, relevant: list[Chosen]
                 ) -> tuple[str | None, Chosen | None]:
        """The verdict and the chosen sentence that carries it (or none)."""
        info = evidence.info
        comparison = info.comparison
        if comparison is not None:
            pool = self._verdict_pool(evidence, relevant)
            statements = [Statement(c.text, c.candidate.section, c.relevance, c) for c in pool]

            def decide(found: list[Statement]) -> Decision:
                return compare(comparison, found)
        elif is_yes_no(info.text):
            top_docs = list(dict.fromkeys(c.item.doc_id for c in relevant))[:3]
            rank = {d: i for i, d in enumerate(top_docs)}
            statements = [Statement(c.text, c.candidate.section,
                                    c.relevance / (1 + rank[c.item.doc_id]), c)
                          for c in relevant
                          if c.item.doc_id in rank and not c.candidate.objective][:12]
            for group in populations(info.text):  # what holds for the population asked,
                statements = [s for s in statements  # or no verdict
                              if group.search(s.text) or group.search(s.section)]
            if info.type in SLOT_VERDICTS:  # "Should I get screened?" is answered by whom
                statements = [s for s in statements  # and when, not by any sentence
                              if isinstance(s.key, Chosen) and s.key.fit >= BOTH]

            def decide(found: list[Statement]) -> Decision:
                return yes_no(info.text, found)
        else:
            return None, None
        decision = decide(statements)
        if decision.verdict is None or decision.evidence is None:
            return None, None
        carrier = decision.evidence.key
        if comparison is None and isinstance(carrier, Chosen) and info.drugs \
                and carrier.item.kind == "consumer" \
                and not _names_drug(info, f"{carrier.candidate.section} {carrier.text}"):
            return None, None  # "yes" to "Can I drink alcohol with metronidazole?" from a
            # health page's "ask your pharmacist whether it is safe to drink" is no answer
        if isinstance(carrier, Chosen) and carrier.candidate.anaphoric \
                and _before(carrier, evidence) is None:
            # a sentence that points back to one not shown cannot open the answer: the
            # best sentence that says the same on its own carries the verdict instead
            carrier = next((s.key for s in sorted(statements, key=lambda s: -s.relevance)
                            if isinstance(s.key, Chosen) and not s.key.candidate.anaphoric
                            and decide([s]).verdict == decision.verdict), None)
        return decision.verdict, carrier if isinstance(carrier, Chosen) else None

    def _verdict_pool(self, evidence: Evidence, relevant: list[Chosen]) -> list[Chosen]:
        """Every sentence of the top document (its full text too): a trial's finding is
        often in its results, not in the passage that matched best."""
        top = [p.doc_id for p in evidence.passages][:1]
        pool = [c for c in relevant if c.item.doc_id in top]
        seen = {c.text for c in pool}
        for item in evidence.all():
            if item.doc_id not in top:
                continue
            for cand in candidates(item.passage):
                if cand.text not in seen:
                    seen.add(cand.text)
                    own = evidence.terms.coverage(cand.terms)
                    pool.append(Chosen(cand, item, own, own))
        return pool

    # -- no answer --------------------------------------------------------------------

    def _insufficient(self, evidence: Evidence, scored: list[Chosen]) -> Iterator[DraftPart]:
        found = pick([c for c in scored if c.relevance > 0 and not c.candidate.anaphoric],
                     3, per_doc=1)
        if found:
            yield DraftSection("found", FOUND_TITLE, [c.draft() for c in found])
        covered: set[str] = set().union(*(c.candidate.terms for c in found)) if found else set()
        missing = [f"No passage found that addresses '{word}'."
                   for word in _missing_words(evidence, covered)]
        yield DraftEnd(missing=missing, insufficient=True)


def anchored(evidence: Evidence, chosen: list[Chosen]) -> list[Chosen]:
    """The sentences whose passage names one of the question's anchors — its rarest terms
    (a gene, a drug, a rare disease) and any drug it names — when some passage does: a
    sentence about another gene that shares the question's common words does not answer
    it."""
    anchors = _anchors(evidence)
    if not anchors:
        return chosen
    named = {p.n for p in evidence.passages
             if evidence.terms.covered(_context(p)) & anchors}
    if not named:
        return chosen
    return [c for c in chosen if c.item.n in named]


def _names_drug(info: QueryInfo, text: str, drugs: tuple[str, ...] | None = None) -> bool:
    """Whether ``text`` names a drug the question names (or one of ``drugs``), by any of
    its names."""
    drugs = info.drugs if drugs is None else drugs
    said = plain(text)
    names = set(drugs) | {alt for phrase, alts in info.synonyms if phrase in drugs
                          for alt in alts}
    return any(plain(name) in said for name in names)


def _anchors(evidence: Evidence) -> set[str]:
    """The question's anchors: its rarest terms and any drug it names (however common:
    "ibuprofen while breastfeeding" is not answered by what is said of antidepressants)."""
    weights = evidence.terms.weights
    if not weights:
        return set()
    top = max(weights.values())
    anchors = {t for t, w in weights.items() if w >= max(ANCHOR_SHARE * top, ANCHOR_MIN_IDF)}
    return anchors | {t for m in NAMED_DRUG.finditer(evidence.info.text)
                      for t in stems(m.group()) if t in weights}


def _context(item: EvidencePassage) -> frozenset[str]:
    return frozenset(stems(" ".join((item.doc.get("title") or "", item.passage.section,
                                     item.text))))


def _asks_the_same(item: EvidencePassage, evidence: Evidence) -> bool:
    title = item.doc.get("title") or ""
    return bool(title) and question_type(title) == evidence.info.type


def pick(pool: list[Chosen], limit: int, per_doc: int) -> list[Chosen]:
    """Best-first greedy choice without near-duplicates, at most ``per_doc`` per document."""
    chosen: list[Chosen] = []
    per: dict[str, int] = {}
    for c in pool:
        if len(chosen) >= limit:
            break
        doc = c.item.doc_id
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
        theme = theme_for(qtype, c.text)
        if len(groups[theme]) < MAX_PER_THEME:
            groups[theme].append(c)
    return [(title, groups[title]) for title in order if groups[title]]


def _in_document_order(chosen: list[Chosen]) -> list[Chosen]:
    """Sentences grouped by document (best document first), each document's in the order
    they stand in it, so that a guideline reads as written."""
    first = {c.item.doc_id: i for i, c in reversed(list(enumerate(chosen)))}
    return sorted(chosen, key=lambda c: (first[c.item.doc_id], c.item.passage.start,
                                         c.candidate.position))


def _before(c: Chosen, evidence: Evidence) -> Chosen | None:
    """The sentence right before ``c`` in its passage, if it is a clean one that does not
    itself point back."""
    for cand in candidates(c.item.passage):
        if cand.position == c.candidate.position - 1 and "\n" not in cand.text:
            if cand.anaphoric:
                return None
            own = evidence.terms.coverage(cand.terms)
            return Chosen(cand, c.item, c.score, own)
    return None


def _openable(chosen: list[Chosen]) -> list[Chosen]:
    """The sentences without those that point back to a sentence not right before them."""
    kept: list[Chosen] = []
    for c in chosen:
        if c.candidate.anaphoric and not (kept and _follows(c, kept[-1])):
            continue
        kept.append(c)
    return kept


def _follows(c: Chosen, before: Chosen) -> bool:
    return (c.candidate.passage_id == before.candidate.passage_id
            and c.candidate.position == before.candidate.position + 1)


def _top(weights: dict[str, float]) -> frozenset[str]:
    """The question's focus: its rarest terms (highest idf), which the bottom line must
    name."""
    ranked = sorted(weights, key=lambda t: -weights[t])
    return frozenset(ranked[:max(1, len(ranked) // 2)])


def _names(terms: QuestionTerms, c: Chosen, top: frozenset[str]) -> bool:
    return bool(terms.covered(c.candidate.terms) & top)


def _as_verdict(value: str | None) -> Verdict | None:
    return cast(Verdict, value) if value in get_args(Verdict) else None


def _said(c: Chosen) -> frozenset[str]:
    """The terms a sentence says, with its heading's for a guideline (a recommendation's
    heading says whom and what it is for)."""
    if c.item.kind == "guideline":
        return c.candidate.terms | frozenset(stems(c.candidate.section))
    return c.candidate.terms


def _opens(c: Chosen) -> bool:
    """Whether a sentence can open an answer: not a flowchart's fragment ("First flare?",
    "YES --> ...")."""
    return not FLOWCHART.search(c.text)


def _answers(evidence: Evidence, c: Chosen, focus: QuestionTerms, top: frozenset[str]
             ) -> float:
    """How much more a sentence answers the question than its score says: it names the
    question's focus, the options of a choice, the question's side of a contrary pair;
    it says there is no evidence when something else says what to do."""
    factor = FOCUS_BONUS if _names(focus, c, top) else 1.0
    comparison = evidence.info.comparison
    if comparison is not None:
        factor *= OPTION_BONUS ** sum(names(option, c.text) for option in (
            comparison.intervention, comparison.comparator))
    if sides(evidence.info.text, f"{c.candidate.section} {c.text}"):
        factor *= SAME_SIDE
    if evidence.info.type != "yesno" and NO_EVIDENCE.search(c.text):
        factor *= NO_EVIDENCE_PENALTY
    return factor


def _readable(c: Chosen, limit: float | None) -> bool:
    """Whether a guideline sentence may be shown to a reader whose policy sets a reading
    grade limit: not above it, and not a flowchart or list fragment."""
    return limit is None or ("\n" not in c.text and "-->" not in c.text
                             and grade(c.text) <= limit)


def _near(c: Chosen, others: list[Chosen]) -> bool:
    return any(c.text in o.text or o.text in c.text
               or _overlap(c.candidate, o.candidate) > REDUNDANCY for o in others)


def _overlap(a: Candidate, b: Candidate) -> float:
    if not a.terms or not b.terms:
        return 0.0
    return len(a.terms & b.terms) / len(a.terms | b.terms)


def _missing(evidence: Evidence, chosen: list[Chosen]) -> list[str]:
    """What the chosen evidence does not cover, said plainly."""
    info = evidence.info
    missing = []
    text = " ".join(c.text for c in chosen)
    topic = info.focus or info.core
    if info.type in ("management", "dosing") and not TREATMENT.search(text):
        missing.append(f"No indexed passage describes treatment of {topic}.")
    if (info.type == "dosing"
            and not any(states_dose(c.text) for c in chosen)):
        missing.append(f"No indexed passage states a dose for {topic}.")
    for drug in info.drugs:  # an answer about drinking is no answer about drinking on a drug
        if not _names_drug(info, " ".join(f"{c.candidate.section} {c.text}" for c in chosen),
                           (drug,)):
            missing.append(f"The passages used here do not mention {drug}.")
    return missing


def _missing_words(evidence: Evidence, covered: set[str]) -> list[str]:
    """The question's content words (those retrieval weighs) that no found sentence has."""
    weighted = set(evidence.terms.weights)
    words = []
    for word in evidence.info.core.split():
        word = word.strip(",.;:()?!\"'")
        word_stems = [s for s in stems(word) if s in weighted]
        if len(word) < 3 or not word_stems or not any(ch.isalpha() for ch in word):
            continue
        if all(s not in covered for s in word_stems):
            words.append(word)
    return list(dict.fromkeys(words))[:5]
