"""Query expansion from the store's vocabularies: MeSH entry terms, drug brand/generic
names, and abbreviations (a short clinical list plus definitions mined from the corpus).

Expansions are extra phrases searched with a lower weight than the question's own words,
so a synonym can find a passage but never outranks one that uses the question's terms.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from medcite.models import VocabTerm
from medcite.store.sqlite import SQLiteStore, normalize_phrase
from medcite.text.terms import stem_set, stems

MAX_NGRAM = 6
MAX_PER_CONCEPT = 3
MAX_EXPANSIONS = 8

# Abbreviations common in clinical questions; definitions mined from the corpus add more.
CLINICAL_ABBREVIATIONS: dict[str, str] = {
    "AF": "atrial fibrillation", "AKI": "acute kidney injury",
    "ALS": "amyotrophic lateral sclerosis", "AMI": "acute myocardial infarction",
    "ARDS": "acute respiratory distress syndrome", "BP": "blood pressure",
    "BPH": "benign prostatic hyperplasia", "CABG": "coronary artery bypass",
    "CAD": "coronary artery disease", "CAP": "community-acquired pneumonia",
    "CHF": "congestive heart failure", "CKD": "chronic kidney disease",
    "COPD": "chronic obstructive pulmonary disease", "CSF": "cerebrospinal fluid",
    "CT": "computed tomography", "CVA": "stroke", "DKA": "diabetic ketoacidosis",
    "DM": "diabetes mellitus", "DVT": "deep vein thrombosis", "ECG": "electrocardiogram",
    "GERD": "gastroesophageal reflux disease", "GI": "gastrointestinal", "HF": "heart failure",
    "HIV": "human immunodeficiency virus", "HRT": "hormone replacement therapy",
    "HTN": "hypertension", "IBD": "inflammatory bowel disease",
    "IBS": "irritable bowel syndrome", "ICU": "intensive care unit", "IV": "intravenous",
    "LMD": "leptomeningeal disease", "MI": "myocardial infarction",
    "MRI": "magnetic resonance imaging", "MS": "multiple sclerosis",
    "NSAID": "nonsteroidal anti-inflammatory drug", "OA": "osteoarthritis",
    "PCOS": "polycystic ovary syndrome", "PE": "pulmonary embolism",
    "PPI": "proton pump inhibitor", "PTSD": "post-traumatic stress disorder",
    "RA": "rheumatoid arthritis", "SLE": "systemic lupus erythematosus",
    "SSRI": "selective serotonin reuptake inhibitor",
    "STEMI": "ST-elevation myocardial infarction", "TB": "tuberculosis",
    "TIA": "transient ischemic attack", "T2DM": "type 2 diabetes",
    "UTI": "urinary tract infection", "VTE": "venous thromboembolism",
}
_LONG_TO_SHORT = {v: k for k, v in CLINICAL_ABBREVIATIONS.items()}
LAY_TERMS: dict[str, str] = {
    "underactive thyroid": "hypothyroidism", "overactive thyroid": "hyperthyroidism",
    "blood thinner": "anticoagulant", "blood thinners": "anticoagulants",
    "water pill": "diuretic", "water pills": "diuretics",
    "mini stroke": "transient ischemic attack", "sugar diabetes": "diabetes mellitus",
    "kidney stone": "nephrolithiasis", "kidney stones": "nephrolithiasis",
    "heartburn": "gastroesophageal reflux", "pink eye": "conjunctivitis",
    "lazy eye": "amblyopia", "shingles": "herpes zoster", "chickenpox": "varicella",
    "whooping cough": "pertussis", "bladder infection": "cystitis",
}
"""Everyday names the vocabularies lack, with the clinical term the literature uses
(MeSH already knows "heart attack" and "high blood pressure")."""
_SHORT = re.compile(r"\b[A-Z][A-Z0-9-]{1,7}\b")


@dataclass(frozen=True)
class Expansion:
    phrase: str  # as found in the question
    alternatives: tuple[str, ...]
    source: str  # mesh | drug | abbreviation | lay


ShareFn = Callable[[Sequence[str]], dict[str, float]]
"""The share of indexed passages containing each analysed term."""
MAX_SINGLE_WORD_SHARE = 0.01
"""A one-word concept is expanded only if at most this share of passages contain it
("treatment", "children" or "mortality" are too common for synonyms to help)."""


def expand(store: SQLiteStore, question: str, share: ShareFn | None = None,
           common: bool = False) -> list[Expansion]:
    """Synonyms, brand/generic names and abbreviation forms of the concepts in ``question``.
    ``common``: also of one-word concepts too common for their synonyms to help retrieval
    ("hypertension": a passage saying "high blood pressure" still covers the question)."""
    found: list[Expansion] = []
    have = stem_set(question)
    for short in dict.fromkeys(_SHORT.findall(question)):
        longs = [CLINICAL_ABBREVIATIONS[short]] if short in CLINICAL_ABBREVIATIONS else []
        longs += [lf for lf, _ in store.long_forms(short, min_count=3)]
        alts = _fresh(longs[:2], have)
        if alts:
            found.append(Expansion(short, alts, "abbreviation"))
    lowered = f" {normalize_phrase(question)} "
    for lay, clinical in LAY_TERMS.items():
        if f" {normalize_phrase(lay)} " in lowered:
            found.append(Expansion(lay, (clinical,), "lay"))
    grams = [g for g in _ngrams(question)
             if " " in g or (len(g) >= 4 if common else _rare(g, share))]
    for phrase, entry in _longest(store.vocab_matches(grams)):
        source = entry.source
        alts = _fresh(_best_synonyms(phrase, entry, share), have)
        shorts = [sf for sf, _ in store.short_forms(phrase, min_count=3)]
        if phrase in _LONG_TO_SHORT:
            shorts.insert(0, _LONG_TO_SHORT[phrase])
        alts = tuple(dict.fromkeys((*alts, *shorts[:1])))
        if alts:
            found.append(Expansion(phrase, alts[:MAX_PER_CONCEPT], source))
    return found[:MAX_EXPANSIONS]


def drugs_named(store: SQLiteStore, question: str) -> tuple[str, ...]:
    """The drugs ``question`` names, as it names them: entries of the drug vocabulary, and
    MeSH descriptors with a pharmacological action ("metronidazole", "Tylenol")."""
    grams = [g for g in _ngrams(question) if len(g) >= 4]
    return tuple(phrase for phrase, entry in _longest(store.vocab_matches(grams))
                 if entry.source == "drug" or entry.extra.get("pharm_actions"))


def _ngrams(question: str) -> list[str]:
    """The question's word n-grams (up to MAX_NGRAM words), longest first, each once."""
    words = normalize_phrase(question).split()
    return list(dict.fromkeys(" ".join(words[i:i + n]) for n in range(MAX_NGRAM, 0, -1)
                              for i in range(len(words) - n + 1)))


