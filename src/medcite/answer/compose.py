"""Assembling an :class:`Answer` from chosen sentences: references numbered in order of
first use, sections in the reference page's order, each sentence tied to its passage."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from medcite.answer.candidates import Candidate
from medcite.answer.model import (
    DISCLAIMERS,
    Answer,
    Audience,
    Reference,
    ReferencePassage,
    Section,
    SectionKind,
    Sentence,
)
from medcite.models import Passage
from medcite.retrieve.evidence import LABELS

GUIDELINE_MAX_AGE_YEARS = 10
"""Guidance older than this is flagged as possibly outdated."""

GUIDELINES_TITLE = "From the Guidelines"
RESEARCH_TITLE = "From the Research"


@dataclass(frozen=True, slots=True)
class Chosen:
    """A candidate sentence chosen for the answer, with why."""

    candidate: Candidate
    score: float
    relevance: float
    level: str
    passage_coverage: float = 0.0


class References:
    """Reference numbers handed out in order of first use, with the passages used."""

    def __init__(self, documents: dict[str, dict[str, Any]], passages: dict[str, Passage]) -> None:
        self.documents = documents
        self.passages = passages
        self.numbers: dict[str, int] = {}
        self.used: dict[str, list[str]] = {}

    def cite(self, chosen: Chosen) -> Sentence:
        c = chosen.candidate
        n = self.numbers.setdefault(c.doc_id, len(self.numbers) + 1)
        used = self.used.setdefault(c.doc_id, [])
        if c.passage_id not in used:
            used.append(c.passage_id)
        return Sentence(text=c.text, citations=[n], passage_ids=[c.passage_id])

    def build(self, now_year: int) -> list[Reference]:
        refs = []
        for doc_id, n in self.numbers.items():
            d = self.documents[doc_id]
            level = d.get("evidence_level") or "other"
            age = now_year - d["year"] if d.get("year") else None
            refs.append(Reference(
                n=n, doc_id=doc_id, kind=d["kind"], evidence_level=level,
                evidence_label=LABELS.get(level, level), title=d.get("title") or _untitled(d),
                journal=d.get("journal"), organization=d.get("organization"), year=d.get("year"),
                pmid=d.get("pmid"), doi=d.get("doi"), url=d.get("url"), age_years=age,
                outdated=bool(d["kind"] == "guideline" and age is not None
                              and age > GUIDELINE_MAX_AGE_YEARS),
                passages=[ReferencePassage(passage_id=pid, section=self.passages[pid].section,
                                           text=self.passages[pid].text)
                          for pid in self.used[doc_id]],
            ))
        return sorted(refs, key=lambda r: r.n)


def _untitled(doc: dict[str, Any]) -> str:
    """A reference title for a record that has none (some PubMed-derived data sets)."""
    if doc.get("pmid"):
        return f"PubMed article {doc['pmid']} (title not in the indexed record)"
    return str(doc["id"])


def compose(
    question: str, qtype: str, audience: Audience, summary: list[Chosen],
    guidelines: list[Chosen], research: list[tuple[str, list[Chosen]]],
    documents: dict[str, dict[str, Any]], passages: dict[str, Passage],
    research_kind: SectionKind = "research",
) -> Answer:
    """The answer: bottom line, guidelines, themed research, numbered references."""
    refs = References(documents, passages)
    answer = Answer(question=question, audience=audience, question_type=qtype,
                    disclaimer=DISCLAIMERS[audience], engine="extractive",
                    generated_at=datetime.now(UTC).isoformat(timespec="seconds"))
    answer.summary = [refs.cite(c) for c in summary]
    if guidelines:
        answer.sections.append(Section(title=GUIDELINES_TITLE, kind="guidelines",
                                       sentences=[refs.cite(c) for c in guidelines]))
    for title, chosen in research:
        if chosen:
            answer.sections.append(Section(title=title, kind=research_kind,
                                           sentences=[refs.cite(c) for c in chosen]))
    answer.references = refs.build(datetime.now(UTC).year)
    return answer
