"""Abbreviation definitions found in text: "long form (SF)", after Schwartz & Hearst
(2003), "A simple algorithm for identifying abbreviation definitions in biomedical text".

Pure and fast enough to run on every ingested abstract; the pairs feed query expansion
("ASD" <-> "autism spectrum disorder").
"""

from __future__ import annotations

import re

_PAREN = re.compile(r"\(([^()]{2,12})\)")
_WORD = re.compile(r"\S+")


def _valid_short(short: str) -> bool:
    if not 2 <= len(short) <= 10 or len(short.split()) > 2:
        return False
    if not short[0].isalnum() or not any(c.isalpha() for c in short):
        return False
    return any(c.isupper() for c in short)


def _match(short: str, long: str) -> str | None:
    """The shortest tail of ``long`` that spells ``short`` (Schwartz & Hearst)."""
    s, l_ = len(short) - 1, len(long) - 1
    while s >= 0:
        c = short[s].lower()
        if not c.isalnum():
            s -= 1
            continue
        while l_ >= 0 and (long[l_].lower() != c or (s == 0 and l_ > 0 and long[l_ - 1].isalnum())):
            l_ -= 1
        if l_ < 0:
            return None
        l_ -= 1
        s -= 1
    start = long.rfind(" ", 0, l_ + 1) + 1
    return long[start:].strip()


def find_definitions(text: str) -> list[tuple[str, str]]:
    """``(short, long)`` pairs defined in ``text``, e.g. ("ASD", "autism spectrum disorder")."""
    pairs = []
    for m in _PAREN.finditer(text):
        short = m.group(1).strip()
        if not _valid_short(short):
            continue
        words = _WORD.findall(text[max(0, m.start() - 200):m.start()])
        window = words[-min(len(short) + 5, len(short) * 2):]
        candidate = " ".join(window).strip(" ,;:")
        if not candidate:
            continue
        long = _match(short, candidate)
        if not long or len(long) <= len(short) or (" " not in long and len(short) > 2):
            continue
        long = long.strip(" ,;:-")
        if long.lower().startswith(short.lower()) or "(" in long or ")" in long:
            continue
        if len(long.split()) > len(short) + 3:
            continue
        pairs.append((short, long.lower()))
    return pairs
