"""The typed objects that flow through medcite: documents and passages in, hits out.

Parsers yield :data:`Parsed` items; the store keeps :class:`Document` and
:class:`Passage`; search returns :class:`Hit`. The answer objects live in
:mod:`medcite.answer.model` so that every renderer reads one contract.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

DocumentKind = Literal["guideline", "research", "consumer", "drug-label"]
DOCUMENT_KINDS: tuple[DocumentKind, ...] = ("guideline", "research", "consumer", "drug-label")

PassagePart = Literal["text", "body"]
"""``text`` passages come from ``Document.text`` (abstract, guideline text, answer);
``body`` passages from ``Document.body`` (full text merged from PMC)."""


class Section(BaseModel):
    """A titled block of a full text or guideline."""

    model_config = ConfigDict(frozen=True)

    title: str = ""
    text: str


class Document(BaseModel):
    """One citable source: an article, a guideline (section), a consumer text or a drug label."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(description="Stable id, e.g. 'pmid:123', 'pmc:PMC1', 'guideline:uspstf-1'.")
    kind: DocumentKind
    title: str | None = None
    text: str = Field("", description="Main text: abstract with its labels, or guideline text.")
    body: list[Section] = Field(
        default_factory=list, description="Full-text sections (PMC), chunked as 'body' passages."
    )
    collection: str | None = None
    journal: str | None = None
    organization: str | None = None
    year: int | None = Field(None, ge=1, le=9999)
    pmid: str | None = None
    pmcid: str | None = None
    doi: str | None = None
    url: str | None = None
    publication_types: list[str] = Field(default_factory=list)
    mesh: list[str] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)
    license: str | None = None
    version: int = Field(1, ge=0, le=2**63 - 1,  # bounded: stored as an SQLite INTEGER
                         description="Record version (PubMed's PMID Version); higher wins.")
    revised: str | None = Field(None, description="ISO date of the record's last revision.")

    def body_text(self) -> str:
        """The full text as stored: sections joined, each headed by its title."""
        return join_sections(self.body)


def join_sections(sections: list[Section]) -> str:
    parts = []
    for section in sections:
        parts.append(f"{section.title}\n{section.text}" if section.title else section.text)
    return "\n\n".join(parts)


@dataclass(frozen=True, slots=True)
class FullText:
    """Full-text sections to merge into the research document with the same PMID or PMCID."""

    pmid: str | None
    pmcid: str | None
    title: str | None
    sections: list[Section]
    where: str = ""


@dataclass(frozen=True, slots=True)
class Deletion:
    """A record removed at the source (PubMed ``DeleteCitation``)."""

    doc_id: str
    where: str = ""


@dataclass(frozen=True, slots=True)
class Malformed:
    """A record that could not be read; reported and skipped, the rest of the batch lands."""

    where: str
    reason: str


@dataclass(frozen=True, slots=True)
class VocabTerm:
    """A vocabulary entry (MeSH descriptor or drug) for query expansion."""

    source: Literal["mesh", "drug"]
    key: str
    name: str
    synonyms: tuple[str, ...]
    extra: dict[str, object] = field(default_factory=dict)


Parsed = Document | FullText | Deletion | Malformed | VocabTerm


@dataclass(frozen=True, slots=True)
class Passage:
    """A bounded span of a document, the unit of retrieval and of citation."""

    id: str
    doc_id: str
    part: PassagePart
    n: int
    section: str
    text: str
    start: int
    end: int


class Hit(BaseModel):
    """One search result: the best passage of one document."""

    rank: int
    doc_id: str
    passage_id: str
    score: float
    kind: DocumentKind
    title: str | None
    section: str = ""
    text: str = ""
    year: int | None = None
    evidence_level: str | None = None
