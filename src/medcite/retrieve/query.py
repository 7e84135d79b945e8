"""Question understanding: the question's type, its core (boilerplate removed), and for
comparisons the intervention, comparator and outcome.

The type steers retrieval (evidence priorities) and the answer (themes, verdicts).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

QuestionType = Literal[
    "comparison", "yesno", "dosing", "screening", "diagnosis", "prognosis", "etiology",
    "management", "general",
]

_BOILERPLATE = re.compile(
    r"^\s*(?:(?:please|kindly)\s+)?(?:(?:can|could|would) you\s+)?(?:tell me\s+|explain\s+)?"
    r"(?:(?:what|which|how)\s+(?:is|are|was|were|should|do|does|would|can)\s+(?:the\s+|a\s+|an\s+)?)?"
    r"(?:(?:current|recommended|best|preferred|optimal|standard|first[- ]line|usual|"
    r"appropriate|evidence[- ]based)\s+)*"
    r"(?:(?:management|treatment|therapy|approach|options?|strategy|strategies|"
    r"guidelines?|recommendations?|workup|work-up|evaluation|dose|dosage|dosing)\s*)+"
    r"(?:approach(?:es)?\s+)?(?:for|of|in|to)\s+(?:a\s+|an\s+|the\s+)?",
    re.I,
)
_LEAD = re.compile(
    r"^\s*(?:(?:what|which|who|how|why|when|where)\s+(?:is|are|was|were|do|does|did|can|"
    r"should|would)\s+(?:the\s+|a\s+|an\s+)?)", re.I)
_COMPARISON = re.compile(
    r"with respect to (?P<outcome>.+?),\s*characteri[sz]e the (?:reported )?difference between "
    r"(?P<a>.+?) and (?P<b>.+?)\.?\s*$", re.I)
_COMPARE_DOES = re.compile(
    r"^\s*(?:does|do|did|is|are|can)\s+(?P<a>.+?)\s+(?P<verb>reduce|lower|decrease|increase|"
    r"improve|raise|prevent|worsen|affect|change)s?\s+(?P<outcome>.+?)\s+(?:compared (?:with|to)|"
    r"versus|vs\.?|relative to|more than|better than)\s+(?P<b>.+?)\??\s*$", re.I)
_CLAUSE = re.compile(r"[:;,.?]\s+|\s*(?:--|[-–—])\s+|\s*--\s*")
_WH = re.compile(r"^\s*(?:what|which|who|whom|whose|how|why|when|where|list|name|describe|"
                 r"explain|give|compare|characteri[sz]e|with respect)\b", re.I)
_WH_INSIDE = re.compile(r"\b(?:what|which|whom|whose|how many|how much)\b", re.I)
_YESNO = re.compile(
    r"^\s*(?:is|are|was|were|does|do|did|can|could|should|has|have|had|will|would|may|might|"
    r"must)\b", re.I)
_TYPE_CUES: tuple[tuple[QuestionType, re.Pattern[str]], ...] = (
    ("dosing", re.compile(r"\b(dose|doses|dosage|dosing|how much|mg|titrat\w*|regimen)\b", re.I)),
    ("screening", re.compile(r"\b(screen\w*|surveillance)\b", re.I)),
    ("diagnosis", re.compile(r"\b(diagnos\w*|work-?up|test(ing)?|detect\w*|imaging|biomarker|"
                             r"differential|sensitivity|specificity|sign|signs|symptoms?)\b",
                             re.I)),
    ("prognosis", re.compile(r"\b(prognos\w*|survival|outcome|outcomes|life expectancy|"
                             r"mortality|recurrence|course)\b", re.I)),
    ("etiology", re.compile(r"\b(cause[sd]?|causing|etiolog\w*|aetiolog\w*|risk factors?|why|"
                            r"mechanism|pathogenesis|pathophysiology|associated with)\b", re.I)),
    ("management", re.compile(r"\b(manag\w*|treat\w*|therap\w*|drugs?|medications?|approach|"
                              r"intervention|surgery|first-line|prevent\w*|cure|relieve)\b",
                              re.I)),
)


@dataclass(frozen=True)
class Comparison:
    intervention: str
    comparator: str
    outcome: str


@dataclass(frozen=True)
class QueryInfo:
    """What medcite understood of a question."""

    text: str
    core: str
    type: QuestionType
    comparison: Comparison | None = None
    expansions: tuple[str, ...] = field(default_factory=tuple)
    synonyms: tuple[tuple[str, tuple[str, ...]], ...] = field(default_factory=tuple)
    """(phrase of the question, its alternatives): a passage using an alternative covers
    the phrase."""


def core_of(question: str) -> str:
    """The question without its boilerplate ("what is the management approach for")."""
    text = question.strip().rstrip("?").strip()
    stripped = _BOILERPLATE.sub("", text, count=1)
    if stripped == text:
        stripped = _LEAD.sub("", text, count=1)
    return stripped.strip() or text


def question_type(question: str) -> QuestionType:
    if comparison_of(question):
        return "comparison"
    for qtype, pattern in _TYPE_CUES:
        if pattern.search(question) and (
            qtype in ("dosing", "screening") or not is_yes_no(question)
        ):
            return qtype
    if is_yes_no(question):
        return "yesno"
    return "general"


def is_yes_no(question: str) -> bool:
    """Whether the question asks for yes or no ("Does X reduce Y?", "Is X safe?", or a
    title-style "Double balloon enteroscopy: is it safe?")."""
    if _YESNO.match(question):
        return True
    text = question.strip()
    clauses = [c for c in _CLAUSE.split(text.rstrip("?")) if c.strip()]
    if any(_YESNO.match(c) for c in clauses[1:]):
        return True
    # a statement asked as a question ("Aripiprazole: a new risk factor for gambling?")
    return (text.endswith("?") and not any(_WH.match(c) for c in clauses)
            and not _WH_INSIDE.search(text))


def comparison_of(question: str) -> Comparison | None:
    """Intervention, comparator and outcome of a comparison question, if it is one."""
    match = _COMPARISON.search(question)
    if match:
        return Comparison(match["a"].strip(), match["b"].strip(), match["outcome"].strip())
    match = _COMPARE_DOES.search(question)
    if match:
        return Comparison(match["a"].strip(), match["b"].strip(),
                          f"{match['verb']} {match['outcome']}".strip())
    return None


def understand(question: str) -> QueryInfo:
    comparison = comparison_of(question)
    qtype = question_type(question)
    if comparison:
        core = f"{comparison.outcome} {comparison.intervention} {comparison.comparator}"
    else:
        core = core_of(question)
    return QueryInfo(question, core, qtype, comparison)
