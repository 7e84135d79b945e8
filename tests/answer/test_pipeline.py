"""The answer pipeline: one evidence set, any writer, every part verified as it arrives."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from medcite.answer.audience import Audience
from medcite.answer.coverage import QuestionTerms
from medcite.answer.evidence import Evidence, evidence_from
from medcite.answer.extractive import ExtractiveWriter
from medcite.answer.pipeline import FALLBACK_NOTICE, complete, write
from medcite.answer.writer import (
    DraftEnd,
    DraftPart,
    DraftSection,
    DraftSentence,
    Writer,
    WriterError,
)
from medcite.models import Passage
from medcite.retrieve.query import understand

QUESTION = "How should hypertension in pregnancy be treated?"
GUIDELINE = ("Use methyldopa, nifedipine, or labetalol for BP management in pregnancy. "
             "ACE inhibitors are contraindicated in pregnancy.")
STUDY = ("Labetalol and nifedipine lowered blood pressure in pregnant women with chronic "
         "hypertension. However, this effect was small in the trial.")


def evidence() -> Evidence:
    items = []
    for i, (text, kind) in enumerate([(GUIDELINE, "guideline"), (STUDY, "research")]):
        doc_id = f"d{i}"
        passage = Passage(f"{doc_id}#t0", doc_id, "text", 0, "Pregnancy", text, 0, len(text))
        items.append((passage, {"id": doc_id, "kind": kind, "title": f"Hypertension {kind}",
                                "evidence_level": kind if kind == "guideline" else "rct",
                                "year": 2020}))
    info = understand(QUESTION)
    return evidence_from(QUESTION, info, Audience.CLINICIAN, QuestionTerms(info, _idf), items)


def _idf(terms: object) -> dict[str, float]:
    return {t: 1.0 for t in terms}  # type: ignore[attr-defined]


class Scripted:
    """A writer that writes what it is given, in order."""

    name = "scripted"

    def __init__(self, *parts: DraftPart, fail_first: bool = False) -> None:
        self.parts, self.fail_first = parts, fail_first
        self.seen: list[Evidence] = []

    def write(self, evidence: Evidence) -> Iterator[DraftPart]:
        self.seen.append(evidence)
        if self.fail_first:
            raise WriterError("endpoint down")
        yield from self.parts


def test_both_writers_follow_the_protocol_and_get_the_same_evidence() -> None:
    ev = evidence()
    scripted = Scripted(DraftSection("summary", "", [DraftSentence(
        "Use methyldopa, nifedipine, or labetalol for BP management in pregnancy.", [1])]),
        DraftEnd())
    for writer in (ExtractiveWriter(), scripted):
        assert isinstance(writer, Writer)
        answer = complete(write(writer, ev))
        assert answer.engine == writer.name
        assert "labetalol" in " ".join(s.text for s in answer.all_sentences())
    assert scripted.seen == [ev]  # handed in, never fetched


def test_references_are_numbered_by_document_in_order_of_first_use() -> None:
    answer = complete(write(Scripted(
        DraftSection("summary", "", [DraftSentence(STUDY.split(". ")[0] + ".", [2])]),
        DraftSection("guidelines", "From the Guidelines", [
            DraftSentence("ACE inhibitors are contraindicated in pregnancy.", [1]),
            DraftSentence("Use methyldopa, nifedipine, or labetalol for BP management in "
                          "pregnancy.", [1])]),
        DraftEnd()), evidence()))
    assert [r.doc_id for r in answer.references] == ["d1", "d0"]
    assert [s.citations for s in answer.all_sentences()] == [[1], [2], [2]]


def test_a_sentence_its_passage_does_not_support_is_dropped_and_counted() -> None:
    answer = complete(write(Scripted(
        DraftSection("summary", "", [
            DraftSentence("Use lisinopril or enalapril for BP management in pregnancy.", [1]),
            DraftSentence("ACE inhibitors are contraindicated in pregnancy.", [1]),
            DraftSentence("Labetalol cures preeclampsia.", [7])]),  # no passage 7
        DraftEnd()), evidence()))
    assert [s.text for s in answer.summary] == [
        "ACE inhibitors are contraindicated in pregnancy."]
    assert answer.dropped == 2


def test_a_repairer_is_asked_once_and_its_fix_is_verified() -> None:
    class Repairing(Scripted):
        def __init__(self) -> None:
            super().__init__(DraftSection("summary", "", [DraftSentence(
                "Use lisinopril for BP management in pregnancy.", [1])]), DraftEnd())
            self.asked: list[str] = []

        def repair(self, sentence: DraftSentence, evidence: Evidence, reason: str
                   ) -> DraftSentence | None:
            self.asked.append(reason)
            return DraftSentence("Use methyldopa, nifedipine, or labetalol for BP management "
                                 "in pregnancy.", sentence.cites)

    writer = Repairing()
    answer = complete(write(writer, evidence()))
    assert len(writer.asked) == 1 and writer.asked[0]
    assert "labetalol" in answer.summary[0].text and answer.dropped == 0
    assert answer.writer_stats["repaired"] == 1


def test_a_failing_writer_falls_back_to_the_extractive_one_with_a_notice() -> None:
    answer = complete(write(Scripted(fail_first=True), evidence(), ExtractiveWriter()))
    assert answer.engine == "extractive" and answer.all_sentences()
    assert answer.notice == FALLBACK_NOTICE.format(writer="scripted", reason="endpoint down")
    with pytest.raises(WriterError):
        complete(write(Scripted(fail_first=True), evidence()))


def test_parts_are_emitted_in_page_order_as_each_is_verified() -> None:
    events = list(write(ExtractiveWriter(), evidence()))
    names = [e.event for e in events]
    assert names[0] == "summary" and names[-2:] == ["references", "done"]
    assert set(names[1:-2]) <= {"section"}


def test_the_extractive_bottom_line_names_the_drugs_and_skips_back_references() -> None:
    answer = complete(write(ExtractiveWriter(), evidence()))
    assert "labetalol" in answer.summary[0].text
    assert not any(s.text.startswith("However") for s in answer.all_sentences())


def test_a_question_about_a_population_is_answered_for_that_population() -> None:
    question = "Which first-line drug is recommended for BP management in pregnancy?"
    general = ("First-line drug therapy recommended for BP management is a thiazide, an ACE "
               "inhibitor or a calcium channel blocker.")
    items = []
    for i, text in enumerate([general, GUIDELINE]):
        passage = Passage(f"g{i}#t0", f"g{i}", "text", 0, "", text, 0, len(text))
        items.append((passage, {"id": f"g{i}", "kind": "guideline", "title": "Hypertension",
                                "evidence_level": "guideline", "year": 2020}))
    info = understand(question)
    ev = evidence_from(question, info, Audience.CLINICIAN, QuestionTerms(info, _idf), items)
    answer = complete(write(ExtractiveWriter(), ev))
    assert answer.summary and "pregnancy" in answer.summary[0].text
