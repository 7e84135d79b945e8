"""Safety and scope: emergencies described in a question come first, and questions that
are not medical are declined.

An *emergency* is a description of something happening to someone now (first or third
person, present) together with a red-flag sign — chest pain with sweating, stroke signs,
suicidal intent, anaphylaxis, overdose, severe bleeding, unresponsiveness. A clinician's
question *about* a condition ("management of anaphylaxis") is not an emergency.
A question is *out of scope* when it names nothing medical: no drug, no MeSH concept in
a medical branch of the tree, and no clinical word.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from medcite.store.sqlite import SQLiteStore, is_medical_entry, normalize_phrase
from medcite.text.terms import stems

EMERGENCY_NOTICE = (
    "This may be a medical emergency. Call your local emergency number (911 in the US, 112 "
    "in the EU, 999 in the UK) or go to the nearest emergency department now. Do not wait "
    "for an online answer."
)
"""The whole answer to an emergency: no evidence follows it, since reading would only
delay care."""
CRISIS_NOTICE = (
    "If you are thinking about ending your life or harming yourself, please call or text a "
    "crisis line now (988 in the US; 116 123 Samaritans in the UK) or your local emergency "
    "number. You are not alone, and help is available right now."
)
OUT_OF_SCOPE_NOTICE = (
    "medcite answers clinical and health questions from medical literature and guidelines. "
    "This question does not appear to be a medical one, so no answer is given."
)

_SITUATION = re.compile(
    r"\b(i am|i'm|im|i have|i've|i feel|i think i|my (?:\w+ ){0,2}(?:is|has|was|can't|cannot|"
    r"won't|isn't|keeps|just)|he is|he's|she is|she's|he has|she has|they are|they have|"
    r"(?:he|she|they) (?:can't|cannot|won't|isn't|aren't|just)|right now|at the moment|"
    r"currently|suddenly|just (?:started|took|swallowed|collapsed)|for the (?:last|past) "
    r"\d+ (?:minutes|hours)|help me|what should i do|should i go|"
    r"(?:my|our) (?:\w+ ){0,2}(?:swallowed|took|drank|ate|fell|collapsed|fainted|"
    r"passed out|is having|has been|started|stopped))\b", re.I)
_RED_FLAGS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("chest pain", re.compile(
        r"(chest (?:pain|pressure|tightness)|crushing pain|pain (?:in|across) (?:my |the )?chest)"
        r".{0,80}(sweat|clammy|short(?:ness)? of breath|breathless|radiat|left arm|jaw|nause|"
        r"faint)|(sweat|clammy|short(?:ness)? of breath|left arm|jaw).{0,80}"
        r"(chest (?:pain|pressure|tightness))", re.I)),
    ("stroke", re.compile(
        r"(face (?:is )?droop|facial droop|drooping face|slurred speech|slurring|can't speak|"
        r"cannot speak|trouble speaking|sudden (?:weakness|numbness)|numb(?:ness)? on one side|"
        r"weak(?:ness)? on one side|one side of (?:his|her|my|the) (?:face|body))", re.I)),
    ("anaphylaxis", re.compile(
        r"(throat (?:is )?(?:closing|swelling|tight)|tongue (?:is )?swelling|lips? (?:are |is )?"
        r"swelling|can't breathe|cannot breathe|struggling to breathe|hard to breathe|"
        r"anaphyla)", re.I)),
    ("overdose", re.compile(
        r"(overdos|took too many|swallowed (?:a bottle|all|too many|\d+)|poison(?:ed|ing)|"
        r"drank (?:bleach|antifreeze))", re.I)),
    ("bleeding", re.compile(
        r"(won't stop bleeding|bleeding (?:heavily|a lot|won't stop)|vomiting blood|"
        r"coughing (?:up )?blood|blood everywhere)", re.I)),
    ("unresponsive", re.compile(
        r"(unconscious|unresponsive|not breathing|won't wake|passed out and|collapsed|"
        r"seizure (?:for|lasting) (?:more than |over )?\d+ ?min|turning blue)", re.I)),
)
_SUICIDAL = re.compile(
    r"\b(kill (?:my ?self|myself)|end (?:my|it all|my own) life|suicid\w*|want to die|"
    r"don't want to (?:live|be alive)|hurt(?:ing)? myself|self[- ]harm)\b", re.I)
_FIRST_PERSON = re.compile(r"\b(i|i'm|im|i've|me|my|myself)\b", re.I)

MEDICAL_WORDS = re.compile(
    r"\b(symptom|sign|treat|therap|drug|medic|dose|dosage|tablet|pill|side effect|disease|"
    r"mammogra|colonoscop|pap (?:test|smear)|check-?up|checked|eyes?|vision|hearing|"
    r"teeth|dental|vaccin|shots?|"
    r"disorder|syndrome|infect|diagnos|prognos|surg|clinic|patient|doctor|nurse|hospital|"
    r"health|pain|ache|fever|cancer|tumou?r|vaccin|virus|bacteri|blood|pregnan|injur|"
    r"screen|prevent|risk|mortality|morbidity|chronic|acute|allerg|rash|cough|heart|lung|"
    r"kidney|liver|brain|bone|skin|stomach|diet|nutrition|vitamin|mental|anxiety|depress|"
    r"sleep|weight|exercise|trial|guideline|biomarker|gene|mutation|protein|enzyme|"
    r"receptor|antibod|immun|inflamm|hormon|insulin|cell|tissue|poison|toxi|gland|genom|"
    r"genetic|dna|rna|viral|microb|pathogen|molecul|pharmac|syndrom|meds?\b|flu\b|diabet|"
    r"asthma|arthrit|obes|hepatit|ricket|nodes?\b|lump|swell|bleed|wound|vision|hearing|"
    r"pregnan|baby|infant|neonat|birth|child(?:ren)?'s health|elderly|disab|injur|accident)",
    re.I)
IDENTIFIER = re.compile(r"\b(?=[A-Za-z-]*\d)(?=[\w-]*[A-Za-z])[A-Za-z][\w-]*\d[\w-]*\b|"
                        r"\b[a-z]+[A-Z][\w-]*\b|\b[A-Z][a-z]+[A-Z][\w-]*\b")
"""Gene, protein and drug-candidate names: letters with digits (CYP3A4, CPX-351, TH1579)
or capitals inside a word (msDNA, SBGNview, IFNg)."""
ACRONYM = re.compile(r"\b[A-Z]{2,8}\b")
@dataclass(frozen=True)
class Assessment:
    status: str  # "ok" | "emergency" | "out_of_scope"
    notice: str | None = None
    reason: str = ""


def assess(question: str, store: SQLiteStore | None = None,
           share: Callable[[Sequence[str]], dict[str, float]] | None = None) -> Assessment:
    """Whether ``question`` describes an emergency, is out of scope, or can be answered.
    ``share`` (the share of indexed passages holding a term) lets acronyms the corpus
    uses count as medical."""
    if _SUICIDAL.search(question) and _FIRST_PERSON.search(question):
        return Assessment("emergency", CRISIS_NOTICE, "suicidal intent")
    if _SITUATION.search(question):
        for name, pattern in _RED_FLAGS:
            if pattern.search(question):
                return Assessment("emergency", EMERGENCY_NOTICE, name)
    if not is_medical(question, store, share):
        return Assessment("out_of_scope", OUT_OF_SCOPE_NOTICE, "no medical concept")
    return Assessment("ok")


def is_medical(question: str, store: SQLiteStore | None,
               share: Callable[[Sequence[str]], dict[str, float]] | None = None) -> bool:
    """Whether the question names a medical concept: a clinical word, a gene or drug-like
    identifier, a drug, a MeSH term of a medical branch (matched by stem, so
    "leptomeningeal" meets "Leptomeninges"), or an acronym the corpus uses."""
    if MEDICAL_WORDS.search(question) or IDENTIFIER.search(question):
        return True
    if store is None or not store.vocab_count():
        return True  # without vocabularies there is no telling: let the evidence decide
    words = normalize_phrase(question).split()
    grams = [" ".join(words[i:i + n]) for n in range(5, 0, -1) for i in range(len(words) - n + 1)]
    grams = [g for g in dict.fromkeys(grams) if len(g) >= 4]
    if any(is_medical_entry(entry) for _, entry in store.vocab_matches(grams)):
        return True
    if store.medical_stems(stems(question)):
        return True
    acronyms = set(ACRONYM.findall(question))
    if any(store.long_forms(a, min_count=3) for a in acronyms):
        return True
    if share is not None and acronyms:
        used = share([a.lower() for a in acronyms])
        return any(v > 0 for v in used.values())
    return False
