"""Slots: what kind of sentence answers each type of question.

A treatment question is answered by a recommendation that names a drug or procedure, a
dosing question by a dose, a screening question by who / from what age / how often / the
grade, a definition by a sentence that says what the thing is. :func:`slot_fit` is the
factor by which a sentence's score is raised for filling its question's slot.
"""

from __future__ import annotations

import re
from functools import lru_cache

from medcite.answer.numbers import facts, states_dose
from medcite.answer.themes import TYPE_CUES
from medcite.retrieve.query import QueryInfo

FOCUS_BONUS = 1.25
"""A bottom-line sentence that names the question's focus (its rarest terms) ranks this
much higher."""
BOTH = 1.5
"""Fills the slot fully (e.g. a recommending verb and a named drug)."""
PART = 1.2
"""Fills half of it."""
GUIDELINE_RECOMMENDATION = 1.1
"""A guideline sentence that recommends, for questions about what to do."""
TYPE_CUE = 1.12
"""Mentions what the question type is about (e.g. 'survival' for prognosis)."""
DEFINITION = 1.8
PATIENT_CONSUMER = 1.15
"""A consumer text's definition for a patient."""

TREATS = re.compile(
    r"\b(?:treat\w*|therap\w*|drugs?|medicat\w*|medicines?|doses?|dosing|regimens?|"
    r"antibiotic\w*|antiviral\w*|surg\w*|first[- ]line|second[- ]line|prescri\w*|"
    r"administ\w*|manag\w*)\b", re.I)
"""Says something is done to treat (a recommendation to use a tool to assess severity does
not: "recommend" alone is the other half of the slot)."""
QUALIFIER = re.compile(
    r"\b(?:first|second|third)[- ]line\b|\binitial\b|\bempiric(?:al)?\b|\bdrugs? of choice\b|"
    r"\bmaintenance\b|\bprophyla(?:xis|ctic)\b|\badjunct(?:ive)?\b|\brescue\b|"
    r"\brefractory\b|\bsecondary prevention\b|\bprimary prevention\b|\bpost-?exposure\b",
    re.I)
"""What kind of treatment a question asks for ("first-line", "empiric", "maintenance"):
question boilerplate removes it from the question's terms, so it is matched here."""
QUALIFIED = 1.4
"""A sentence that says the same qualifier as the question ("First-line: amoxicillin")."""
RECOMMENDS = re.compile(
    r"\b(recommend\w*|should|must|is indicated|are indicated|first[- ]line|second[- ]line|"
    r"preferred|prefer|initiat\w*|start\w*|(?:is|are) (?:the )?(?:treatment|drug|therapy) of "
    r"choice|treat(?:ed)? with|use\b|used\b|consider\w*|offer\w*|(?:is|are) reasonable|"
    r"grade [A-D]\b|class I\b|class IIa\b|strong recommendation|avoid\w*|contraindicated|"
    r"requires?|include\w*|options? (?:is|are|include)|mainstay|standard|involv\w*|"
    r"consists? of|remov\w*|procedures?|(?:can|may) (?:help|relieve|reduce|control))\b", re.I)
INTERVENTION = re.compile(
    r"\b(\w+(?:mab|nib|pril|sartan|olol|alol|statins?|cillin|mycin|micin|floxacin|cycline|"
    r"conazole|dipine|formin|gliptin|gliflozin|glutide|parin|xaban|gatran|prazole|setron|"
    r"triptan|oxetine|azepam|azolam|caine|dronate|lukast|profen|coxib|olone|asone|isone|"
    r"ciclovir|clovir|navir|previr|buvir|platin|rubicin|taxel|trexate|semide|thiazide|"
    r"thiazides|dopa|talol|zosin|amide|pine|idine|tadine)|inhibitors?|blockers?|antagonists?|"
    r"agonists?|antibiotics?|antivirals?|antifungals?|diuretics?|insulin|aspirin|warfarin|"
    r"heparin|vaccin\w*|immunizations?|surgery|surgical|resection|transplant\w*|"
    r"chemotherapy|radiotherapy|radiation|therapy|therapies|steroids?|corticosteroids?|"
    r"acetaminophen|paracetamol|ibuprofen|NSAIDs?|medications?|drugs?|counseling|"
    r"behavioral|exercise|diet|lifestyle|supplement\w*|intravenous|oral(?:ly)?|"
    r"intrathecal|topical|injections?|infusion|dialysis|stent\w*|ablation|"
    r"antihypertensives?|anticoagula\w*|antiplatelet\w*|analgesi\w*|opioids?)\b", re.I)
