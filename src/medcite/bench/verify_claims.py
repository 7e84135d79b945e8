"""The claims ``medcite bench verify`` judges, built at run time from ``../shared/data``.

1. Trial claims (Evidence Inference dev): "Compared with C, I significantly increased /
   significantly decreased / made no significant difference to O" — the gold answer is
   faithful, the other two change the meaning — against the evidence sentences alone
   (``trial``), against them where they name the arms and outcome (``trial-named``), and
   against the evidence with the trial's abstract (``trial+abstract``: what a citation of
   the paper carries).
2. Guideline and abstract sentences, as passages chunk them: verbatim and with benign
   edits (faithful), and with one meaning change made by rule (negation added or removed,
   direction flipped, strength changed, drug swapped for another vocabulary drug,
   population changed). Each edit applies only where the sentence allows it.
"""

from __future__ import annotations

import gzip
import json
import random
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from medcite.answer.entities import Lexicon
from medcite.answer.meaning import concepts_in
from medcite.ingest.chunking import chunk_document
from medcite.ingest.jsonl import read_corpus
from medcite.models import Document
from medcite.retrieve.expand import CLINICAL_ABBREVIATIONS
from medcite.text.sentences import sentence_spans
from medcite.text.terms import stems

FAITHFUL_EDITS = ("verbatim", "drop_parenthesis", "reorder", "patients_with", "abbreviation",
                  "brand_generic")
CHANGES = ("negation_added", "negation_removed", "direction", "strength", "drug_swap",
           "population")
ARM_SHARE = 0.75
"""Share of an arm's terms the evidence must have for a claim in the ``trial-named`` set."""
TRIAL_PHRASES = {"significantly increased": "significantly increased",
                 "significantly decreased": "significantly decreased",
                 "no significant difference": "made no significant difference to"}


@dataclass(frozen=True)
class Claim:
    source: str  # guideline | abstract | trial | trial+abstract
    kind: str  # a faithful edit, a change, or trial_faithful / trial_<answer>
    faithful: bool
    sentence: str
    passages: tuple[str, ...]


# -- trial claims -----------------------------------------------------------------------

def trial_claims(data_dir: Path, limit: int | None) -> Iterator[Claim]:
    rows = []
    with (data_dir / "dev" / "evidence_inference_dev.jsonl").open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                rows.append(json.loads(line))
            if limit is not None and len(rows) >= limit:
                break
    abstracts = _documents(data_dir / "corpus" / "research.jsonl.gz",
                           {g for r in rows for g in r.get("gold_doc_ids") or ()})
    for r in rows:
        evidence = tuple(dict.fromkeys(" ".join(e.split()) for e in r["evidence"] if e.strip()))
        papers = tuple(p.text for g in r.get("gold_doc_ids") or () if g in abstracts
                       for p in chunk_document(abstracts[g]))
        arms = [_clean(r[k]) for k in ("intervention", "comparator", "outcome")]
        named = all(_named(arm, evidence) for arm in arms)
        for answer, phrase in TRIAL_PHRASES.items():
            claim = (f"Compared with {_clean(r['comparator'])}, {_clean(r['intervention'])} "
                     f"{phrase} {_clean(r['outcome'])}.")
            faithful = answer == r["answer"]
            kind = "trial_faithful" if faithful else \
                "trial_significance" if "no significant difference" in (answer, r["answer"]) \
                else \
                "trial_direction"
            yield Claim("trial", kind, faithful, claim, evidence)
            if named:
                yield Claim("trial-named", kind, faithful, claim, evidence)
            if papers:
                yield Claim("trial+abstract", kind, faithful, claim, evidence + papers)


def _named(arm: str, evidence: tuple[str, ...]) -> bool:
    """Whether the evidence names an arm or outcome: most of its content terms appear."""
    terms = set(stems(arm))
    have = {t for e in evidence for t in stems(e)}
    return bool(terms) and len(terms & have) >= ARM_SHARE * len(terms)


def _clean(text: str) -> str:
    return " ".join(text.split()).rstrip(" .;,")


def _documents(path: Path, ids: set[str]) -> dict[str, Document]:
    return {d.id: d for d in read_corpus(path) if isinstance(d, Document) and d.id in ids}


# -- sentences with edits ---------------------------------------------------------------

def source_sentences(path: Path, limit: int, per_doc: int, rng: random.Random
                     ) -> Iterator[tuple[str, str]]:
    """``(sentence, passage)`` pairs: clean prose sentences of the documents' passages."""
    docs = [d for d in read_corpus(path) if isinstance(d, Document) and d.text.strip()]
    rng.shuffle(docs)
    taken = 0
    for doc in docs:
        choices = [(s, p.text) for p in chunk_document(doc)
                   for s in _prose(p.text)]
        for sentence, passage in rng.sample(choices, min(per_doc, len(choices))):
            yield sentence, passage
            taken += 1
            if taken >= limit:
                return


