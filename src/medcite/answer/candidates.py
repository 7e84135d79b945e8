"""Candidate sentences: retrieved passages cut into clean, self-contained sentences.

A candidate is an exact span of a passage with only presentation trimmed off (section
labels, list bullets, reference markers), so it stays traceable to its source. Fragments,
headings, questions and sentences with broken brackets are not candidates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from medcite.models import Passage
from medcite.text.sentences import sentence_spans
from medcite.text.terms import stems

MIN_WORDS = 6
MAX_WORDS = 70

_LEADING = re.compile(
    r"^(?:(?:[A-Z][A-Z /&,()-]{2,40}|[A-Z][a-z]+(?: [A-Za-z]+){0,3}):\s+|[-•*·▪]\s+|"
    r"\(?\d{1,2}[.)]\s+|\d{1,3}(?:[,–-]\d{1,3})*\s+(?=[A-Z][a-z]))+"
)
_REF_MARKERS = re.compile(r"\s?\[(?:\d+(?:\s*[,–-]\s*\d+)*)\]")
_TRAILING_REF = re.compile(r"(?<=[.!])\s*\d+(?:[,–-]\d+)*$")
_BAD = re.compile(r"\b(?:Fig(?:ure)?s?\.?\s*\d|Table\s*\d|https?://|www\.|doi:|"
                  r"[Cc]opyright|©|All rights reserved)")
_ANAPHORA = re.compile(r"^(?:This|These|That|Those|It|Its|They|Their|Such|Both|Here|He|She)\b")
_NARRATIVE = re.compile(r"\b(?:we (?:report|describe|present)|(?:is|are|was|were) "
                        r"(?:reported|described|presented) here|a case of\b)", re.I)
_OBJECTIVE = re.compile(r"\b(?:we aimed|the aim of|this study (?:aimed|aims|was designed)|"
                        r"the purpose of|we sought|to (?:assess|evaluate|determine|investigate|"
                        r"examine|compare) (?:whether|the))\b", re.I)


@dataclass(frozen=True, slots=True)
class Candidate:
    """A clean sentence from one passage of one document."""

    text: str
    passage_id: str
    doc_id: str
    section: str
    position: int  # order within the passage
    terms: frozenset[str]
    anaphoric: bool
    objective: bool
    narrative: bool  # "we report a case..." tells what the paper does, not what it found


def clean(raw: str) -> str | None:
    """The sentence with labels, bullets and reference markers removed, or None if it is
    not a clean, complete sentence."""
    text = " ".join(raw.split())
    text = _LEADING.sub("", text)
    text = _REF_MARKERS.sub("", text)
    text = _TRAILING_REF.sub("", text).strip()
    if not text or not (text[0].isupper() or text[0].isdigit()):
        return None
    if text.endswith(("et al.", "e.g.", "i.e.", "vs.")):
        return None
    if text[-1] not in ".!" and not (text[-1] == ")" and len(text.split()) >= 8):
        return None  # a sentence may end on its closing statistics: "... (p < 0.01)"
    words = text.split()
    if not MIN_WORDS <= len(words) <= MAX_WORDS:
        return None
    if _BAD.search(text) or not _balanced(text):
        return None
    if sum(ch.isalpha() for ch in text) < 0.6 * len(text):
        return None  # tables, statistics dumps
    return text


def _balanced(text: str) -> bool:
    for open_, close in ("()", "[]", "{}"):
        depth = 0
        for ch in text:
            if ch == open_:
                depth += 1
            elif ch == close:
                depth -= 1
                if depth < 0:
                    return False
        if depth:
            return False
    return text.count('"') % 2 == 0


def candidates(passage: Passage) -> list[Candidate]:
    """Every clean sentence of ``passage``."""
    found = []
    for i, (s, e) in enumerate(sentence_spans(passage.text)):
        text = clean(passage.text[s:e])
        if text is None:
            continue
        found.append(Candidate(
            text=text, passage_id=passage.id, doc_id=passage.doc_id, section=passage.section,
            position=i, terms=frozenset(stems(text)), anaphoric=bool(_ANAPHORA.match(text)),
            objective=bool(_OBJECTIVE.search(text)), narrative=bool(_NARRATIVE.search(text)),
        ))
    return found
