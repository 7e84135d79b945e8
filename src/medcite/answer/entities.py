"""Entities a sentence names that its cited passages must name too: drugs and drug classes,
dose forms, populations (age group, sex, pregnancy), disease stages and conditions.

A brand and its generic are the same drug: with a :data:`Lexicon` (the store's drug and
MeSH vocabularies, ``answer/lexicon.py``) any name of the entry counts. Without one, words
shaped like generic drug names ("-pril", "-sartan", "-mab"...) are checked by themselves.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from medcite.answer.cues import Analysis, normalise
from medcite.answer.shorthand import abbreviated_terms, initialisms
from medcite.text.abbreviations import find_definitions
from medcite.text.terms import stems

Reason = tuple[str, str]


@dataclass(frozen=True)
class Concept:
    """A vocabulary entry named in a text: a drug or a condition, with all its names."""

    kind: str  # drug | condition
    name: str
    names: frozenset[str]
    """Every name, in :func:`plain` form without the padding."""


Lexicon = Callable[[Sequence[str]], Mapping[str, Concept]]
"""Given phrases in :func:`plain` form, those that name a vocabulary entry, with it."""

_NON_WORD = re.compile(r"[^\w]+")


@lru_cache(maxsize=4096)
def plain(text: str) -> str:
    """Lower case, punctuation to spaces, padded with spaces: for whole-phrase search."""
    return " " + " ".join(_NON_WORD.sub(" ", normalise(text).lower()).split()) + " "


POPULATIONS: dict[str, tuple[str, ...]] = {
    "infants": ("infant", "infants", "newborn", "newborns", "neonate", "neonates", "neonatal",
                "baby", "babies", "preterm"),
    "children": ("child", "children", "childhood", "pediatric", "paediatric", "kids", "boys",
                 "girls", "boy", "girl", "school aged", "toddlers"),
    "adolescents": ("adolescent", "adolescents", "adolescence", "teen", "teens", "teenager",
                    "teenagers", "youth", "youths", "young people"),
    "adults": ("adult", "adults"),
    "older adults": ("older", "elderly", "geriatric", "seniors", "aged 65", "65 years"),
    "women": ("woman", "women", "female", "females", "girls", "girl", "mothers", "maternal",
              "pregnant", "pregnancy", "postmenopausal", "premenopausal"),
    "men": ("man", "men", "male", "males", "boys", "boy", "fathers"),
    "pregnancy": ("pregnant", "pregnancy", "pregnancies", "gestation", "gestational",
                  "antenatal", "prenatal", "obstetric", "trimester"),
    "breastfeeding": ("breastfeeding", "breast feeding", "lactating", "lactation",
                      "nursing mothers", "breastfed"),
    "postmenopausal": ("postmenopausal", "menopause", "menopausal"),
    "postpartum": ("postpartum", "puerperal", "puerperium", "after delivery",
                   "after childbirth"),
    "younger": ("younger", "young"),
}
"""Population groups and the words that name them; a group in the sentence must be named
(in any of its words) by the cited passages."""
_GROUP_OF: dict[str, list[str]] = {}
for _group, _words in POPULATIONS.items():
    for _word in _words:
        _GROUP_OF.setdefault(_word, []).append(_group)


def population_groups(text: str) -> frozenset[str]:
    """The population groups a text (in :func:`plain` form) names in any of their words."""
    return frozenset(g for g, words in POPULATIONS.items() if _named(text, words))


DRUG_CLASSES: dict[str, tuple[str, ...]] = {
    "ace inhibitor": ("ace inhibitor", "ace inhibitors", "acei", "angiotensin converting "
                      "enzyme inhibitor", "angiotensin converting enzyme inhibitors", "ace i"),
    "arb": ("arb", "arbs", "angiotensin receptor blocker", "angiotensin receptor blockers",
            "angiotensin ii receptor blocker", "angiotensin ii receptor blockers",
            "angiotensin receptor antagonist", "sartan", "sartans"),
    "beta blocker": ("beta blocker", "beta blockers", "adrenergic beta antagonists",
                     "β blocker", "β blockers", "beta adrenergic blocker"),
    "calcium channel blocker": ("calcium channel blocker", "calcium channel blockers", "ccb",
                                "ccbs", "calcium antagonist", "calcium antagonists"),
    "statin": ("statin", "statins", "hmg coa reductase inhibitor",
               "hmg coa reductase inhibitors"),
    "nsaid": ("nsaid", "nsaids", "nonsteroidal anti inflammatory", "non steroidal anti "
              "inflammatory", "nonsteroidal antiinflammatory"),
    "ssri": ("ssri", "ssris", "selective serotonin reuptake inhibitor",
             "selective serotonin reuptake inhibitors"),
    "bisphosphonate": ("bisphosphonate", "bisphosphonates"),
    "anticoagulant": ("anticoagulant", "anticoagulants", "anticoagulation", "doac", "doacs",
                      "noac", "noacs"),
    "antibiotic": ("antibiotic", "antibiotics", "antimicrobial", "antimicrobials",
                   "antibacterial"),
    "antiplatelet": ("antiplatelet", "antiplatelets", "antiplatelet therapy"),
    "corticosteroid": ("corticosteroid", "corticosteroids", "steroid", "steroids",
                       "glucocorticoid", "glucocorticoids"),
    "diuretic": ("diuretic", "diuretics"),
    "opioid": ("opioid", "opioids", "opiate", "opiates"),
    "insulin": ("insulin", "insulins"),
    "sglt2 inhibitor": ("sglt2 inhibitor", "sglt2 inhibitors", "sglt2i", "sglt 2 inhibitor",
                        "sglt 2 inhibitors", "gliflozin", "gliflozins"),
    "glp 1 receptor agonist": ("glp 1", "glp1", "glp 1 receptor agonist",
                               "glp 1 receptor agonists", "glp 1 ra", "glp 1 ras"),
    "proton pump inhibitor": ("proton pump inhibitor", "proton pump inhibitors", "ppi",
                              "ppis"),
}
_CLASS_OF = {name: cls for cls, names in DRUG_CLASSES.items() for name in names}

DOSE_FORMS: dict[str, tuple[str, ...]] = {
    "tablet": ("tablet", "tablets", "tab", "tabs", "pill", "pills"),
    "capsule": ("capsule", "capsules"),
    "injection": ("injection", "injections", "injectable", "injected", "shot", "shots"),
    "infusion": ("infusion", "infusions", "infused", "drip"),
    "patch": ("patch", "patches", "transdermal"),
    "cream": ("cream", "creams", "ointment", "ointments", "topical", "gel", "gels"),
    "inhaler": ("inhaler", "inhalers", "inhaled", "inhalation", "nebulized", "nebulised",
                "nebuliser", "nebulizer"),
    "spray": ("spray", "sprays", "nasal spray"),
    "suppository": ("suppository", "suppositories", "rectal"),
    "extended release": ("extended release", "sustained release", "modified release",
                         "controlled release", "er", "xr", "sr", "cr", "slow release"),
    "immediate release": ("immediate release", "ir"),
}
_FORM_OF = {name: form for form, names in DOSE_FORMS.items() for name in names
            if len(name) > 2}  # "ER" alone is too ambiguous to look for in the sentence

DRUG_SUFFIXES = (
    "pril", "sartan", "olol", "alol", "dipine", "statin", "mab", "tinib", "anib", "rafenib",
    "ciclib", "lisib", "conazole", "prazole", "dazole", "cillin", "mycin", "micin", "floxacin",
    "cycline", "navir", "buvir", "previr", "asvir", "vudine", "ciclovir", "clovir", "parin",
    "xaban", "gatran", "gliptin", "gliflozin", "glutide", "glinide", "tidine", "triptan",
    "setron", "lukast", "azepam", "azolam", "barbital", "profen", "fenac", "coxib", "oxetine",
    "triptyline", "pramine", "peridol", "apine", "idone", "dronate", "thiazide", "semide",
    "afil", "uterol", "oterol", "eterol", "tropium", "gabalin", "platin", "rubicin", "taxel",
    "fungin", "teplase", "dralazine", "zosin", "terone", "lutamide", "trozole", "tretinoin",
    "onide", "olone", "methasone", "nisone", "sonide", "mustine", "dronate", "vastatin",
)
"""Endings of generic drug names (WHO INN stems), for texts checked without a lexicon."""


def _named(text: str, names: Sequence[str]) -> bool:
    """Whether ``text`` (in :func:`plain` form) names one of ``names``: the phrase, or each
    of a longer name's words in any of their forms ("left ventricular (LV) hypertrophy";
    "lost more weight" for "weight loss", "gained weight" for "weight gain")."""
    if any(f" {n} " in text for n in names):
        return True
    forms = _word_forms(text)
    return any(" " in n and _word_forms(n) <= forms for n in names)


IRREGULAR_FORMS = {"lost": "loss", "lose": "loss", "loses": "loss", "losing": "loss",
                   "grew": "growth", "grow": "growth", "grows": "growth", "grown": "growth",
                   "died": "death", "die": "death", "dies": "death", "dying": "death"}
"""Verb forms of a condition's nouns that stemming does not join ("lost" / "loss")."""


