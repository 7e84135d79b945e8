"""The one ``Answer`` object: every engine fills it, every renderer reads only it.

``[n]`` in a sentence is ``Sentence.citations``; each ``n`` is a ``Reference.n`` whose
``passages`` hold the exact text that supports the sentence.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from medcite.answer.audience import Audience

Status = Literal["answered", "insufficient_evidence", "out_of_scope", "emergency"]
Verdict = Literal["yes", "no", "maybe", "increased", "decreased", "no_difference"]
SectionKind = Literal["guidelines", "research", "safety", "found", "consumer"]

INSUFFICIENT_EVIDENCE = (
    "The indexed evidence is not sufficient to answer this question with confidence."
)



class Sentence(BaseModel):
    """One sentence of the answer and the references that support it."""

    text: str
    citations: list[int] = Field(default_factory=list, description="Reference numbers `[n]`.")
    passage_ids: list[str] = Field(
        default_factory=list, description="The passages (of the cited references) it stands on."
    )

    @property
    def items(self) -> list[str]:
        """A list taken from a guideline is one sentence whose items are its lines."""
        return self.text.split("\n")


class Section(BaseModel):
    title: str
    kind: SectionKind
    sentences: list[Sentence] = Field(default_factory=list)


class ReferencePassage(BaseModel):
    passage_id: str
    section: str = ""
    text: str


class Reference(BaseModel):
    n: int
    doc_id: str
    kind: str
    evidence_level: str
    evidence_label: str
    title: str | None = None
    journal: str | None = None
    organization: str | None = None
    year: int | None = None
    pmid: str | None = None
    doi: str | None = None
    url: str | None = None
    age_years: int | None = None
    outdated: bool = Field(False, description="Guidance older than the staleness threshold.")
    passages: list[ReferencePassage] = Field(default_factory=list)


class Answer(BaseModel):
    question: str
    asked_as: str | None = Field(
        None, description="The question as retrieval saw it (a follow-up with its topic)."
    )
    thread_id: str | None = None
    turn: int | None = None
    audience: Audience = Audience.CLINICIAN
    status: Status = "answered"
    question_type: str = "general"
    notice: str | None = Field(
        None, description="A message from medcite itself (emergency, scope, dosing), shown "
        "first; it is not evidence and carries no citation."
    )
    verdict: Verdict | None = None
    verdict_sentence: Sentence | None = None
    summary: list[Sentence] = Field(default_factory=list, description="The bottom line.")
    sections: list[Section] = Field(default_factory=list)
    references: list[Reference] = Field(default_factory=list)
    missing: list[str] = Field(
        default_factory=list, description="What the evidence did not cover (numbers, topics)."
    )
    disclaimer: str = ""
    engine: str = Field("extractive", description="The writer that wrote the answer.")
    dropped: int = Field(0, description="Sentences the verifier did not let through.")
    writer_stats: dict[str, float] = Field(
        default_factory=dict, description="Writer figures (tokens, tokens/s, repairs)."
    )
    generated_at: str = ""
    timings_ms: dict[str, float] = Field(default_factory=dict)

    def all_sentences(self) -> list[Sentence]:
        sentences = list(self.summary)
        for section in self.sections:
            sentences.extend(section.sentences)
        return sentences

    def reference(self, n: int) -> Reference | None:
        return next((r for r in self.references if r.n == n), None)
