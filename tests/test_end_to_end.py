"""End to end on a small slice of the real shared corpus: ingest, search, ask."""

from __future__ import annotations

from pathlib import Path

import pytest

from medcite.service import Medcite
from medcite.settings import load_settings
from tests.conftest import head_lines


@pytest.fixture(scope="module")
def demo(shared: Path, tmp_path_factory: pytest.TempPathFactory) -> Medcite:
    tmp = tmp_path_factory.mktemp("slice")
    corpus = shared / "corpus"
    files = [
        head_lines(corpus / "guidelines.jsonl.gz", tmp / "guidelines.jsonl", 200),
        head_lines(corpus / "research.jsonl.gz", tmp / "research.jsonl", 400),
        head_lines(corpus / "research_fulltext.jsonl.gz", tmp / "fulltext.jsonl", 40),
        head_lines(corpus / "consumer_medquad.jsonl.gz", tmp / "consumer.jsonl", 300),
    ]
    # module-scoped, so set up before the autouse lexical-only fixture: say it here
    service = Medcite(load_settings(tmp / "home", embedder={"kind": "none"}))
    report = service.ingest(files)
    assert report.malformed == []
    assert report.total("added") == 200 + 400 + 300
    return service


def test_slice_is_searchable_and_counted(demo: Medcite) -> None:
    stats = demo.stats()
    assert set(stats["by_kind"]) == {"guideline", "research", "consumer"}
    assert stats["lexical_index"]["pending_changes"] == 0
    hits = demo.search("screening for autism spectrum disorder in young children", k=5)
    assert hits and hits[0].kind == "guideline" and "Autism" in (hits[0].title or "")


def test_ask_gives_a_sectioned_answer_whose_citations_resolve(demo: Medcite) -> None:
    answer = demo.ask("Should young children be screened for autism spectrum disorder?")
    assert answer.status == "answered"
    assert any(s.kind == "guidelines" for s in answer.sections)
    numbers = {r.n for r in answer.references}
    assert numbers == set(range(1, len(numbers) + 1))
    passages = {p.passage_id: p.text for r in answer.references for p in r.passages}
    for sentence in answer.all_sentences():
        assert sentence.citations and set(sentence.citations) <= numbers
        assert all(pid in passages for pid in sentence.passage_ids)
        source = " ".join(" ".join(passages[pid].split()) for pid in sentence.passage_ids)
        assert sentence.text.rstrip(".") in source.replace(" .", ".")


def test_question_the_slice_cannot_answer_is_insufficient_evidence(demo: Medcite) -> None:
    answer = demo.ask("What is the management approach for leptomeningeal enhancement?")
    assert answer.status in {"answered", "insufficient_evidence"}
    if answer.status == "insufficient_evidence":
        assert answer.missing and not answer.summary