@lru_cache(maxsize=4096)
def _word_forms(text: str) -> frozenset[str]:
    """The stems of a text's words, an irregular verb form as its noun's, a stop word as
    itself (the "a" of "vitamin a"): the words a longer name may be named by in any form."""
    forms = [IRREGULAR_FORMS.get(word, word) for word in text.split()]
    return frozenset(stem for form in forms for stem in (stems(form) or [form]))


def _abbreviated(claim: str, text: str) -> list[str]:
    """The long forms (in :func:`plain` form) of the abbreviations ``claim`` defines that
    ``text`` uses: "acute lung injury (ALI)" is named where a passage says "ALI"."""
    return [plain(long) for short, long in find_definitions(claim)
            if any(f" {s} " in text for s in (plain(short).strip(), plain(short).strip() + "s"))]


def _in_sentence(claim: str, names: Sequence[str]) -> list[str]:
    return [n for n in names if f" {n} " in claim]


def drugs_named(text: str, concepts: Mapping[str, Concept]) -> frozenset[str]:
    """The drugs and drug classes a text names, each by one key (a brand by its generic)."""
    said = plain(text)
    found = {c.name.lower() for c in concepts.values() if c.kind == "drug"}
    found |= {_CLASS_OF[n] for n in _CLASS_OF if f" {n} " in said}
    found |= {w for w in said.split() if drug_like(w)}
    return frozenset(found)


