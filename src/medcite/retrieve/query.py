"""Question understanding: the question's type, its core (boilerplate removed), and for
comparisons the intervention, comparator and outcome.

The type steers retrieval (evidence priorities) and the answer (themes, verdicts).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

QuestionType = Literal[
    "comparison", "yesno", "dosing", "screening", "diagnosis", "prognosis", "etiology",
    "management", "definition", "general",
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
_CHOICE = re.compile(
    r"^\s*(?P<outcome>[^:?]{3,160}):\s*(?P<a>[^:?,]{2,60}?)\s+(?:or|vs\.?|versus)\s+"
    r"(?P<b>[^:?,]{2,60}?)\s*\?\s*$", re.I)
"""A topic, then the choice: "Acute pancreatitis fluid resuscitation: lactated Ringer's or
normal saline?"."""
_CHOICE_FOR = re.compile(
    r"^\s*(?P<a>[^:?,]{2,40}?)\s+(?:or|vs\.?|versus)\s+(?P<b>[^:?,]{2,40}?)\s+"
    r"(?:for|in)\s+(?P<outcome>[^:?]{3,120}?)\s*\?\s*$", re.I)
"""The choice, then what for: "Heparin or enoxaparin for VTE prophylaxis in inpatients?"."""
CHOICE_WORDS = 5
"""An option of a choice is a name of at most this many words ("a DOAC", "normal saline")."""
_CLAUSE = re.compile(r"[:;,.?]\s+|\s*(?:--|[-–—])\s+|\s*--\s*")
_WH = re.compile(r"^\s*(?:what|which|who|whom|whose|how|why|when|where|list|name|describe|"
                 r"explain|give|compare|characteri[sz]e|with respect)\b", re.I)
_WH_INSIDE = re.compile(r"\b(?:what|which|whom|whose|how many|how much)\b", re.I)
_YESNO = re.compile(
    r"^\s*(?:is|are|was|were|does|do|did|can|could|should|has|have|had|will|would|may|might|"
    r"must)\b", re.I)
_TYPE_CUES: tuple[tuple[QuestionType, re.Pattern[str]], ...] = (
    ("dosing", re.compile(r"\b(dose|doses|dosage|dosing|how much|mg(?!/dl)|titrat\w*|"
                          r"regimen)\b", re.I)),
    ("screening", re.compile(r"\b(screen\w*|surveillance|mammogra\w*|colonoscop\w*|"
                             r"pap (?:test|smear)s?|(?:get|have|need) (?:a |an |my |"
                             r"their |his |her )?(?:\w+ ){0,2}(?:test|checked|check-?up)|"
                             r"be (?:tested|checked)|checked for)\b", re.I)),
    ("diagnosis", re.compile(r"\b(diagnos\w*|work-?up|test(ing)?|detect\w*|imaging|biomarker|"
                             r"differential|sensitivity|specificity|sign|signs|symptoms?)\b",
                             re.I)),
    ("prognosis", re.compile(r"\b(prognos\w*|survival|outcome|outcomes|life expectancy|"
                             r"mortality|recurrence|course)\b", re.I)),
    ("etiology", re.compile(r"\b(cause[sd]?|causing|etiolog\w*|aetiolog\w*|risk factors?|why|"
                            r"mechanism|pathogenesis|pathophysiology|associated with)\b", re.I)),
    ("management", re.compile(r"\b(manag\w*|treat\w*|therap\w*|drugs?|medications?|approach|"
                              r"intervention|surgery|first-line|prevent\w*|cure|relieve|"
                              r"anticoagula\w*|how long (?:should|do|does|must|to)|add next|"
                              r"what (?:should|do|can) (?:i|we) do|"
                              r"antibiotics?|antivirals?|prescrib\w*|should (?:i|we) "
                              r"(?:start|give|use|prescribe|choose|pick)|agent|regimen|"
                              r"options?)\b", re.I)),
)
_DEFINITION = re.compile(
    r"^\s*(?:what\s+(?:is|are)\s+(?:a\s+|an\s+|the\s+)?(?P<x>[^?]+?)|define\s+(?P<y>[^?]+?)|"
    r"what\s+does\s+(?P<z>[^?]+?)\s+mean)\s*\??\s*$", re.I)
