"""Evidence levels: what kind of evidence a document is, from its publication types,
title and text.

Publication types (PubMed's controlled list) decide when present; otherwise cues in the
title, then in the text. Title cues beat text cues because abstracts of reviews mention
the trials they pool and trial abstracts mention earlier reviews.
"""

from __future__ import annotations

import re
from typing import Literal

from medcite.models import Document

CLASSIFIER_VERSION = "2"
"""Bump when the rules change: stores classified by another version are reclassified."""

EvidenceLevel = Literal[
    "guideline", "systematic_review", "rct", "observational", "case_report",
    "narrative_review", "consumer", "other",
]

LEVELS: tuple[EvidenceLevel, ...] = (
    "guideline", "systematic_review", "rct", "observational", "case_report",
    "narrative_review", "consumer", "other",
)

LABELS: dict[str, str] = {
    "guideline": "Guideline",
    "systematic_review": "Systematic review / meta-analysis",
    "rct": "Randomized trial",
    "observational": "Observational study",
    "case_report": "Case report / series",
    "narrative_review": "Narrative review",
    "consumer": "Consumer health text",
    "other": "Other",
}

# Publication types, most specific first.
_PUBLICATION_TYPES: tuple[tuple[re.Pattern[str], EvidenceLevel], ...] = (
    (re.compile(r"guideline|consensus development conference", re.I), "guideline"),
    (re.compile(r"meta-analysis|systematic review", re.I), "systematic_review"),
    (re.compile(r"randomi[sz]ed controlled trial|pragmatic clinical trial|equivalence trial",
                re.I), "rct"),
    (re.compile(r"case reports?", re.I), "case_report"),
    (re.compile(r"observational study|comparative study|evaluation study|clinical trial|"
                r"multicenter study|twin study|validation study", re.I), "observational"),
    (re.compile(r"^review$|scoping review|overview", re.I), "narrative_review"),
)

_TITLE_CUES: tuple[tuple[re.Pattern[str], EvidenceLevel], ...] = (
    (re.compile(r"\b(guidelines?|recommendations?|consensus statement|position statement|"
                r"practice parameter)\b", re.I), "guideline"),
    (re.compile(r"\b(systematic review|meta-?analys[ie]s|pooled analysis|umbrella review)\b",
                re.I), "systematic_review"),
    (re.compile(r"\b(randomi[sz]ed|placebo-controlled|double-blind)\b", re.I), "rct"),
    (re.compile(r"\b(case reports?|case series|a case of|report of (a|two|three) cases?)\b",
                re.I), "case_report"),
    (re.compile(r"\b(cohort|retrospective|prospective|cross-sectional|case-control|registry|"
                r"population-based|observational)\b", re.I), "observational"),
    (re.compile(r"\b(review|update|overview)\b", re.I), "narrative_review"),
)

_TEXT_CUES: tuple[tuple[re.Pattern[str], EvidenceLevel], ...] = (
    (re.compile(r"\b(we|this) (conducted|performed|present) a (systematic review|meta-analysis)|"
                r"\bsystematic review (and|with) meta-analysis\b|\bwe (searched|pooled)\b", re.I),
     "systematic_review"),
    (re.compile(r"\b(were|was) randomi[sz]ed\b|\brandomi[sz]ed (controlled|clinical|"
                r"double-blind|placebo-controlled|trial)|\brandomly (assigned|allocated)\b",
                re.I), "rct"),
    (re.compile(r"\bwe (report|describe|present)\b|\ba (rare |unique |unusual )?case of\b|"
                r"\bcases? (is|are|was|were) (reported|described|presented)\b|"
                r"\b\d{1,3}-year-old (man|woman|male|female|boy|girl|patient|child)\b|"
                r"\bcase series\b", re.I), "case_report"),
    (re.compile(r"\b(retrospective(ly)?|prospective(ly)?|cohort|cross-sectional|case-control|"
                r"registry|population-based|medical records of)\b", re.I), "observational"),
    (re.compile(r"\b(this|we) review\b|\breview (of|the) (literature|current)\b|"
                r"\bwe summari[sz]e\b", re.I), "narrative_review"),
)


def classify_document(doc: Document) -> EvidenceLevel:
    """The evidence level of ``doc``."""
    if doc.kind == "guideline":
        return "guideline"
    if doc.kind == "consumer":
        return "consumer"
    if doc.kind == "drug-label":
        return "other"
    return classify(doc.publication_types, doc.title or "", doc.text[:4000])


def classify(publication_types: list[str], title: str, text: str) -> EvidenceLevel:
    """Evidence level from publication types, then title cues, then text cues."""
    found = [lvl for pt in publication_types for pat, lvl in _PUBLICATION_TYPES if pat.search(pt)]
    if found:
        return min(found, key=LEVELS.index)
    for cues, source in ((_TITLE_CUES, title), (_TEXT_CUES, text)):
        for pattern, level in cues:
            if source and pattern.search(source):
                return level
    return "other"


# -- ranking ------------------------------------------------------------------------------

PRIOR: dict[str, float] = {
    "guideline": 1.0, "systematic_review": 0.8, "rct": 0.6, "observational": 0.35,
    "narrative_review": 0.25, "other": 0.2, "consumer": 0.2, "case_report": 0.0,
}
"""How strongly each evidence level lifts a document, before scaling."""

PATIENT_PRIOR: dict[str, float] = {**PRIOR, "consumer": 0.9}

TYPE_FACTOR: dict[str, float] = {
    "management": 1.0, "dosing": 1.0, "screening": 1.0, "comparison": 0.8,
    "diagnosis": 0.7, "prognosis": 0.7, "yesno": 0.5, "etiology": 0.4, "general": 0.4,
}
"""Evidence level matters most for what to do (treat, dose, screen), least for what a
thing is or what causes it."""

MAX_AGE_YEARS = 20


def evidence_factor(
    level: str | None, year: int | None, qtype: str, evidence_weight: float,
    recency_weight: float, now_year: int, patient: bool = False,
) -> float:
    """The multiplier applied to a document's fused relevance score:

    ``(1 + evidence_weight * prior[level] * type_factor[qtype])
    * (1 - recency_weight * min(age, 20) / 20)``

    so with equal relevance a guideline outranks a case report for a management question,
    and a recent study outranks an old one; documents without a year are not penalised.
    """
    priors = PATIENT_PRIOR if patient else PRIOR
    boost = 1.0 + evidence_weight * priors.get(level or "other", 0.2) * TYPE_FACTOR.get(qtype, 0.5)
    if year is None:
        return boost
    age = max(0, min(now_year - year, MAX_AGE_YEARS))
    return boost * (1.0 - recency_weight * age / MAX_AGE_YEARS)