NAMED_DRUG = re.compile(
    r"\b\w+(?:mab|nib|pril|sartan|olol|alol|statin|cillin|mycin|micin|floxacin|cycline|"
    r"conazole|dipine|formin|gliptin|gliflozin|glutide|parin|xaban|gatran|prazole|setron|"
    r"triptan|oxetine|azepam|azolam|dronate|lukast|profen|coxib|olone|asone|isone|ciclovir|"
    r"clovir|navir|previr|buvir|platin|rubicin|taxel|trexate|semide|thiazide|dopa|talol|"
    r"zosin|tadine|tidine|vir)\b|\b(?:insulin|aspirin|warfarin|heparin|acetaminophen|"
    r"paracetamol|ibuprofen|colchicine|allopurinol|metformin|magnesium sulfate|"
    r"levothyroxine|prednisone|prednisolone|dexamethasone|oseltamivir|vancomycin|"
    r"epinephrine|naloxone|nitroglycerin)\b", re.I)
"""A drug by its name (the suffix of its class, or a common name), not "medications"."""
NAMED = 1.25
"""A treatment sentence that names the drug ranks above one that says "medications"."""
MORE_NAMED = 1.15
OPTIONS_COUNTED = 3
"""A sentence naming the options ("Use methyldopa, nifedipine, or labetalol") ranks above
one naming one drug among strategies: each further drug, up to this many, by MORE_NAMED."""
SCREENING = re.compile(r"\b(screen\w*|test\w*|surveillance|examination|colonoscopy|"
                       r"mammograph\w*|cytology|testing)\b", re.I)
WHO_WHEN = re.compile(
    r"\b(aged?\s+\d+|\d+\s*(?:to|-|–|and)\s*\d+\s*years|\d+\s*years?\s*(?:or|and)\s*"
    r"(?:older|younger)|every\s+\d+|annual\w*|biennial\w*|once\b|interval|grade\s+[A-DI]\b|"
    r"\b[A-D] recommendation|adults?|women|men|children|adolescents|pregnan\w*)\b", re.I)
DEFINES = re.compile(
    r"\b(?:is|are)\s+(?:a|an|the|one of|caused|defined|characteri[sz]ed|common|rare|"
    r"types?|kinds?|forms?|group|condition|disease|disorder|inflammation|infection)\b|"
    r"\brefers? to\b|\bmeans\b|\balso (?:called|known)\b", re.I)
CAUSES = re.compile(r"\b(caused? by|causes?|happens? when|occurs? when|results? from|due to|"
                    r"develops? when|builds? up|triggered by|is linked to|risk factors?)\b", re.I)
"""A sentence that says what causes something (etiology questions)."""
CONTRARIES: tuple[tuple[re.Pattern[str], re.Pattern[str]], ...] = tuple(
    (re.compile(a, re.I), re.compile(b, re.I)) for a, b in (
        (r"\b(?:methicillin|oxacillin|drug|penicillin)[- ]?(?:susceptible|sensitive)\b|\bMSSA\b",
         r"\b(?:methicillin|oxacillin|drug|penicillin)[- ]?resistant\b|\bMRSA\b"),
        (r"\bnative[- ]valve\b|\bNVE\b", r"\bprosthetic[- ]valve\b|\bPVE\b"),
        (r"\breduced ejection\b|\bHFrEF\b", r"\bpreserved ejection\b|\bHFpEF\b"),
        (r"\btype 1 diabetes\b|\bT1D\b", r"\btype 2 diabetes\b|\bT2D\b"),
        (r"\boutpatients?\b|\bambulatory\b|\bat home\b|\bgo home\b",
         r"\binpatients?\b|\bhospitali[sz]ed\b|\bICU\b|\bintensive care\b"),
        (r"\bprimary prevention\b", r"\bsecondary prevention\b"),
        (r"\buncomplicated\b|\bsimple\b", r"\b(?<!un)complicated\b|\brecurrent\b|\bcUTIs?\b"),
        (r"\bunprovoked\b", r"\b(?<!un)provoked\b"),
    ))
