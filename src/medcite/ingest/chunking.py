"""Section-aware chunking: documents into bounded passages that keep their section title.

Pure functions, no I/O. A passage is always an exact substring of the document's
``text`` (part ``text``) or of its joined ``body`` (part ``body``), so its offsets let a
reader see it in place.

* Structured abstracts (``BACKGROUND: ...`` one label per line) split on their labels;
  short neighbouring labelled sections share a passage when they fit.
* Headings (a short line without end punctuation before longer text) always start a
  new passage; full-text sections are chunked one at a time.
* Passages are packed sentence by sentence up to ``target`` characters; a single
  sentence longer than ``1.5 * target`` is cut at word boundaries.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from medcite.models import Document, Passage, PassagePart, join_sections
from medcite.text.sentences import sentence_spans

_LABEL = re.compile(
    r"[ \t]*([A-Z][A-Z0-9 ,/&()'-]{1,58}[A-Z)]|[A-Z][a-z]+(?: [A-Za-z]+){0,3}):[ \t]+"
)
_BULLET = re.compile(r"\s*(?:[-•*·]|\d+[.)])\s")
_MAX_HEADING_CHARS = 90
_BOILERPLATE_SECTIONS = re.compile(
    r"(?i)^(competing interests?|conflicts? of interest|declaration of interests?|"
    r"acknowledge?ments?|authors?'? contributions?|pre-publication history|funding|"
    r"abbreviations|references|supplementary (material|information)|"
    r"availability of data.*|ethics approval.*|consent for publication)$"
)
_MAX_HEADING_WORDS = 12


@dataclass(frozen=True, slots=True)
class Segment:
    title: str
    heading: bool  # True: a heading forces a passage break; False: an abstract label
    start: int
    end: int


def chunk_document(doc: Document, target: int = 1000) -> list[Passage]:
    """All passages of ``doc``: its main text first, then its full-text body."""
    passages = _chunk_part(doc.id, "text", doc.text, segment_text(doc.text), target)
    if doc.body:
        body = join_sections(doc.body)
        passages += _chunk_part(doc.id, "body", body, _body_segments(doc, body), target)
    if not passages and doc.title:
        passages.append(Passage(f"{doc.id}#t0", doc.id, "text", 0, "Title", doc.title, 0, 0))
    return passages


def segment_text(
    text: str, start: int = 0, end: int | None = None, title: str = ""
) -> list[Segment]:
    """Split ``text[start:end]`` at labels and headings into titled segments.

    Nested headings with nothing between them combine (``Rationale / Importance``).
    """
    end = len(text) if end is None else end
    segments: list[Segment] = []
    current_title, current_heading, seg_start = title, True, start
    lines = _line_spans(text, start, end)
    for i, (ls, le) in enumerate(lines):
        line = text[ls:le]
        label = _LABEL.match(line)
        if label and le - ls > label.end() + 1:
            _close(segments, current_title, current_heading, seg_start, ls, text)
            current_title, current_heading, seg_start = _clean_label(label.group(1)), False, ls
        elif _is_heading(line) and _has_text_after(text, lines, i):
            _close(segments, current_title, current_heading, seg_start, ls, text)
            heading = line.strip()
            nothing_between = not text[seg_start:ls].strip()
            if nothing_between and current_heading and current_title:
                heading = f"{current_title} / {heading}"
            current_title, current_heading, seg_start = heading, True, le
    _close(segments, current_title, current_heading, seg_start, end, text)
    return segments


def _chunk_part(
    doc_id: str, part: PassagePart, text: str, segments: list[Segment], target: int
) -> list[Passage]:
    limit = int(target * 1.5)
    prefix = "t" if part == "text" else "b"
    passages: list[Passage] = []
    cur_start = cur_end = -1
    cur_titles: list[str] = []

    def flush() -> None:
        nonlocal cur_start, cur_end, cur_titles
        if cur_start >= 0 and cur_end > cur_start:
            n = len(passages)
            section = "; ".join(dict.fromkeys(t for t in cur_titles if t))
            passages.append(
                Passage(f"{doc_id}#{prefix}{n}", doc_id, part, n, section,
                        text[cur_start:cur_end], cur_start, cur_end)
            )
        cur_start = cur_end = -1
        cur_titles = []

    for seg in segments:
        if seg.heading or (cur_start >= 0 and cur_end - cur_start >= target // 2):
            flush()
        for s, e in _pieces(text, seg.start, seg.end, limit):
            if cur_start >= 0 and e - cur_start > target:
                flush()
            if cur_start < 0:
                cur_start = s
                cur_titles = [seg.title]
            elif seg.title not in cur_titles:
                cur_titles.append(seg.title)
            cur_end = e
    flush()
    return passages


def _pieces(text: str, start: int, end: int, limit: int) -> list[tuple[int, int]]:
    """Sentence spans, with over-long sentences cut at word boundaries."""
    pieces: list[tuple[int, int]] = []
    for s, e in sentence_spans(text, start, end):
        while e - s > limit:
            cut = text.rfind(" ", s, s + limit)
            cut = cut if cut > s else s + limit
            pieces.append((s, cut))
            s = cut
            while s < e and text[s].isspace():
                s += 1
        if e > s:
            pieces.append((s, e))
    return pieces


def _body_segments(doc: Document, body: str) -> list[Segment]:
    """Segments of the joined body, each full-text section chunked on its own."""
    segments: list[Segment] = []
    pos = 0
    for section in doc.body:
        start = pos + (len(section.title) + 1 if section.title else 0)
        end = start + len(section.text)
        if not _BOILERPLATE_SECTIONS.match(section.title.strip()):
            segments += segment_text(body, start, end, title=section.title)
        pos = end + 2
    return segments


def _line_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    spans = []
    pos = start
    while pos < end:
        nl = text.find("\n", pos, end)
        stop = end if nl < 0 else nl
        if text[pos:stop].strip():
            spans.append((pos, stop))
        pos = stop + 1
    return spans


def _is_heading(line: str) -> bool:
    stripped = line.strip()
    if not stripped or len(stripped) > _MAX_HEADING_CHARS or _BULLET.match(line):
        return False
    if stripped[-1] in ".;:,?!" or not (stripped[0].isupper() or stripped[0].isdigit()):
        return False
    return len(stripped.split()) <= _MAX_HEADING_WORDS


def _has_text_after(text: str, lines: list[tuple[int, int]], i: int) -> bool:
    """A heading needs a following line of prose (longer than a heading)."""
    return any(not _is_heading(text[ls:le]) for ls, le in lines[i + 1:])


def _clean_label(label: str) -> str:
    return label.strip().title() if label.isupper() else label.strip()


def _close(
    segments: list[Segment], title: str, heading: bool, start: int, end: int, text: str
) -> None:
    if text[start:end].strip():
        segments.append(Segment(title, heading, start, end))