def _prose(passage: str) -> list[str]:
    found = []
    for s, e in sentence_spans(passage):
        text = passage[s:e]
        words = text.split()
        if "|" in text or text.startswith("#") or not 8 <= len(words) <= 60:
            continue
        text = re.sub(r"^(?:[-•*]|\d+[.)])\s+", "", text).replace("**", "")
        if text[:1].isupper() and text.rstrip()[-1:] in ".)":
            found.append(text)
    return found


Edit = Callable[[str, random.Random], "str | None"]


def drop_parenthesis(s: str, rng: random.Random) -> str | None:
    edited = re.sub(r"\s*\([^()]{1,120}\)", "", s, count=1)
    return edited if edited != s else None


_LEAD = re.compile(r"^(In|For|Among|During|After|Before|At|With|When|If|Because|Although|"
                   r"Since|Unless|Once|To|Compared with|Compared to)\s+([^,]{3,90}),\s+(.+?)"
                   r"[.]?$")


def reorder(s: str, rng: random.Random) -> str | None:
    m = _LEAD.match(s)
    if not m:
        return None
    rest = m[3][0].upper() + m[3][1:]
    return f"{rest} {m[1].lower()} {m[2]}."


_WITH = re.compile(r"\b(patients|people|persons|individuals|adults|children|women|men) with "
                   r"([a-z]+(?: [a-z]+)?) (?=who|are|is|should|may|have|has|at|in|and|or|"
                   r"to|for|was|were)\b")


def patients_with(s: str, rng: random.Random) -> str | None:
    m = _WITH.search(s)
    return s[:m.start()] + f"{m[2]} {m[1]} " + s[m.end():] if m else None


_LONG = {long.lower(): short for short, long in CLINICAL_ABBREVIATIONS.items()}


def abbreviation(s: str, rng: random.Random) -> str | None:
    for long, short in _LONG.items():
        m = re.search(rf"\b{re.escape(long)}\b(?! \()", s, re.I)
        if m:
            return s[:m.start()] + short + s[m.end():]
    return None


_NEGATABLE = [
    (re.compile(r"\b(recommend|suggest|advise)s\b"), r"does not \1"),
    (re.compile(r"\b(is|are|was|were|should|may|will|could|must|did|does|do)\b"), r"\1 not"),
    (re.compile(r"\bcan\b"), "cannot"),
    (re.compile(r"\b(reduce|increase|improve|prevent|cause|lower|decrease)s\b"), r"does not \1"),
    (re.compile(r"\b(reduce|increase|improve|prevent|cause|lower|decrease)\b"), r"do not \1"),
    (re.compile(r"\b(reduced|increased|improved|prevented|caused|lowered|decreased)\b"),
     r"never \1"),
]
_NEGATIONS = [
    (re.compile(r"\bdoes not (recommend|suggest|advise)\b"), r"\1s"),
    (re.compile(r"\b(recommends?|recommended|advises?|suggests?) against\b"), r"\1"),
    (re.compile(r"\bnot recommended\b"), "recommended"),
    (re.compile(r"\b(is|are|was|were|should|may|will|could|must|did|does|do) not\b"), r"\1"),
    (re.compile(r"\bcannot\b"), "can"),
    (re.compile(r"\bcontraindicated\b"), "indicated"),
    (re.compile(r"\bineffective\b"), "effective"),
    (re.compile(r"\bunsafe\b"), "safe"),
    (re.compile(r"\bwithout\b"), "with"),
    (re.compile(r"\bnever\b"), "always"),
    (re.compile(r"\bno (evidence|benefit|difference|effect|increase|reduction|improvement)\b"),
     r"an \1"),
    (re.compile(r"\bfailed to (\w+)"), r"\1d"),
]


def _first(s: str, rules: list[tuple[re.Pattern[str], str]]) -> str | None:
    for pattern, repl in rules:
        edited = pattern.sub(repl, s, count=1)
        if edited != s:
            return edited
    return None


def negation_added(s: str, rng: random.Random) -> str | None:
    if re.search(r"\b(not|no|never|cannot|without|against)\b", s):
        return None
    return _first(s, _NEGATABLE)


def negation_removed(s: str, rng: random.Random) -> str | None:
    return _first(s, _NEGATIONS)


_ANTONYMS = dict(pair for a, b in (
    ("increase", "decrease"), ("increased", "decreased"), ("increases", "decreases"),
    ("higher", "lower"), ("more", "less"), ("greater", "smaller"), ("improve", "worsen"),
    ("improved", "worsened"), ("improves", "worsens"), ("benefit", "harm"),
    ("benefits", "harms"), ("reduced", "raised"), ("reduces", "raises"), ("reduce", "raise"),
    ("better", "worse"), ("superior", "inferior"), ("rise", "fall"), ("gain", "loss"),
    ("high", "low"), ("longer", "shorter"), ("fewer", "more"), ("lowers", "raises"),
    ("elevated", "reduced"), ("beneficial", "harmful"), ("reduction", "increase"),
    ("above", "below"), ("faster", "slower"), ("maximum", "minimum"),
) for pair in ((a, b), (b, a)))
_FIXED = re.compile(r"\b(lower|upper|high|low) (extremit|limb|urinary|respiratory|back|"
                    r"income|gastro|abdom|tract|school)|\b(at least|at most|more than one)\b")


