"""From a writer's draft to a published :class:`Answer`, part by part.

The pipeline takes each part a writer yields (bottom line, then sections), verifies every
sentence against the passages it cites (``answer/verify.py``: terms, numbers, meaning),
asks a writer that can repair (:class:`Repairer`) to rewrite a failing sentence once,
drops what still fails, numbers the references by document in order of first use, and
emits the part at once — so a streamed page shows each section as soon as it is written
and verified. A writer that fails before its first part is replaced by the fallback writer
(the extractive one), with a notice saying so.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from medcite.answer.evidence import Evidence, EvidencePassage
from medcite.answer.model import (
    INSUFFICIENT_EVIDENCE,
    Answer,
    Reference,
    ReferencePassage,
    Section,
    Sentence,
)
from medcite.answer.verify import Check, check_sentence
from medcite.answer.writer import (
    DraftEnd,
    DraftSection,
    DraftSentence,
    Repairer,
    Writer,
    WriterError,
)
from medcite.retrieve.evidence import LABELS

GUIDELINE_MAX_AGE_YEARS = 10
"""Guidance older than this is flagged as possibly outdated."""

FALLBACK_NOTICE = ("The {writer} writer could not answer ({reason}); this answer was written "
                   "by the extractive writer from the same evidence.")


@dataclass(frozen=True)
class AnswerEvent:
    """One part of a streamed answer: ``summary``, ``section``, ``references``, ``done``."""

    event: str
    data: Any


@dataclass(frozen=True)
class Dropped:
    """A sentence verification did not let through, and why."""

    text: str
    check: Check


class Assembler:
    """Builds one answer from verified draft parts."""

    def __init__(self, evidence: Evidence, writer: str,
                 check: Callable[[str, list[str]], Check] = check_sentence) -> None:
        self.evidence = evidence
        self.check = check
        self.numbers: dict[str, int] = {}
        self.used: dict[str, list[str]] = {}
        self.dropped: list[Dropped] = []
        self.repaired = 0
        self.answer = Answer(
            question=evidence.question, audience=evidence.audience,
            question_type=evidence.info.type, disclaimer=evidence.policy.disclaimer,
            engine=writer, generated_at=datetime.now(UTC).isoformat(timespec="seconds"))

    # -- sentences -------------------------------------------------------------------

    def verified(self, draft: DraftSentence, repairer: Repairer | None) -> Sentence | None:
        """The sentence with its references, if its cited passages support it."""
        cited = [p for n in dict.fromkeys(draft.cites) if (p := self.evidence.get(n))]
        check = self.check(draft.text, [p.text for p in cited]) if cited else Check(
            False, 0.0, (), reasons=(("no_citation", "cites no passage of the evidence"),))
        if not check.ok and repairer is not None:
            fixed = repairer.repair(draft, self.evidence, check.reason)
            if fixed is not None:
                cited2 = [p for n in dict.fromkeys(fixed.cites) if (p := self.evidence.get(n))]
                if cited2:
                    check2 = self.check(fixed.text, [p.text for p in cited2])
                    if check2.ok:
                        self.repaired += 1
                        draft, cited, check = fixed, cited2, check2
        if not check.ok:
            self.dropped.append(Dropped(draft.text, check))
            return None
        if check.passage_index is not None and len(cited) > 1:
            cited = [cited[check.passage_index]] + [
                p for i, p in enumerate(cited) if i != check.passage_index]
        return Sentence(text=draft.text, citations=sorted({self._cite(p) for p in cited}),
                        passage_ids=[p.passage.id for p in cited])

    def _cite(self, item: EvidencePassage) -> int:
        n = self.numbers.setdefault(item.doc_id, len(self.numbers) + 1)
        used = self.used.setdefault(item.doc_id, [])
        if item.passage.id not in used:
            used.append(item.passage.id)
        return n

    # -- parts -----------------------------------------------------------------------

    def add(self, part: DraftSection, repairer: Repairer | None) -> Section | None:
        """Verify a part and put it on the answer; the section (or None if nothing of it
        passed). A summary comes back as a section of kind ``found`` titled "summary"."""
        seen = {s.text for s in self.answer.all_sentences()}
        sentences = []
        for draft in part.sentences:
            if draft.text in seen:
                continue
            sentence = self.verified(draft, repairer)
            if sentence is not None:
                sentences.append(sentence)
                seen.add(sentence.text)
        if part.kind == "summary":
            carrier = part.sentences[part.verdict_at].text \
                if part.verdict and len(part.sentences) > part.verdict_at else None
            self.answer.summary.extend(sentences)
            carried = next((s for s in sentences if s.text == carrier), None)
            if carried is not None:
                self.answer.verdict = part.verdict
                self.answer.verdict_sentence = carried
            return Section(title="summary", kind="found", sentences=sentences) if sentences \
                else None
        if not sentences:
            return None
        section = Section(title=part.title, kind=part.kind, sentences=sentences)
        self.answer.sections.append(section)
        return section

    def finish(self, end: DraftEnd) -> Answer:
        answer = self.answer
        answer.references = self.references()
        answer.missing = list(end.missing)
        if end.notice:
            answer.notice = f"{answer.notice} {end.notice}" if answer.notice else end.notice
        if end.insufficient or not answer.all_sentences():
            if answer.status == "answered":  # an emergency stays one
                answer.status = "insufficient_evidence"
            if INSUFFICIENT_EVIDENCE not in answer.missing:
                answer.missing.insert(0, INSUFFICIENT_EVIDENCE)
        answer.dropped = len(self.dropped)
        answer.writer_stats = {**end.stats, "repaired": float(self.repaired)}
        return answer

    def references(self) -> list[Reference]:
        now_year = datetime.now(UTC).year
        passages = {p.passage.id: p for p in self.evidence.all()}
        refs = []
        for doc_id, n in self.numbers.items():
            first = passages[self.used[doc_id][0]]
            d = first.doc
            age = now_year - d["year"] if d.get("year") else None
            refs.append(Reference(
                n=n, doc_id=doc_id, kind=d["kind"], evidence_level=first.level,
                evidence_label=LABELS.get(first.level, first.level),
                title=d.get("title") or _untitled(d), journal=d.get("journal"),
                organization=d.get("organization"), year=d.get("year"), pmid=d.get("pmid"),
                doi=d.get("doi"), url=d.get("url"), age_years=age,
                outdated=bool(d["kind"] == "guideline" and age is not None
                              and age > GUIDELINE_MAX_AGE_YEARS),
                passages=[ReferencePassage(passage_id=pid, section=passages[pid].passage.section,
                                           text=passages[pid].text)
                          for pid in self.used[doc_id]],
            ))
        return sorted(refs, key=lambda r: r.n)


def _untitled(doc: dict[str, Any]) -> str:
    """A reference title for a record that has none (some PubMed-derived data sets)."""
    if doc.get("pmid"):
        return f"PubMed article {doc['pmid']} (title not in the indexed record)"
    return str(doc["id"])


def write(writer: Writer, evidence: Evidence, fallback: Writer | None = None,
          notice: str | None = None, status: str | None = None,
          check: Callable[[str, list[str]], Check] = check_sentence) -> Iterator[AnswerEvent]:
    """The verified answer, part by part: ``summary``, each ``section``, ``references``,
    then ``done`` with the whole :class:`Answer`.

    ``notice`` and ``status`` (an emergency found before retrieval) go on the answer
    first. If ``writer`` fails before it yields a part, ``fallback`` writes instead.
    ``check`` is the verifier (``answer/verify.py``, with the store's vocabulary).
    """
    start = time.perf_counter()
    assembler = _new(writer, evidence, notice, status, check)
    parts = writer.write(evidence)
    end = DraftEnd()
    sent_summary = False
    repairer = writer if isinstance(writer, Repairer) else None
    try:
        first = next(parts)
    except (WriterError, StopIteration) as exc:
        if fallback is None:
            raise
        reason = str(exc) or type(exc).__name__
        fb_notice = FALLBACK_NOTICE.format(writer=writer.name, reason=reason)
        yield from write(fallback, evidence, None,
                         f"{notice} {fb_notice}" if notice else fb_notice, status, check)
        return
    pending: list[DraftSection | DraftEnd] = [first]
    try:
        while True:
            part = pending.pop() if pending else next(parts)
            if isinstance(part, DraftEnd):
                end = part
                break
            section = assembler.add(part, repairer)
            if part.kind == "summary":
                sent_summary = True
                yield _summary_event(assembler.answer)
            elif section is not None:
                if not sent_summary:
                    sent_summary = True
                    yield _summary_event(assembler.answer)
                yield AnswerEvent("section", section.model_dump())
    except StopIteration:
        pass
    except WriterError as exc:
        end = DraftEnd(missing=[f"The answer is incomplete: the writer stopped ({exc})."])
    answer = assembler.finish(end)
    if not sent_summary:
        yield _summary_event(answer)
    answer.timings_ms["write"] = round((time.perf_counter() - start) * 1000, 2)
    yield AnswerEvent("references", [r.model_dump() for r in answer.references])
    yield AnswerEvent("done", answer)


def _new(writer: Writer, evidence: Evidence, notice: str | None, status: str | None,
         check: Callable[[str, list[str]], Check]) -> Assembler:
    assembler = Assembler(evidence, writer.name, check)
    assembler.answer.notice = notice
    if status == "emergency":
        assembler.answer.status = "emergency"
    return assembler


def _summary_event(answer: Answer) -> AnswerEvent:
    return AnswerEvent("summary", {"status": answer.status, "notice": answer.notice,
                                   "verdict": answer.verdict,
                                   "summary": [s.model_dump() for s in answer.summary]})


def notice_only(answer: Answer) -> Iterator[AnswerEvent]:
    """The events of an answer that is only medcite's own notice (an emergency, a question
    out of scope): ``summary`` with its status and notice first, no evidence, ``done``."""
    yield _summary_event(answer)
    yield AnswerEvent("references", [])
    yield AnswerEvent("done", answer)


def complete(events: Iterator[AnswerEvent]) -> Answer:
    """The whole answer of a stream of events."""
    for event in events:
        if event.event == "done":
            answer: Answer = event.data
            return answer
    raise WriterError("the writer produced no answer")
