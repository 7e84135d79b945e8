"""Sentence boundaries for medical prose, as character spans into the source text.

Rule based and fast: a boundary is ``.``, ``?`` or ``!`` (optionally followed by a closing
quote or bracket) then whitespace then an upper-case letter, digit or opening bracket,
except after abbreviations common in clinical writing (``e.g.``, ``vs.``, ``et al.``,
``Fig.``). Decimals and genus initials (``A. madagascariensis``) never match, as no
space or no capital follows their period. Line breaks that
separate list items or headings are boundaries too.
"""

from __future__ import annotations

import re

ABBREVIATIONS = frozenset({
    "e.g", "i.e", "vs", "v", "etc", "al", "fig", "figs", "no", "nos", "approx", "ca", "cf",
    "dr", "mr", "mrs", "ms", "prof", "st", "jr", "sr", "inc", "ltd", "dept", "univ", "vol",
    "pp", "eds", "suppl", "resp", "i.v", "i.m", "s.c", "p.o", "b.i.d", "t.i.d", "q.i.d", "q.d",
    "sp", "spp", "var", "ref", "refs", "eq", "jan", "feb", "mar", "apr", "jun", "jul", "aug",
    "sep", "sept", "oct", "nov", "dec", "u.s", "u.k",
})

_BOUNDARY = re.compile(
    r"""[.?!]['"”’)\]]*(?:\s?\[[\d,\s–-]{1,20}\]|(?<=[a-z]\.)\d{1,3}(?:[,–-]\d{1,3})*)?"""
    r"""\s+(?=[\[(“"'A-Z0-9])"""
)
"""A sentence ends at ``.?!`` (and closing quotes or brackets, and a reference marker:
"[12]", or "12" run into the period after a word, "...is higher.23 In the case..."),
then space and what can start a sentence."""
_LINE_BREAK = re.compile(r"\n\s*(?:\n\s*)*|(?<=[a-z0-9)][.?!])(?=[A-Z][A-Z ]{2,30}:\s)")
"""Blocks end at line breaks, and where a run-in label follows a sentence without a space
("...states.METHODS: We report...")."""
_WORD_BEFORE = re.compile(r"([A-Za-z][A-Za-z.]*)[.?!]['\"”’)\]]*$")


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Spans ``(s, e)`` of the sentences in ``text[start:end]``, whitespace trimmed."""
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    for block_start, block_end in _blocks(text, start, end):
        cut = block_start
        for match in _BOUNDARY.finditer(text, block_start, block_end):
            if _is_abbreviation(text, cut, match.start() + 1):
                continue
            _add(text, spans, cut, match.start() + len(match.group().rstrip()))
            cut = match.end()
        _add(text, spans, cut, block_end)
    return spans


def split_sentences(text: str) -> list[str]:
    """The sentences of ``text`` as strings."""
    return [text[s:e] for s, e in sentence_spans(text)]


def _blocks(text: str, start: int, end: int) -> list[tuple[int, int]]:
    blocks: list[tuple[int, int]] = []
    cut = start
    for match in _LINE_BREAK.finditer(text, start, end):
        blocks.append((cut, match.start()))
        cut = match.end()
    blocks.append((cut, end))
    return blocks


def _is_abbreviation(text: str, block_start: int, stop: int) -> bool:
    """Whether the period ending at ``stop`` closes an abbreviation, initial or decimal."""
    head = text[max(block_start, stop - 24):stop]
    match = _WORD_BEFORE.search(head)
    if not match:
        return False
    return match.group(1).rstrip(".").lower() in ABBREVIATIONS


def _add(text: str, spans: list[tuple[int, int]], s: int, e: int) -> None:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    if e > s:
        spans.append((s, e))