def direction(s: str, rng: random.Random) -> str | None:
    for m in re.finditer(r"\b[a-z]+\b", s):
        word = m.group()
        if word in _ANTONYMS and not _FIXED.match(s, m.start()) and \
                not _FIXED.search(s[max(0, m.start() - 3):m.end() + 12]):
            return s[:m.start()] + _ANTONYMS[word] + s[m.end():]
    return None


_STRENGTH = [
    (re.compile(r"\bstrong(ly)?\b", re.I), lambda m: "conditional" + ("ly" if m[1] else "")),
    (re.compile(r"\b(conditional|weak)(ly)?\b", re.I), lambda m: "strong" + (m[2] or "")),
    (re.compile(r"\b(Grade|grade) ([ABCDI])\b"),
     lambda m: f"{m[1]} {'C' if m[2] in 'AB' else 'A'}"),
    (re.compile(r"\b([ABCDI]) recommendation\b"),
     lambda m: f"{'D' if m[1] in 'ABC' else 'B'} recommendation"),
    (re.compile(r"\b(is|are|was|were) (?:strongly |significantly |independently )?"
                r"associated with\b"),
     lambda m: "causes" if m[1] in ("is",) else "cause" if m[1] == "are" else "caused"),
    (re.compile(r"\bmay\b"), lambda m: "must"), (re.compile(r"\bshould\b"), lambda m: "may"),
    (re.compile(r"\bmust\b"), lambda m: "may"), (re.compile(r"\bcan\b"), lambda m: "must"),
    (re.compile(r"\brecommends\b"), lambda m: "suggests"),
    (re.compile(r"\bsuggests\b"), lambda m: "strongly recommends"),
]


def strength(s: str, rng: random.Random) -> str | None:
    for pattern, repl in _STRENGTH:
        edited = pattern.sub(repl, s, count=1)
        if edited != s:
            return edited
    return None


_POPULATION = {"adults": "children", "children": "adults", "women": "men", "men": "women",
               "adolescents": "older adults", "older adults": "adolescents",
               "pregnant": "postmenopausal", "infants": "adults", "girls": "boys",
               "boys": "girls", "elderly": "pediatric", "pediatric": "elderly",
               "female": "male", "male": "female"}


def population(s: str, rng: random.Random) -> str | None:
    for word, other in _POPULATION.items():
        m = re.search(rf"\b{word}\b", s)
        if m:
            return s[:m.start()] + other + s[m.end():]
    return None


def edits(lexicon: Lexicon | None, drugs: list[str], brands: dict[str, str]
          ) -> dict[str, Edit]:
    """Every faithful edit and every change, by kind (drug edits need the vocabulary)."""

    def drug_mentions(s: str) -> list[tuple[str, str]]:
        found = concepts_in(s, lexicon)
        return [(p, c.name.lower()) for p, c in found.items() if c.kind == "drug"]

    def drug_swap(s: str, rng: random.Random) -> str | None:
        for phrase, _ in drug_mentions(s):
            m = re.search(rf"\b{re.escape(phrase)}\b", s, re.I)
            if m and drugs:
                other = rng.choice(drugs)
                return s[:m.start()] + other + s[m.end():]
        return None

    def brand_generic(s: str, rng: random.Random) -> str | None:
        for phrase, name in drug_mentions(s):
            brand = brands.get(name)
            m = re.search(rf"\b{re.escape(phrase)}\b", s, re.I)
            if brand and m and brand != phrase:
                return s[:m.start()] + brand.capitalize() + s[m.end():]
        return None

    return {"verbatim": lambda s, rng: s, "drop_parenthesis": drop_parenthesis,
            "reorder": reorder, "patients_with": patients_with, "abbreviation": abbreviation,
            "brand_generic": brand_generic, "negation_added": negation_added,
            "negation_removed": negation_removed, "direction": direction,
            "strength": strength, "drug_swap": drug_swap, "population": population}


def drug_names(path: Path) -> tuple[list[str], dict[str, str]]:
    """Generic names of drugs with a DrugBank id, and one brand name for each that has one."""
    generics: list[str] = []
    brands: dict[str, str] = {}
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            name = str(r.get("canonical") or "")
            if r.get("drugbank_id") and name.isalpha() and 5 <= len(name) <= 14:
                generics.append(name)
                for brand in r.get("brand_variants") or ():
                    if brand.isalpha() and len(brand) >= 5:
                        brands[name] = brand
                        break
    return generics, brands


def sentence_claims(source: str, pairs: list[tuple[str, str]], table: dict[str, Edit],
                    rng: random.Random) -> Iterator[Claim]:
    for sentence, passage in pairs:
        for kind, edit in table.items():
            edited = edit(sentence, rng)
            if edited is None or (kind != "verbatim" and edited == sentence):
                continue
            yield Claim(source, kind, kind in FAITHFUL_EDITS, edited, (passage,))
