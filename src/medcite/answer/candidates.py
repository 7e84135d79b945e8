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
MIN_LETTER_SHARE = 0.6
"""Below this share of letters a 'sentence' is a table row or a statistics dump."""
MIN_ITEM_LETTER_SHARE = 0.5
"""List items are shorter and carry more numbers (doses, thresholds)."""

_LEADING = re.compile(
    r"^(?:(?:[A-Z][A-Z /&,()-]{2,40}|(?:Background|Objectives?|Aims?|Purpose|Methods?|"
    r"Design|Setting|Participants|Interventions?|Results?|Findings|Conclusions?|"
    r"Interpretation|Context|Introduction|Discussion|Summary|Main outcome measures?|"
    r"Measurements|Patients|Study design|Materials and methods|Significance|Importance|"
    r"Rationale|Limitations|Clinical relevance)) ?:\s+|[-•*·▪]\s+|"
    r"\(?\d{1,2}[.)]\s+|\d{1,3}(?:[,–-]\d{1,3})*\s+(?=[A-Z][a-z]))+"
)
_REF_MARKERS = re.compile(r"\s?\[(?:\d+(?:\s*[,–-]\s*\d+)*)\]")
_TRAILING_REF = re.compile(r"(?<=[.!])\s*\d+(?:[,–-]\d+)*$")
_BAD = re.compile(r"\b(?:Fig(?:ure)?s?\.?\s*\d|Table\s*\d|https?://|www\.|doi:|"
                  r"[Cc]opyright|©|All rights reserved|OpenMedicine|via MCP|calculate_\w+|"
                  r"^Abbreviations?\s?:)")
BACK_REFERENCE = re.compile(
    r"^(?:This|These|That|Those|It|Its|They|Their|Them|Such|Both|Here|He|She|His|Her|"
    r"However|In addition|Additionally|Moreover|Furthermore|Also|Therefore|Thus|Hence|"
    r"Similarly|Likewise|In contrast|Conversely|Nevertheless|Nonetheless|Consequently|"
    r"Accordingly|Instead|Otherwise|Finally|Second|Secondly|Third|Thirdly|Then|Another|"
    r"The (?:latter|former|same|other|remaining|rest)|Other|In this|In these|For this|"
    r"As (?:a result|such|above|mentioned|noted)|Because of this|Despite this|"
    r"In (?:this|that|such|these) (?:case|cases|setting|study|group|patients)|"
    r"But|And|Yet|Still|So|Or|In other words|For example|For instance|Even so|Even then|"
    r"Besides|Rather|Meanwhile|Later|Afterwards?|Again|Too|Last|Lastly|"
    r"(?:The|This|That|These|Such|Each|Either) (?:one|ones|option|options|approach|method|"
    r"treatment|drug|test|procedure|condition|disease|problem))\b")
"""A sentence opening like this points back to the sentence before it."""
_MARKUP = re.compile(r"\*\*|__|^#|\s#{1,6}\s|\||`|^\s*[-*+•]\s|\]\(|<[a-z/][^>]*>")
"""Markdown, table or HTML residue that must never reach a reader."""
_INLINE_ITEM = re.compile(r"[.:;]\s+[-•*]\s+[A-Z(]")
"""A list item run into a sentence ("...gallstones. - Computerized tomography scan.")."""
_ITEM = re.compile(r"^\s*(?:[-*+•·▪]|\(?\d{1,2}[.)]|-->)\s+(?P<text>\S.*)$")
MAX_LIST_ITEMS = 6
MIN_ITEM_WORDS = 2
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
    if sum(ch.isalpha() for ch in text) < MIN_LETTER_SHARE * len(text):
        return None  # tables, statistics dumps
    if _MARKUP.search(text) or _INLINE_ITEM.search(text):
        return None
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
    """Every clean sentence of ``passage``, and each list of short items (a guideline's
    "Amoxicillin 1 g orally three times daily; OR" lines) as one candidate whose items are
    separated by line breaks."""
    found = []
    spans = sentence_spans(passage.text)
    for i, (s, e) in enumerate(spans):
        text = clean(passage.text[s:e])
        if text is None:
            continue
        found.append(_candidate(text, passage, i))
    for i, items in _lists(passage.text, spans):
        found.append(_candidate("\n".join(items), passage, i))
    return found


def _candidate(text: str, passage: Passage, position: int) -> Candidate:
    return Candidate(
        text=text, passage_id=passage.id, doc_id=passage.doc_id, section=passage.section,
        position=position, terms=frozenset(stems(text)),
        anaphoric=bool(BACK_REFERENCE.match(text)),
        objective=bool(_OBJECTIVE.search(text)), narrative=bool(_NARRATIVE.search(text)),
    )


def _lists(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, list[str]]]:
    """Runs of two or more list lines (bullets, numbers, the arrows of a decision
    algorithm) that are not sentences themselves, cleaned of their markers, after the
    line that introduces them if it ends with a colon: (position, lines)."""
    runs: list[tuple[int, list[str]]] = []
    current: list[str] = []
    lead: str | None = None
    offset = 0
    for line in [*text.split("\n"), "."]:  # the last line ends the last run
        start, offset = offset, offset + len(line) + 1
        if not line.strip():
            continue
        match = _ITEM.match(line)
        item = _list_item(match.group("text")) if match else None
        if item is not None and len(current) < MAX_LIST_ITEMS:
            if not current and lead is not None:
                current.append(lead)
            current.append(item)
            continue
        if sum(1 for c in current if c != lead) >= 2:
            runs.append((_position(spans, start), current))
        current = []
        lead = _lead(line) if match is None else None
    return runs


def _lead(line: str) -> str | None:
    """A line that introduces a list ("... at least two of the following:")."""
    text = " ".join(line.split())
    if not text.endswith(":") or len(text.split()) < MIN_WORDS or _MARKUP.search(text):
        return None
    return text if text[0].isupper() and _balanced(text) else None


def _position(spans: list[tuple[int, int]], at: int) -> int:
    return next((i for i, (s, _) in enumerate(spans) if s >= at), len(spans))


def _list_item(raw: str) -> str | None:
    text = _REF_MARKERS.sub("", " ".join(raw.split())).strip()
    if len(text.split()) < MIN_ITEM_WORDS or text.endswith((".", ":")) or _MARKUP.search(text):
        return None
    if not _balanced(text) or sum(ch.isalpha() for ch in text) < MIN_ITEM_LETTER_SHARE * len(text):
        return None
    return text
