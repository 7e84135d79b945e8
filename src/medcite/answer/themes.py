"""Themes of "From the Research", chosen by question type, and the cue words that put a
sentence under a theme or make it useful for a type of question."""

from __future__ import annotations

import re

Theme = tuple[str, re.Pattern[str]]


def _cue(words: str) -> re.Pattern[str]:
    return re.compile(r"\b(" + words + r")", re.I)


TREATMENT = _cue(r"treat|therap|chemotherap|radiother|radiation|surg|resect|drug|medicat|dose|"
                 r"regimen|intrathecal|intraven|oral|administ|inhibitor|antibiot|steroid|"
                 r"corticoster|vaccin|manag|first-line|second-line|prescri|recommend")
DIAGNOSIS = _cue(r"diagnos|detect|imaging|MRI|magnetic resonance|CT\b|computed tomograph|"
                 r"ultraso|biopsy|cytolog|CSF|cerebrospinal|sensitiv|specific|marker|test|"
                 r"screen|enhanc|finding|sign|symptom|present")
PROGNOSIS = _cue(r"surviv|prognos|mortal|death|died|recurr|relapse|median|outcome|"
                 r"life expectanc|poor|favorable|favourable")
OUTCOMES = _cue(r"improv|effective|efficac|respon|benefit|reduc|increas|decreas|"
                r"significant|remission|control|toxicit|adverse|tolerat|safe")
ETIOLOGY = _cue(r"caus|etiolog|aetiolog|mechanism|pathogen|mutation|gene|associated|risk|"
                r"infect|exposure|inherit")
RISK = _cue(r"risk factor|odds|hazard|associated with|predict|incidence|prevalen")
HARMS = _cue(r"harm|adverse|side effect|toxicit|complication|bleed|safety|risk")
RECOMMENDATION = _cue(r"recommend|should|suggest|advis|grade [A-DI]\b|first-line|preferred|"
                      r"indicated|consider|offer|initiat|guideline")

THEMES: dict[str, list[Theme]] = {
    "management": [("Management approach", TREATMENT), ("Treatment outcomes", OUTCOMES),
                   ("Diagnosis and prognosis", DIAGNOSIS)],
    "dosing": [("Doses and regimens", TREATMENT), ("Safety and adverse effects", HARMS),
               ("Outcomes", OUTCOMES)],
    "diagnosis": [("Diagnostic approach", DIAGNOSIS), ("Clinical features", PROGNOSIS),
                  ("Management implications", TREATMENT)],
    "prognosis": [("Outcomes and survival", PROGNOSIS), ("Prognostic factors", RISK),
                  ("Effect of treatment", TREATMENT)],
    "etiology": [("Causes and mechanisms", ETIOLOGY), ("Risk factors", RISK),
                 ("Clinical implications", TREATMENT)],
    "screening": [("Screening recommendations", DIAGNOSIS), ("Benefits and harms", HARMS),
                  ("Outcomes", OUTCOMES)],
    "comparison": [("Comparative findings", OUTCOMES), ("Other findings", TREATMENT)],
    "yesno": [("Key findings", OUTCOMES), ("Context", ETIOLOGY)],
    "general": [("Overview", ETIOLOGY), ("Diagnosis and treatment", TREATMENT),
                ("Outcomes", OUTCOMES)],
}
FALLBACK_THEME = "Other findings"

TYPE_CUES: dict[str, re.Pattern[str]] = {
    "management": TREATMENT, "dosing": _cue(r"\d+\s*(mg|mcg|µg|g|ml|units?)\b|dose|daily|"
                                            r"every \d+|twice|once"),
    "diagnosis": DIAGNOSIS, "prognosis": PROGNOSIS, "etiology": ETIOLOGY,
    "screening": _cue(r"screen|recommend|interval|every \d+ years|aged \d+"),
    "comparison": _cue(r"significant|differ|compared|versus|than|similar|p\s*[<=>]"),
    "yesno": _cue(r"significant|associated|effective|improv|reduc|increas|no differ|not"),
}


def theme_for(qtype: str, text: str) -> str:
    """The first theme of ``qtype`` whose cues appear in ``text``."""
    for title, pattern in THEMES.get(qtype, THEMES["general"]):
        if pattern.search(text):
            return title
    return FALLBACK_THEME