"""Pairs of qualifiers that name opposite populations or settings: a sentence about the
other side of a pair than the question's ("MRSA" for a question about methicillin-
susceptible S. aureus, a prosthetic valve for a native one) answers another question."""
CONTRARY = 0.5
"""The factor for a sentence about the other side of a pair of :data:`CONTRARIES` only."""
ASKS_QUANTITY = re.compile(
    r"\b(?:what|which)\b[^?]*\b(?:ratios?|doses?|dosages?|values?|cut-?offs?|thresholds?|"
    r"targets?|levels?|duration|intervals?|range|percentages?|goals?|age|MAP)\b|"
    r"\bhow (?:long|many|much|often|high|low|soon)\b|\bwhen\b", re.I)
"""A question whose answer is a number: a ratio, a dose, a cut-off, an age, how often."""
NUMBER = re.compile(
    r"[<>≤≥]\s*\d|\b(?:below|above|under|over|less than|more than|greater than|at least|"
    r"at most|up to|exceeding)\s+\d|(?<![\w-])\d+\s*:\s*\d+\b|"
    r"(?<![\w-])\d+(?:[.,]\d+)?\s*(?:%|mg|mcg|µg|g|kg|ml|units?|iu|mm ?hg|mmol|cells|"
    r"years?|months?|weeks?|days?|hours?|h|minutes?|min|"
    r"times|breaths|beats|bpm)\b", re.I)
"""A number that states an amount, a threshold or a ratio ("age 45 years", "< 1.3", "3:1"),
not a count of trials or part of a name ("FIB-4", "SGLT2")."""
QUANTITY = 1.3
"""A sentence stating a number, for a question whose answer is one."""


def states_quantity(question: str, text: str) -> bool:
    """Whether ``question`` asks for a number and ``text`` states one."""
    return bool(ASKS_QUANTITY.search(question) and NUMBER.search(text))


QUESTION_WORDS = frozenset("what which who whom whose why how when where does did can could "
                           "should would the and for with".split())
DEFINITION_WINDOW = 8
"""The thing defined must be named within the sentence's first words."""


def slot_fit(info: QueryInfo, text: str, kind: str, prefers_consumer: bool = False) -> float:
    """How well ``text`` (from a document of ``kind``) fills the slot of the question."""
    fit = _slot_fit(info, text, kind, prefers_consumer)
    asked = qualifiers(info.text)
    if asked and asked & qualifiers(text):
        fit *= QUALIFIED
    if states_quantity(info.text, text):
        fit *= QUANTITY
    return fit


def qualifiers(text: str) -> frozenset[str]:
    """Which of the :data:`QUALIFIER` phrases ``text`` uses, normalised."""
    return frozenset(re.sub(r"[\s-]+", " ", m.group(0).lower()).rstrip("s").removesuffix("al")
                     for m in QUALIFIER.finditer(text))


