"""Shorthand a passage uses for a sentence's words: initialisms it writes without defining
them ("BP" for "blood pressure") and abbreviations the sentence defines ("unified
Parkinson's disease rating scale (UPDRS)") that the passage uses by their short form."""

from __future__ import annotations

import re

from medcite.text.terms import stems

_BRACKETED = re.compile(r"([^(),;:\[\]]+?)\s?[(\[]([^()\[\]]{2,12})[)\]]")
_CORE = re.compile(r"[A-Za-z][A-Za-z0-9]+")
SPARE_WORDS = 2
"""Words a long form may have beyond the letters of its abbreviation ("rating", "of")."""


def abbreviated_terms(claim: str, text: str) -> frozenset[str]:
    """Terms of the long forms ``claim`` abbreviates ("unified Parkinson's disease rating
    scale (UPDRS)") whose abbreviation ``text`` uses ("UPDRS", "IIEF" for "IIEF-5"): the
    words before the bracket, as many as the abbreviation has letters and figures (the "1"
    of "FEV1" stands for "one second") and a few more, from one that starts with its first
    letter."""
    found: set[str] = set()
    for m in _BRACKETED.finditer(claim):
        short = _CORE.match(m.group(2).strip())
        if short is None or sum(c.isupper() for c in short.group()) < 2:
            continue
        core = short.group()
        if not re.search(rf"\b{re.escape(core)}", text, re.I):
            continue
        words = m.group(1).split()
        limit = sum(c.isalnum() for c in core) + SPARE_WORDS  # "1" for "one second"
        starts = [i for i in range(max(0, len(words) - limit), len(words))
                  if words[i][:1].lower() == core[0].lower()]
        if starts:
            found.update(stems(" ".join(words[starts[0]:])))
    return frozenset(found)


_CAPITALISED = re.compile(r"\b[A-Z][A-Za-z]*[A-Z][A-Za-z]*(?=\d*\b)")
_WORDS = re.compile(r"[^\W\d_]+")
MAX_INITIALS = 6
"""Most words an initialism stands for."""


def initialisms(sentence: str, text: str) -> tuple[frozenset[str], frozenset[str]]:
    """Terms of ``sentence`` that ``text`` names by their initials ("BP" for "blood
    pressure", "VFDs" for "ventilator free days"), and the stems of those initialisms: a
    passage abbreviates what it reports on without defining it. Only capitalised
    initialisms count ("OR" is not "or")."""
    capitals = {m.group().lower(): m.group() for m in _CAPITALISED.finditer(text)}
    capitals.update({k[:-1]: v for k, v in list(capitals.items()) if k.endswith("s")})
    words = words_of(sentence)
    named: set[str] = set()
    shorts: set[str] = set()
    for i in range(len(words)):
        for j in range(i + 2, min(i + MAX_INITIALS, len(words)) + 1):
            initials = "".join(w[0] for w in words[i:j])
            if initials in capitals:
                named.update(stems(" ".join(words[i:j])))
                shorts.update(stems(capitals[initials]))
    return frozenset(named), frozenset(shorts)


def words_of(text: str) -> list[str]:
    """The lower-cased words of ``text`` (letters only), as initials are taken from them."""
    return _WORDS.findall(text.lower())