def drug_like(word: str) -> bool:
    """Whether a word is shaped like a generic drug name."""
    return len(word) >= 6 and word.isalpha() and word.endswith(DRUG_SUFFIXES) and \
        not word.endswith(("sterol", "reason", "season"))


def entity_reasons(claim: Analysis, passages: Sequence[str],
                   concepts: Mapping[str, Concept]) -> list[Reason]:
    """Drugs, drug classes, dose forms, populations, stages and conditions of the claim
    that no cited passage names."""
    said = plain(claim.text)
    text = plain(" ".join(passages))
    reasons: list[Reason] = []
    covered: set[str] = set()
    abbreviated = _abbreviated(claim.text, text)
    raw = " ".join(passages)
    shortened = initialisms(claim.text, raw)[0] | abbreviated_terms(claim.text, raw)
    for phrase, concept in concepts.items():
        covered.update(phrase.split())
        if not _named(text, sorted(concept.names | {phrase})) and \
                not any(f" {phrase} " in long for long in abbreviated) and \
                not set(stems(phrase)) <= shortened:
            reasons.append(("entity", f"{concept.kind} \"{phrase}\" is not in the cited "
                                      "passages"))
    for table, of, label in ((DRUG_CLASSES, _CLASS_OF, "drug class"),
                             (DOSE_FORMS, _FORM_OF, "dose form")):
        for name in _in_sentence(said, sorted(of, key=len, reverse=True)):
            if set(name.split()) <= covered:
                continue
            group = of[name]
            if not _named(text, table[group]):
                reasons.append(("entity", f"{label} \"{name}\" is not in the cited passages"))
                covered.update(name.split())
    for word, groups in _GROUP_OF.items():
        if f" {word} " in said and not all(_named(text, POPULATIONS[g]) for g in groups):
            reasons.append(("entity", f"population \"{word}\" is not in the cited passages"))
    reasons += _stages(said, text)
    passage_words = set(text.split())
    covered.update(w for long in abbreviated for w in long.split())
    for token in claim.tokens:
        if token.word not in covered and token.word not in passage_words and \
                drug_like(token.word):
            reasons.append(("entity", f"drug \"{token.word}\" is not in the cited passages"))
    return list(dict.fromkeys(reasons))


_STAGE = re.compile(r" (?:stage|g) (\d[ab]?|i{1,3}[ab]?|iv|v) ")


def _stages(said: str, text: str) -> list[Reason]:
    """"stage 4" (CKD, cancer) where the passages have only other stages."""
    mine = {m.group(1) for m in _STAGE.finditer(said)}
    if not mine:
        return []
    theirs = {m.group(1) for m in _STAGE.finditer(text)}
    missing = sorted(mine - theirs)
    return [("entity", f"stage {', '.join(missing)} is not in the cited passages")] if \
        missing and theirs else []
