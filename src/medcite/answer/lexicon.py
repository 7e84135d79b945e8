"""Drug and condition names for the checks of meaning (:data:`~medcite.answer.entities.Lexicon`),
from the store's vocabularies or from vocabulary entries held in memory.

A drug entry carries its generic name, variants and brands, so "Advil" and "ibuprofen" are
one concept; a MeSH descriptor counts as a condition when it sits in the diseases (C) or
mental disorders (F03) branches.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from threading import Lock

from medcite.answer.entities import Concept, Lexicon, plain
from medcite.models import VocabTerm
from medcite.store.sqlite import SQLiteStore
from medcite.text.terms import stems

CONDITION_TREES = ("C", "F03")
COMMON_WORDS = frozenset("water gold silver air salt sugar light energy food milk oil tea "
                         "coffee fat sleep rest heat cold ice sun".split())
"""Vocabulary names that are everyday words first; a sentence may use them freely."""
MIN_CHARS = 4
CACHE_SIZE = 50_000


def concept_of(term: VocabTerm) -> Concept | None:
    """The concept of a vocabulary entry: every drug, and diseases among MeSH headings."""
    if term.source == "drug":
        kind = "drug"
    else:
        trees = term.extra.get("tree_numbers")
        if not (isinstance(trees, list) and any(str(t).startswith(CONDITION_TREES)
                                                for t in trees)):
            return None
        kind = "condition"
    names = frozenset(n for n in (plain(x).strip() for x in (term.name, *term.synonyms)) if n)
    return Concept(kind, term.name, names)


def usable(phrase: str) -> bool:
    """Whether a phrase is specific enough to hold a sentence to ("more" and "he" are drug
    names in the vocabulary; they are not checked)."""
    return len(phrase) >= MIN_CHARS and phrase not in COMMON_WORDS and bool(stems(phrase))


class TermLexicon:
    """A lexicon over vocabulary entries held in memory (benchmarks, tests)."""

    def __init__(self, terms: Iterable[VocabTerm]) -> None:
        self.concepts: dict[str, Concept] = {}
        for term in terms:
            concept = concept_of(term)
            if concept is None:
                continue
            for name in concept.names:
                if usable(name):
                    self.concepts.setdefault(name, concept)

    def __call__(self, phrases: Sequence[str]) -> Mapping[str, Concept]:
        return {p: c for p in phrases if (c := self.concepts.get(p)) is not None}


def store_lexicon(store: SQLiteStore) -> Lexicon:
    """A lexicon reading the store's vocabularies (answers are remembered per phrase)."""
    cache: dict[str, Concept | None] = {}
    lock = Lock()

    def lookup(phrases: Sequence[str]) -> Mapping[str, Concept]:
        wanted = [p for p in dict.fromkeys(phrases) if usable(p)]
        with lock:
            missing = [p for p in wanted if p not in cache]
        found: dict[str, Concept | None] = dict.fromkeys(missing)
        for phrase, term in store.vocab_matches(missing) if missing else ():
            concept = concept_of(term)
            if concept is not None and (found[phrase] is None or term.source == "drug"):
                found[phrase] = concept
        with lock:
            if len(cache) > CACHE_SIZE:
                cache.clear()
            cache.update(found)
            return {p: c for p in wanted if (c := cache.get(p)) is not None}

    return lookup