def _longest(matches: list[tuple[str, VocabTerm]]) -> list[tuple[str, VocabTerm]]:
    """The matches no longer match covers ("heart failure" in "acute heart failure")."""
    kept: list[tuple[str, VocabTerm]] = []
    for phrase, entry in sorted(matches, key=lambda m: -len(m[0])):
        if not any(phrase in k for k, _ in kept):
            kept.append((phrase, entry))
    return kept


def _rare(word: str, share: ShareFn | None) -> bool:
    if len(word) < 4:
        return False
    if share is None:
        return len(word) >= 5
    shares = share(list(stem_set(word)))
    return bool(shares) and max(shares.values()) <= MAX_SINGLE_WORD_SHARE


def uninvert(name: str) -> str:
    """MeSH's inverted headings read naturally: "Diabetes Mellitus, Type 2" ->
    "Type 2 Diabetes Mellitus"."""
    head, _, tail = name.partition(", ")
    return f"{tail} {head}" if tail and "," not in tail else name


def _best_synonyms(phrase: str, entry: VocabTerm, share: ShareFn | None) -> list[str]:
    """For a drug: the generic name for a brand; for a generic, the other names the corpus
    uses most (e.g. paracetamol for acetaminophen). For MeSH: the preferred name and the
    plainest entry terms (no inverted or long chemical names)."""
    if entry.source == "drug":
        if normalize_phrase(entry.name) != phrase:
            return [entry.name]
        names = [n for n in entry.synonyms[:40] if n.isalpha() and len(n) >= 4]
        if share is None or not names:
            return names[:1]
        stemmed = {n: stems(n)[0] for n in names if stems(n)}
        shares = share(list(stemmed.values()))
        used = sorted((-shares[s], n) for n, s in stemmed.items() if shares[s] > 0)
        return [n for _, n in used[:2]]
    pool = [uninvert(entry.name), *(uninvert(s) for s in entry.synonyms)]
    keep = [s for s in pool if "," not in s and len(s.split()) <= 5 and len(s) <= 40]
    preferred, rest = keep[:1], sorted(dict.fromkeys(keep[1:]), key=len)
    return (preferred + rest)[:MAX_PER_CONCEPT]


def _fresh(alternatives: list[str], have: frozenset[str]) -> tuple[str, ...]:
    """Alternatives that add at least one term the question does not already have."""
    fresh = []
    for alt in alternatives:
        stems = stem_set(alt)
        if stems and not stems <= have:
            fresh.append(alt.lower())
    return tuple(dict.fromkeys(fresh))