DEFINITION_MAX_WORDS = 6
_NOT_A_THING = re.compile(
    r"\b(known|about|role|function|mechanism|effect|effects|difference|relationship|"
    r"association|link|purpose|used|involved|between|of|in|for|with)\b", re.I)
""""What is the role of X", "What is known about X in Y" ask about a relation, not what X
is."""
_FOCUS_TAIL = re.compile(
    r"\s+(?:be\s+|is\s+|are\s+)?(?:best\s+)?(?:treated|managed|prevented|diagnosed|handled|"
    r"dosed|approached|used|given|started|evaluated|worked up)\s*$", re.I)
_FOCUS_HEAD = re.compile(
    r"^(?:the\s+)?(?:(?:first[- ]line|initial|best|recommended|preferred)\s+)*"
    r"(?:management|treatment|therapy|dose|dosing|dosage|screening|definition|causes?|"
    r"symptoms?|signs?|prognosis|diagnosis|options?|drugs?|medications?)\s+(?:of|for|in)\s+",
    re.I)
_ASK_FILLER = re.compile(
    r"\b(?:should|can|could|do|would|must)\s+(?:i|we)\s+(?:start|give|use|prescribe|choose|"
    r"pick|continue|stop|recommend|order|consider|offer|do)\b|\b(?:i|we|me|my|our)\b|"
    r"\bplease\b|\bnow\b|\b(?:does|do|is|are)\s+(?:she|he|they|it)\b", re.I)
_WH_WORD = re.compile(r"^\s*(?:how (?:long|often|soon|many|much)|which|what|how|when|whom?)\s+",
                      re.I)
_AGE = re.compile(r"\b(\d{1,3})[- ](?:year|yr)s?[- ]old\b|\b(?:i'm|im|is|he's|she's|aged|age)"
                  r"\s+(\d{1,3})\b(?!\s*(?:%|mg|kg|weeks|days|months|hours|minutes|/))", re.I)
_CHATTER = re.compile(
    r"\b(?:ok|okay|alright|someone|somebody|anyone|still|really|actually|just|now|already|"
    r"anyway|please|thanks|thank you|i'm|i've|i'd|i'll|we're|we've|you're|he's|she's|they're|"
    r"it's|dad|mum|mom|my|our|his|her|their|me|i|we|you|he|she|they|or wait|wait until|"
    r"used to|kind of|sort of|a lot|so|too|very|also|told|says|said|thinks?|worried|wondering|"
    r"going to|gonna|want to|wants to|trying to|try|found|got|has|have|had|was|were|am)\b",
    re.I)
_CONTRACTION = re.compile(r"(?<![A-Za-z])'(?:m|s|re|ve|d|ll)\b", re.I)
"""Conversational words of a lay question ("Is metformin still OK for someone whose...")
that name nothing to search for."""
_OUTPATIENT = re.compile(
    r"\b(?:is |are )?(?:well enough to|able to|can|could) go home\b|\bsent home\b|"
    r"\bat home\b|\bdischarged?\b", re.I)
_LEADING_ARTICLE = re.compile(r"^\s*(?:a|an|the|my|our|this|your)\s+", re.I)


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
    focus: str = ""
    """What the question is about, without what it asks ("hypertension in pregnancy" of
    "How should hypertension in pregnancy be treated?"): a thread's topic, the words a
    bottom line must name."""
    expansions: tuple[str, ...] = field(default_factory=tuple)
    intent: tuple[str, ...] = field(default_factory=tuple)
    """Words of the kind of answer asked for ("treatment" for a management question)."""
    synonyms: tuple[tuple[str, tuple[str, ...]], ...] = field(default_factory=tuple)
    """(phrase of the question, its alternatives): a passage using an alternative covers
    the phrase."""
    drugs: tuple[str, ...] = field(default_factory=tuple)
    """The drugs the question names, as it names them (from the vocabularies)."""


