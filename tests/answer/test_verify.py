import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from medcite.answer.evidence import Evidence
from medcite.answer.extractive import ExtractiveWriter
from medcite.answer.model import Answer, Reference, ReferencePassage, Section, Sentence
from medcite.answer.verify import check_sentence, publishable, verify_answer
from medcite.answer.writer import DraftPart, DraftSection
from medcite.bench.answers import answer_text
from medcite.service import Medcite
from medcite.settings import load_settings
from tests.conftest import doc, write_jsonl

PASSAGE = "Intrathecal methotrexate 12 mg twice weekly is used for leptomeningeal metastases."
TRIAL = "Pain was significantly lower in the ibuprofen group than in the placebo group (p<0.01)."
GUIDELINE = ("The USPSTF recommends screening for colorectal cancer in adults aged 50 to 75 "
             "years. Aspirin is not recommended for primary prevention in adults 70 years or "
             "older.")


def answer_with(*sentences: Sentence) -> Answer:
    return Answer(
        question="q", sections=[Section(title="From the Guidelines", kind="guidelines",
                                        sentences=list(sentences))],
        references=[Reference(n=1, doc_id="g", kind="guideline", evidence_level="guideline",
                              evidence_label="Guideline",
                              passages=[ReferencePassage(passage_id="g#t0", text=PASSAGE)])])


def test_a_supported_sentence_passes() -> None:
    assert check_sentence("Methotrexate 12 mg twice weekly is given intrathecally.", [PASSAGE]).ok


def test_unsupported_text_and_untraced_doses_fail() -> None:
    assert not check_sentence("Radiotherapy cures glioblastoma in most children.", [PASSAGE]).ok
    changed = check_sentence("Intrathecal methotrexate 15 mg twice weekly is used.", [PASSAGE])
    assert changed.supported and [f.value for f in changed.untraced] == ["15 mg"]


def test_verify_answer_drops_what_fails_and_keeps_what_passes() -> None:
    good = Sentence(text=PASSAGE, citations=[1], passage_ids=["g#t0"])
    uncited = Sentence(text=PASSAGE, citations=[], passage_ids=[])
    dangling = Sentence(text=PASSAGE, citations=[2], passage_ids=["x#t0"])
    wrong_dose = Sentence(text=PASSAGE.replace("12 mg", "120 mg"), citations=[1],
                          passage_ids=["g#t0"])
    answer = answer_with(good, uncited, dangling, wrong_dose)
    dropped = verify_answer(answer)
    assert [s.text for s in answer.all_sentences()] == [PASSAGE]
    assert len(dropped) == 3
    empty = answer_with(wrong_dose)
    verify_answer(empty)
    assert empty.sections == []


def test_publishable_drops_a_verdict_with_its_sentence_and_abstains_when_nothing_is_left(
) -> None:
    wrong_dose = Sentence(text=PASSAGE.replace("12 mg", "120 mg"), citations=[1],
                          passage_ids=["g#t0"])
    good = Sentence(text=PASSAGE, citations=[1], passage_ids=["g#t0"])
    answer = answer_with(good)
    answer.summary, answer.verdict, answer.verdict_sentence = [wrong_dose], "yes", wrong_dose
    answer.timings_ms = {"total": 10.0}
    assert [s.text for s, _ in publishable(answer)] == [wrong_dose.text]
    assert answer.verdict is None and answer.verdict_sentence is None
    assert answer.status == "answered" and answer.all_sentences() == [good]
    assert answer.timings_ms["total"] >= 10.0 and "verify" in answer.timings_ms

    kept = answer_with(good)
    kept.summary, kept.verdict, kept.verdict_sentence = [good], "yes", good
    assert publishable(kept) == [] and kept.verdict == "yes"

    nothing = answer_with(wrong_dose)
    publishable(nothing)
    assert nothing.status == "insufficient_evidence" and nothing.sections == []


def test_ask_publishes_only_what_the_engine_can_verify(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Any engine's answer goes through verification: here one that alters a dose."""
    question = "How is intrathecal methotrexate used for leptomeningeal metastases?"
    corpus = write_jsonl(tmp_path / "c.jsonl", [doc("g:1", PASSAGE, kind="guideline")])
    with Medcite(load_settings(tmp_path / "home")) as service:
        service.ingest([corpus])
        honest = service.ask(question, record=False)
        assert honest.status == "answered" and "12 mg" in answer_text(honest)

        class Altering:
            """A writer that changes the dose of every sentence it writes."""

            name = "altering"

            def write(self, evidence: Evidence) -> Iterator[DraftPart]:
                for part in ExtractiveWriter().write(evidence):
                    if isinstance(part, DraftSection):
                        for sentence in part.sentences:
                            sentence.text = sentence.text.replace("12 mg", "120 mg")
                    yield part

        monkeypatch.setattr(service, "writer", lambda engine=None: Altering())
        altered = service.ask(question, record=False)
        assert "120 mg" not in answer_text(altered)
        assert altered.status == "insufficient_evidence" and altered.dropped >= 1


@pytest.mark.timeout(120)
def test_a_thousand_claims_take_well_under_a_minute() -> None:
    passages = [GUIDELINE, TRIAL, "Statins reduce the risk of cardiovascular events in "
                "adults with diabetes (strong recommendation). Metformin is recommended over "
                "sulfonylureas as initial therapy."]
    claims = []
    for i in range(250):
        claims += [(f"Aspirin is not recommended for primary prevention in adults {70 + i % 3} "
                    "years or older.", passages),
                   ("Compared with placebo, ibuprofen significantly reduced pain.", passages),
                   (f"Statins increase the risk of cardiovascular events in adults with "
                    f"diabetes ({'weak' if i % 2 else 'strong'} recommendation).", passages),
                   ("Sulfonylureas are recommended over metformin as initial therapy.",
                    passages)]
    start = time.perf_counter()
    results = [check_sentence(text, list(ps)) for text, ps in claims]
    assert time.perf_counter() - start < 60
    assert sum(r.ok for r in results) == 250 // 3 + 1 + 250  # the 70-year ones and the trial
