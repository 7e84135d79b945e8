"""The extractive engine end to end on a tiny corpus built in the test."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from medcite.answer.audience import DOSE_CAUTION, Audience, policy
from medcite.answer.evidence import Evidence
from medcite.answer.extractive import PLAIN_TITLE
from medcite.answer.safety import EMERGENCY_NOTICE, OUT_OF_SCOPE_NOTICE
from medcite.answer.writer import DraftPart
from medcite.index.embedder import available_cores
from medcite.service import Medcite
from medcite.settings import load_settings
from tests.conftest import doc, write_jsonl

GUIDELINE = ("Recommendations\nIn adults with hypertension, thiazide diuretics are recommended "
             "as first-line drug treatment for hypertension. Chlorthalidone 12.5 to 25 mg orally "
             "once daily is the preferred thiazide for hypertension treatment. Blood pressure "
             "should be rechecked within one month of starting hypertension treatment.")
TRIAL = ("BACKGROUND: Hypertension treatment targets are debated.\nRESULTS: Intensive "
         "treatment of hypertension significantly reduced cardiovascular events compared with "
         "standard treatment (p < 0.001).\nCONCLUSIONS: Intensive hypertension treatment lowered "
         "cardiovascular events in adults with hypertension.")
CASE = ("We report a case of a 40-year-old man whose hypertension treatment caused "
        "hyponatremia after thiazide diuretics were started.")
CONSUMER = ("High blood pressure is called hypertension. Hypertension treatment often starts "
            "with a pill you take each day. You can also eat less salt and move more to help.")
ZINC = ("RESULTS: The duration of colds was significantly shorter with zinc lozenges than with "
        "placebo (p < 0.01). Adverse events did not differ between the groups.\nCONCLUSIONS: "
        "Zinc lozenges shorten the duration of colds.")
MESH = [{"ui": "D006973", "name": "Hypertension", "entry_terms": ["High Blood Pressure"],
         "permuted": [], "tree_numbers": ["C14.907.489"], "categories": [], "pharm_actions": []},
        {"ui": "D014887", "name": "Weather", "entry_terms": [], "permuted": [],
         "tree_numbers": ["G16.500.275"], "categories": [], "pharm_actions": []}]


@pytest.fixture(scope="module")
def engine_service(tmp_path_factory: pytest.TempPathFactory) -> Medcite:
    tmp = tmp_path_factory.mktemp("engine")
    corpus = write_jsonl(tmp / "c.jsonl", [
        doc("guideline:htn", GUIDELINE, kind="guideline", title="Hypertension guideline",
            organization="ACC/AHA", year=2017),
        doc("pmid:1", TRIAL, title="Intensive hypertension treatment", year=2015,
            publication_types=["Randomized Controlled Trial"]),
        doc("pmid:2", CASE, title="Hyponatremia during hypertension treatment", year=2010,
            publication_types=["Case Reports"]),
        doc("medquad:1", CONSUMER, kind="consumer", title="What is high blood pressure?"),
        doc("pmid:3", ZINC, title="Zinc lozenges for colds", year=2012,
            publication_types=["Randomized Controlled Trial"]),
    ])
    service = Medcite(load_settings(tmp / "home", embedder={"kind": "none"}))
    service.ingest([corpus, write_jsonl(tmp / "mesh.jsonl", MESH)])
    return service


def test_management_answer_has_guidelines_research_and_numbered_references(
    engine_service: Medcite
) -> None:
    answer = engine_service.ask("What is the first-line treatment for hypertension?",
                                record=False)
    assert answer.status == "answered" and answer.question_type == "management"
    kinds = [s.kind for s in answer.sections]
    assert kinds[0] == "guidelines" and "research" in kinds
    seen: list[int] = []
    for sentence in answer.all_sentences():
        for n in sentence.citations:
            if n not in seen:
                seen.append(n)
    assert seen == sorted(seen) == [r.n for r in answer.references]
    assert answer.references[0].doc_id == "guideline:htn"
    assert answer.references[0].evidence_level == "guideline"
    cited = {r.doc_id for r in answer.references}
    ranks = [r.doc_id for r in answer.references]
    if "pmid:2" in cited:  # the case report, if used at all, comes after the guideline
        assert ranks.index("guideline:htn") < ranks.index("pmid:2")
    text = " ".join(s.text for s in answer.all_sentences())
    assert "12.5 to 25 mg" in text


def test_patient_answer_opens_with_plain_words(engine_service: Medcite) -> None:
    answer = engine_service.ask("How is high blood pressure treated?", Audience.PATIENT,
                                record=False)
    assert answer.sections[0].kind == "consumer"
    assert answer.sections[0].title == PLAIN_TITLE
    cited = {r.n: r.doc_id for r in answer.references}
    assert {cited[n] for s in answer.sections[0].sentences for n in s.citations} == {"medquad:1"}
    text = " ".join(s.text for s in answer.all_sentences())
    assert ("mg" in text) == (answer.notice == DOSE_CAUTION)  # a dose comes with the caution
    assert answer.disclaimer.startswith("This is general health information")


def test_comparison_verdict_comes_with_its_sentence(engine_service: Medcite) -> None:
    answer = engine_service.ask("With respect to duration of colds, characterize the reported "
                                "difference between zinc lozenges and placebo.", record=False)
    assert answer.verdict == "decreased"
    assert answer.verdict_sentence is not None
    assert "significantly shorter" in answer.verdict_sentence.text
    assert answer.summary[0] == answer.verdict_sentence


def test_yes_no_verdict(engine_service: Medcite) -> None:
    answer = engine_service.ask("Do zinc lozenges shorten the duration of colds?", record=False)
    assert answer.verdict == "yes" and answer.verdict_sentence is not None


def test_insufficient_evidence_says_what_is_missing(engine_service: Medcite) -> None:
    answer = engine_service.ask("What is the treatment of Kawasaki disease in infants?",
                                record=False)
    assert answer.status == "insufficient_evidence"
    assert not answer.summary and answer.missing
    assert any("kawasaki" in m.lower() for m in answer.missing)


def test_an_emergency_is_answered_by_its_instruction_alone(engine_service: Medcite) -> None:
    # "hypertension treatment" would find evidence: none of it may follow the instruction
    answer = engine_service.ask("I have crushing chest pain and I am sweating right now, is "
                                "it my hypertension treatment?", record=False)
    assert answer.status == "emergency" and answer.notice == EMERGENCY_NOTICE
    assert not answer.summary and not answer.sections and not answer.references
    assert not answer.missing and answer.verdict is None
    assert answer.disclaimer == policy("clinician").disclaimer and answer.generated_at


def test_out_of_scope_questions_are_declined(engine_service: Medcite) -> None:
    answer = engine_service.ask("What will the weather be in Paris tomorrow?", record=False)
    assert answer.status == "out_of_scope" and answer.notice == OUT_OF_SCOPE_NOTICE
    assert not answer.sections and not answer.references and not answer.missing
    assert answer.disclaimer == ""  # nothing clinical was said, so nothing to disclaim


@pytest.mark.parametrize(("question", "status", "notice"), [
    ("My father collapsed after his hypertension treatment", "emergency", EMERGENCY_NOTICE),
    ("What will the weather be in Paris tomorrow?", "out_of_scope", OUT_OF_SCOPE_NOTICE),
])
def test_a_notice_only_answer_streams_its_notice_first(engine_service: Medcite, question: str,
                                                       status: str, notice: str) -> None:
    events = list(engine_service.ask_stream(question))
    assert [e.event for e in events] == ["start", "summary", "references", "done"]
    summary = events[1].data
    assert summary["status"] == status and summary["notice"] == notice
    assert summary["summary"] == [] and events[2].data == []
    assert events[-1].data["status"] == status and events[-1].data["references"] == []


def test_concurrent_asks_answer_no_more_at_once_than_there_are_cores(
    engine_service: Medcite, monkeypatch: pytest.MonkeyPatch
) -> None:
    writer = engine_service.writer()
    inner = writer.write
    lock, running, peak = threading.Lock(), [0], [0]

    def counted(evidence: Evidence) -> Iterator[DraftPart]:
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        try:
            time.sleep(0.02)  # hold the slot long enough for the others to pile up
            yield from inner(evidence)
        finally:
            with lock:
                running[0] -= 1

    monkeypatch.setattr(writer, "write", counted)
    question = "How should hypertension be treated?"
    with ThreadPoolExecutor(max_workers=12) as pool:
        answers = list(pool.map(lambda _: engine_service.ask(question, record=False),
                                range(24)))
    assert len(answers) == 24 and all(a.status == "answered" for a in answers)
    assert peak[0] == min(available_cores(), 12)