def core_of(question: str) -> str:
    """The question without its boilerplate ("what is the management approach for")."""
    text = question.strip().rstrip("?").strip()
    stripped = _BOILERPLATE.sub("", text, count=1)
    if stripped == text:
        stripped = _LEAD.sub("", text, count=1)
    return stripped.strip() or text


def focus_of(core: str) -> str:
    """The core without what is asked about it ("treatment of", "be treated")."""
    focus = _FOCUS_TAIL.sub("", _FOCUS_HEAD.sub("", core.strip(), count=1), count=1)
    return focus.strip(" ,.;:") or core


def vignette(question: str) -> str | None:
    """A case told in sentences and then a question ("A healthy 35-year-old with CAP is
    well enough to go home. Which oral antibiotic should I start?") rewritten as its
    clinical question: what is asked, then the condition and population; None if the
    question is not told that way."""
    sentences = [s.strip() for s in re.split(r"(?<=[.!?])\s+(?=[A-Z])", question.strip())
                 if s.strip()]
    if len(sentences) < 2 or not sentences[-1].endswith("?"):
        return None
    ask = _ASK_FILLER.sub(" ", _WH_WORD.sub("", core_of(sentences[-1]), count=1))
    context = " ".join(sentences[:-1])
    context = _AGE.sub(lambda m: " " + _age_group(int(m.group(1) or m.group(2))), context)
    context = _OUTPATIENT.sub(" outpatient ", context)
    context = _ASK_FILLER.sub(" ", _LEADING_ARTICLE.sub("", context))
    rewritten = " ".join(f"{ask.strip(' ?.')} {context.strip(' .')}".split())
    return rewritten or None


def _age_group(age: int) -> str:
    if age < 18:
        return "child"
    return "older adult" if age >= 65 else "adult"


@lru_cache(maxsize=4096)
def question_type(question: str) -> QuestionType:
    if comparison_of(question):
        return "comparison"
    definition = _DEFINITION.match(question)
    if definition and not any(p.search(question) for _, p in _TYPE_CUES):
        term = next(g for g in definition.groups() if g)
        if len(term.split()) <= DEFINITION_MAX_WORDS and not _NOT_A_THING.search(term):
            return "definition"
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
    for form in (_CHOICE, _CHOICE_FOR):
        match = form.match(question)
        if match and not _YESNO.match(match["a"]) and not _WH.match(match["a"]) and all(
                len(match[k].split()) <= CHOICE_WORDS for k in ("a", "b")):
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
        core = vignette(question) or core_of(question)
        core = _AGE.sub(lambda m: " " + _age_group(int(m.group(1) or m.group(2))), core)
        core = " ".join(_CONTRACTION.sub(" ", _CHATTER.sub(" ", core)).split()) or core
    return QueryInfo(question, core, qtype, comparison, focus=focus_of(core))


POPULATIONS: tuple[re.Pattern[str], ...] = tuple(re.compile(p, re.I) for p in (
    r"\b(pregnan\w*|gestation\w*|prenatal|antenatal|obstetric\w*|preeclampsia)",
    r"\b(child\w*|pediatric\w*|paediatric\w*|infant\w*|adolescen\w*|neonat\w*|newborn\w*|"
    r"toddler\w*|teen\w*)",
    r"\b(older adults?|elderly|geriatric|(?:aged?|over|i'm|i am|is) (?:6[5-9]|[7-9]\d)\b|"
    r"(?:6\d|[7-9]\d)[- ]years?[- ](?:old|or older|and older)|(?:6\d|[7-9]\d) or older)",
    r"\b(ckd|chronic kidney|renal (?:impairment|insufficiency|function)|kidney disease|egfr|"
    r"creatinine clearance|crcl|dialysis)",
    r"\b(hfref|heart failure|lvef|ejection fraction)",
    r"\b(cirrho\w*|hepatic impairment|liver disease)",
    r"\b(breast-?feeding|lactat\w*)",
))
"""Populations and conditions that change what is recommended: a question naming one is
answered by what the evidence says of it."""


def populations(question: str) -> list[re.Pattern[str]]:
    """The populations of :data:`POPULATIONS` that ``question`` names."""
    return [p for p in POPULATIONS if p.search(question)]
