"""The façade the CLI and the web app call (``Medcite``), over a real home built in code: the
hypertension corpus of the web tests, BM25 only."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from medcite.answer.audience import Audience, policy
from medcite.answer.model import Answer
from medcite.answer.question import MAX_QUESTION_CHARS
from medcite.answer.verify import check_sentence
from medcite.errors import EmptyStoreError, InvalidRequestError, NotFoundError
from medcite.service import Medcite
from tests.conftest import doc, write_jsonl
from tests.web.conftest import QUESTION, build_home, corpus, open_service

TRIAL = ("Chlorthalidone was superior to lisinopril in preventing heart failure in adults with "
         "hypertension")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_home(tmp_path_factory.mktemp("service"))


@pytest.fixture(scope="module")
def reader(built: Path) -> Iterator[Medcite]:
    """One service over the built home, for tests that only read."""
    with open_service(built) as service:
        yield service


@pytest.fixture
def fresh(built: Path, tmp_path: Path) -> Iterator[Medcite]:
    """A service over a copy of the built home, for tests that ask (and so record) or
    ingest."""
    with open_service(Path(shutil.copytree(built, tmp_path / "home"))) as service:
        yield service


def test_search_ranks_the_document_that_says_it_first(reader: Medcite) -> None:
    hits = reader.search("chlorthalidone lisinopril heart failure", k=3)
    assert hits[0].doc_id == "pmid:1001" and hits[0].kind == "research"
    assert hits[0].passage_id.startswith("pmid:1001#")
    assert [h.rank for h in hits] == list(range(1, len(hits) + 1))
    assert len(reader.search("hypertension", k=2)) == 2
    everything = reader.search("hypertension")  # k from the settings (10): all 8 documents
    assert len({h.doc_id for h in everything}) == len(everything) == len(corpus())


def test_an_empty_home_says_to_ingest_first(service: Medcite) -> None:
    for call in (lambda: service.search("aspirin"), lambda: service.ask(QUESTION),
                 lambda: service.evidence(QUESTION)):
        with pytest.raises(EmptyStoreError) as caught:
            call()
        assert "medcite ingest" in caught.value.hint
    stats = service.stats()
    assert stats["documents"] == stats["passages"] == 0 and stats["by_kind"] == {}


def test_what_is_ingested_is_searchable_at_once_and_a_rerun_changes_nothing(
        fresh: Medcite, tmp_path: Path) -> None:
    assert all(h.doc_id != "pmid:2001" for h in fresh.search("spironolactone resistant"))
    added = write_jsonl(tmp_path / "more.jsonl", [doc(
        "pmid:2001", "Spironolactone lowered blood pressure in resistant hypertension more "
        "than placebo.", title="Spironolactone for resistant hypertension", pmid="2001")])
    report = fresh.ingest([added])
    assert report.total("added") == 1 and not report.warnings
    assert fresh.search("spironolactone resistant")[0].doc_id == "pmid:2001"
    again = fresh.ingest([added])
    assert again.total("added") == 0 and "already ingested" in again.files[0].skipped
    forced = fresh.ingest([added], force=True)
    assert forced.total("added") == 0 and forced.total("unchanged") == 1
    stats = fresh.stats()
    assert stats["documents"] == len(corpus()) + 1
    assert stats["lexical_index"] == {"passages": stats["passages"], "pending_changes": 0}


def test_stats_count_what_the_home_holds(reader: Medcite, built: Path) -> None:
    stats = reader.stats()
    assert stats["home"] == str(built)
    assert {kind: c["documents"] for kind, c in stats["by_kind"].items()} == {
        "guideline": 3, "research": 3, "consumer": 2}
    assert stats["documents"] == 8 and stats["passages"] >= 8
    assert stats["lexical_index"]["pending_changes"] == 0
    assert stats["dense_index"] is None  # the embedder is off in these homes


def test_evidence_is_numbered_from_one_best_document_first(reader: Medcite) -> None:
    evidence = reader.evidence(QUESTION, Audience.PATIENT)
    assert [p.n for p in evidence.all()] == list(range(1, len(evidence.all()) + 1))
    assert [p.rank for p in evidence.passages] == sorted(p.rank for p in evidence.passages)
    assert evidence.passages[0].score == 1.0  # scores are relative to the best document
    assert evidence.audience is Audience.PATIENT
    assert evidence.policy.consumer_sources


def test_an_answer_cites_only_the_passages_of_its_references(fresh: Medcite) -> None:
    evidence_ids = {p.passage.id for p in fresh.evidence(QUESTION).all()}
    answer = fresh.ask("  What is the first-line   treatment for hypertension? ")
    assert answer.question == QUESTION and answer.asked_as is None  # whitespace collapsed
    assert answer.status == "answered" and answer.engine == "extractive"
    assert answer.disclaimer == policy(Audience.CLINICIAN).disclaimer
    assert {"retrieve", "total"} <= set(answer.timings_ms)
    by_n = {r.n: r for r in answer.references}
    assert sorted(by_n) == list(range(1, len(by_n) + 1))
    sentences = answer.all_sentences()
    assert sentences
    for sentence in sentences:
        assert sentence.citations and set(sentence.citations) <= set(by_n), sentence
        cited = {p.passage_id for n in sentence.citations for p in by_n[n].passages}
        assert set(sentence.passage_ids) <= cited, sentence
    assert {p.passage_id for r in answer.references for p in r.passages} <= evidence_ids


def test_answers_are_recorded_as_turns_and_follow_ups_keep_the_topic(fresh: Medcite) -> None:
    first = fresh.ask(QUESTION)
    assert first.thread_id is not None and first.turn == 1
    follow_up = fresh.ask("and the treatment in older adults?", thread_id=first.thread_id)
    assert follow_up.thread_id == first.thread_id and follow_up.turn == 2
    assert follow_up.asked_as is not None and "hypertension" in follow_up.asked_as
    unrecorded = fresh.ask(QUESTION, record=False)
    assert unrecorded.thread_id is None and unrecorded.turn is None
    thread = fresh.threads.get(first.thread_id)
    assert thread.topic == "hypertension"
    assert [(t.n, t.question) for t in thread.turns] == [
        (1, QUESTION), (2, "and the treatment in older adults?")]
    assert thread.turns[1].answer.all_sentences() == follow_up.all_sentences()
    with pytest.raises(NotFoundError):
        fresh.ask(QUESTION, thread_id="no-such-thread")


def test_the_stream_starts_with_the_question_and_ends_with_the_whole_answer(
        fresh: Medcite) -> None:
    events = list(fresh.ask_stream(f" {QUESTION} ", Audience.PATIENT))
    names = [e.event for e in events]
    assert names[0] == "start" and names[1] == "summary" and names[-2:] == ["references", "done"]
    assert set(names[2:-2]) == {"section"}
    assert events[0].data == {"question": QUESTION, "audience": Audience.PATIENT,
                              "thread_id": None}
    done = Answer.model_validate(events[-1].data)
    assert done.audience is Audience.PATIENT
    assert done.disclaimer == policy(Audience.PATIENT).disclaimer
    assert done.thread_id is not None  # a streamed answer is always recorded
    assert fresh.threads.get(done.thread_id).turns[0].question == QUESTION


@pytest.mark.parametrize("question", ["", "   ", "x" * (MAX_QUESTION_CHARS + 1)])
def test_empty_and_over_long_questions_are_invalid(reader: Medcite, question: str) -> None:
    with pytest.raises(InvalidRequestError):
        reader.ask(question, record=False)


def test_writers_are_named_checked_and_made_once(reader: Medcite) -> None:
    assert reader.writer().name == "extractive"  # the answer.engine default
    assert reader.writer() is reader.writer("extractive")
    with pytest.raises(InvalidRequestError) as caught:
        reader.writer("gpt")
    assert "extractive, llm" in caught.value.hint


def test_document_comes_with_its_passages(reader: Medcite) -> None:
    document, passages = reader.document("pmid:1001")
    assert document.id == "pmid:1001" and document.pmid == "1001"
    assert passages and all(p.doc_id == "pmid:1001" for p in passages)
    assert TRIAL in " ".join(p.text for p in passages)
    with pytest.raises(NotFoundError) as caught:
        reader.document("pmid:999")
    assert "pmid:999" in str(caught.value)


def test_a_pasted_answer_is_checked_sentence_by_sentence(reader: Medcite) -> None:
    report = reader.verify_pasted(
        f"{TRIAL} [1]. Lisinopril was superior to chlorthalidone in preventing heart failure "
        "in adults with hypertension [1]. Garlic cures hypertension [2].\n\nReferences\n"
        "1. Major outcomes. JAMA 2002. PMID: 1001\n2. Nowhere. doi:10.9999/nowhere\n")
    assert [(r.status, r.doc_id) for r in report.sentences] == [
        ("supported", "pmid:1001"), ("changed_meaning", "pmid:1001"), ("unresolved", None)]
    assert report.resolved == {1: "pmid:1001", 2: None} and not report.ok


def test_check_knows_the_drug_names_in_the_store(service: Medcite, tmp_path: Path) -> None:
    service.ingest([write_jsonl(tmp_path / "drugs.jsonl", [
        {"canonical": "ibuprofen", "drugbank_id": "DB01050", "variants": ["advil"],
         "brand_variants": ["advil"]},
        {"canonical": "naproxen", "drugbank_id": "DB00788", "variants": ["aleve"],
         "brand_variants": ["aleve"]}])])
    passages = ["Ibuprofen reduced pain after dental surgery compared with placebo."]
    brand = "Advil reduced pain after dental surgery compared with placebo."
    other = "Aleve reduced pain after dental surgery compared with placebo."
    assert service.check(brand, passages).ok
    assert not service.check(other, passages).ok
    assert check_sentence(other, passages).ok  # without the store's names it cannot tell


def test_drug_names_ingested_later_reach_the_verifier(service: Medcite, tmp_path: Path) -> None:
    service.ingest([write_jsonl(tmp_path / "drugs.jsonl", [
        {"canonical": "ibuprofen", "drugbank_id": "DB01050", "variants": ["advil"],
         "brand_variants": ["advil"]}])])
    passages = ["Ibuprofen reduced pain after dental surgery compared with placebo."]
    other = "Aleve reduced pain after dental surgery compared with placebo."
    assert service.check(other, passages).ok  # naproxen is not known yet
    service.ingest([write_jsonl(tmp_path / "more.jsonl", [
        {"canonical": "naproxen", "drugbank_id": "DB00788", "variants": ["aleve"],
         "brand_variants": ["aleve"]}])])
    assert not service.check(other, passages).ok


def test_passages_by_id_leave_out_unknown_ids(reader: Medcite) -> None:
    doc_id = reader.search("hypertension", k=1)[0].doc_id
    _, passages = reader.document(doc_id)
    found = reader.passages([passages[0].id, "pmid:nothing#0"])
    assert list(found) == [passages[0].id] and found[passages[0].id].text == passages[0].text
