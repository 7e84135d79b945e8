"""How much of a question a text covers: the idf-weighted share of the question's terms
found in it, where a derivational variant ("treated" / "treatment") or a vocabulary
alternative of a phrase ("hypertension" for "high blood pressure") counts as found."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from medcite.retrieve.query import QueryInfo
from medcite.text.terms import root, roots, stem_set, stems

_NUMBER = re.compile(r"^\d+(?:[.,/]\d+)*$")
"""Plain numbers in a question are a patient's values ("BP 152/100", "eGFR of 40"), not
its topic: they do not count towards coverage."""


TELLING = frozenset(stems(
    "one two three four five six seven eight nine ten day days week weeks month months year "
    "years hour hours minute minutes ago since still develop developed presented reach fast "
    "quickly without within can't won't don't isn't doesn't"))
"""Words a clinical story is told with ("developed a DVT three weeks after", "can't reach a
centre within 2 hours"): they say when and how, not what the question is about, so they
do not count towards coverage either."""


EQUIVALENT_ROOTS: tuple[frozenset[str], ...] = (
    frozenset({"treat", "manag", "therapi", "therape"}),
)
"""Roots that ask for the same thing: "How is X treated?" is answered by "X management:
use ..." or "therapy for X"."""


class QuestionTerms:
    """The weighted terms of one question, ready to measure coverage of many texts."""

    def __init__(self, info: QueryInfo, idf: Callable[[Sequence[str]], dict[str, float]]
                 ) -> None:
        self.weights = idf([t for t in stems(info.core)
                            if not _NUMBER.match(t) and t not in TELLING])
        self.total = sum(self.weights.values())
        self.roots = {t: root(t) for t in self.weights}
        self.synonyms = [(stem_set(phrase), [stem_set(a) for a in alts if stem_set(a)])
                         for phrase, alts in info.synonyms]

    def __bool__(self) -> bool:
        return self.total > 0

    def covered(self, terms: frozenset[str]) -> set[str]:
        """The question's terms that ``terms`` (a text's stems) cover."""
        text_roots = roots(terms)
        for group in EQUIVALENT_ROOTS:
            if text_roots & group:
                text_roots = text_roots | group
        found = {t for t in self.weights if t in terms or self.roots[t] in text_roots}
        for phrase, alternatives in self.synonyms:
            if any(alt <= terms for alt in alternatives):
                found |= phrase & self.weights.keys()
        return found

    def coverage(self, terms: frozenset[str]) -> float:
        if not self.total:
            return 0.0
        return sum(self.weights[t] for t in self.covered(terms)) / self.total
