"""The writer protocol: question + evidence + audience in, a draft answer out, part by part.

A writer never fetches evidence and never numbers references: it cites the evidence's
passages by their number (:attr:`EvidencePassage.n`) and yields the answer's parts in page
order — the bottom line (``summary``), then each section — so that the pipeline can
verify and stream each part as soon as it is written, and finally a :class:`DraftEnd`.

Writers: ``extractive`` (``answer/extractive.py``, offline, the default) and ``llm``
(``answer/llm.py``, any OpenAI-compatible chat endpoint or a packaged local model).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal, Protocol, runtime_checkable

from medcite.answer.evidence import Evidence
from medcite.answer.model import SectionKind, Verdict

DraftKind = Literal["summary"] | SectionKind


@dataclass
class DraftSentence:
    """A sentence as written, citing evidence passages by number."""

    text: str
    cites: list[int]


@dataclass
class DraftSection:
    """One part of the page. ``summary`` is the bottom line; when ``verdict`` is set, the
    summary's sentence ``verdict_at`` carries it (the first, unless a sentence it points
    back to comes before it)."""

    kind: DraftKind
    title: str
    sentences: list[DraftSentence]
    verdict: Verdict | None = None
    verdict_at: int = 0


@dataclass
class DraftEnd:
    """What the writer says after the last section."""

    missing: list[str] = field(default_factory=list)
    """What the evidence does not cover, said plainly (no citation)."""
    notice: str | None = None
    """A message of medcite's own (e.g. why doses are left out for patients)."""
    insufficient: bool = False
    """The evidence does not answer the question: the sections only show what was found."""
    stats: dict[str, float] = field(default_factory=dict)
    """Writer figures for benchmarks (tokens, tokens/s, repairs)."""


DraftPart = DraftSection | DraftEnd


class WriterError(Exception):
    """The writer could not write (endpoint down, timeout, unusable output); the pipeline
    falls back to the extractive writer and says so."""


@runtime_checkable
class Writer(Protocol):
    """Turns evidence into a draft answer."""

    name: str

    def write(self, evidence: Evidence) -> Iterator[DraftPart]:
        """The draft's parts in page order; the last one is a :class:`DraftEnd`."""
        ...


@runtime_checkable
class Repairer(Protocol):
    """A writer that can be asked once to rewrite a sentence that failed verification."""

    def repair(self, sentence: DraftSentence, evidence: Evidence, reason: str
               ) -> DraftSentence | None:
        ...