def _slot_fit(info: QueryInfo, text: str, kind: str, prefers_consumer: bool) -> float:
    qtype = info.type
    if qtype == "management":
        treats = bool(TREATS.search(text))
        acts = bool(RECOMMENDS.search(text) or INTERVENTION.search(text))
        fit = BOTH if treats and acts else PART if treats or acts else 1.0
        named = {m.group(0).lower() for m in NAMED_DRUG.finditer(text)} if treats else set()
        if named:  # the options by name: each one more (up to OPTIONS_COUNTED) ranks higher
            fit *= NAMED * MORE_NAMED ** (min(len(named), OPTIONS_COUNTED) - 1)
        if kind == "guideline" and RECOMMENDS.search(text):
            fit *= GUIDELINE_RECOMMENDATION
        return fit
    if qtype == "dosing":
        stated = facts(text)
        dose = states_dose(text)
        return _both(dose, any(f.kind in ("route", "frequency") for f in stated))
    if qtype == "screening":
        return _both(bool(SCREENING.search(text)), bool(WHO_WHEN.search(text))) * (
            GUIDELINE_RECOMMENDATION if RECOMMENDS.search(text) else 1.0)
    if qtype == "definition":
        if defines(info.focus or info.core, text):
            consumer = prefers_consumer and kind == "consumer"
            return DEFINITION * (PATIENT_CONSUMER if consumer else 1.0)
        return 1.0
    if qtype == "etiology" and says_cause(info.focus or info.core, text):
        return BOTH if names(info.focus or info.core, text) else PART
    cue = TYPE_CUES.get(qtype)
    if cue is not None and cue.search(text):
        return TYPE_CUE
    return 1.0


def contrary(question: str, text: str, heading: str = "") -> bool:
    """Whether ``text`` (a list by its lead line; where it names neither side, its
    ``heading``) is about the other side of a pair of :data:`CONTRARIES` than ``question``
    and not about the question's side too."""
    lead = text.split("\n", 1)[0]  # a list is about what its lead line says
    for asked, opposite in _asked_sides(question):
        said = next((t for t in (lead, text, heading)
                     if asked.search(t) or opposite.search(t)), "")
        if opposite.search(said) and not asked.search(said):
            return True
    return False


def sides(question: str, text: str) -> bool:
    """Whether ``text`` names the question's side of a pair of :data:`CONTRARIES`."""
    return any(asked.search(text) for asked, _ in _asked_sides(question))


@lru_cache(maxsize=1024)
def _asked_sides(question: str) -> tuple[tuple[re.Pattern[str], re.Pattern[str]], ...]:
    """``(the question's side, the other side)`` of each pair of :data:`CONTRARIES` the
    question names one side of (asked once per question, not once per sentence)."""
    return tuple((asked, opposite) for one, other in CONTRARIES
                 for asked, opposite in ((one, other), (other, one))
                 if asked.search(question) and not opposite.search(question))


def says_cause(focus: str, text: str) -> bool:
    """Whether ``text`` says what causes ``focus``: "Psoriasis is a skin disease that causes
    itchy patches" says what psoriasis causes, not what causes it."""
    for m in CAUSES.finditer(text):
        clause = re.split(r"[;:,]", text[:m.start()])[-1]
        if m.group(0).lower() in ("cause", "causes") and names(focus, clause) \
                and not text[m.end():].lstrip().lower().startswith("of"):
            continue  # the focus is the subject: what it causes
        return True
    return False


def names(focus: str, text: str) -> bool:
    """Whether ``text`` names ``focus`` (by the first letters of one of its words)."""
    low = text.lower()
    words = [w for w in re.findall(r"[a-z0-9]+", focus.lower())
             if len(w) > 2 and w not in QUESTION_WORDS and not CAUSES.fullmatch(w)]
    return any(w[:5] in low for w in words)


def defines(focus: str, text: str) -> bool:
    """Whether ``text`` says what ``focus`` is ("Gout is a kind of arthritis...")."""
    words = [w for w in re.findall(r"[a-z0-9]+", focus.lower()) if len(w) > 2]
    if not words:
        return False
    verb = DEFINES.search(text)
    if verb is None:
        return False
    head = text[:verb.start()].lower()  # the thing defined comes before "is a"
    return len(head.split()) <= DEFINITION_WINDOW and any(w[:5] in head for w in words)


def _both(first: bool, second: bool) -> float:
    if first and second:
        return BOTH
    return PART if first or second else 1.0
