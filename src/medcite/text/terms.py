"""Content terms of a text: the same stems the BM25 index uses, minus function words."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import tantivy

# Function words the index's stop list keeps but that carry no topic.
EXTRA_STOPS = frozenset(
    """were was been be being are is am do doe did done have has had having can could would
    should may might must shall will also than then there their they them these those this
    what which who whom whose when where why how all any both each few more most other some
    such onli own same so too veri just about abov after again against below between dure
    from further here into off onc out over under until up while use patient studi
    result conclus background method object aim includ associ signific compar""".split()
)


ANALYZER = "en_med"
"""The name tantivy indexes register the English analyzer under."""


def english_analyzer() -> Any:
    """Lower-case, English stop words removed, Snowball English stems."""
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(40))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.stopword("english"))
        .filter(tantivy.Filter.stemmer("english"))
        .build()
    )


@lru_cache(maxsize=1)
def _analyzer() -> Any:
    return english_analyzer()


def index_terms(text: str) -> list[str]:
    """The terms the BM25 index would search for ``text`` (its stop words dropped): empty
    when the text holds only words like "the", "of", "is", "not"."""
    return list(_analyzer().analyze(text))


def stems(text: str) -> list[str]:
    """Stemmed, lower-cased content terms of ``text`` in order (numbers kept)."""
    return [t for t in _analyzer().analyze(text) if t not in EXTRA_STOPS]


def stem_set(text: str) -> frozenset[str]:
    return frozenset(stems(text))


_DERIVATION = ("ation", "ition", "ment", "ness", "ion", "ive", "al", "ic")


def root(stem: str) -> str:
    """A coarser form of a stem, so that coverage matches "treat" with "treatment" and
    "diagnos" with "diagnost" (Snowball keeps derivational suffixes)."""
    for suffix in _DERIVATION:
        if stem.endswith(suffix) and len(stem) - len(suffix) >= 4:
            return stem[: -len(suffix)]
    return stem[:7] if len(stem) > 8 else stem


def roots(terms: frozenset[str] | set[str]) -> frozenset[str]:
    return frozenset(root(t) for t in terms)
