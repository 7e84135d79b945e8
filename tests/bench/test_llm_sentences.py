"""The labelled LLM-sentence set: stored without the corpus's text, rebuilt exactly from
the store, and scored as supported-accepted / unsupported-rejected."""

from __future__ import annotations

import json
from pathlib import Path

from medcite.bench.llm_sentences import DEVSET, decode, encode, load, run_llm_sentences
from medcite.bench.verify import baseline_check
from medcite.models import Passage

TEXT = ("Low-dose colchicine is strongly recommended over high-dose colchicine for gout "
        "flares. Allopurinol is the preferred first-line urate-lowering therapy.")
PASSAGES = {"g#0": Passage("g#0", "g", "text", 0, "", TEXT, 0, len(TEXT))}


def get(ids: list[str]) -> dict[str, Passage]:
    return {i: PASSAGES[i] for i in ids if i in PASSAGES}


def test_a_copied_sentence_is_stored_as_a_span_and_edits() -> None:
    edited = "Low-dose colchicine is strongly recommended over high-dose colchicine for flares."
    record = encode(edited, PASSAGES)
    assert "sentence" not in record and record["copy"]["passage"] == "g#0"
    assert "colchicine" not in json.dumps(record["edits"])  # only the model's own words
    assert decode(record, PASSAGES) == edited
    written = "Febuxostat is the drug of choice in every patient with gout."
    assert encode(written, PASSAGES) == {"sentence": written}
    assert decode(record, {}) is None  # a home without the passage cannot rebuild it


def test_the_set_is_scored_both_ways(tmp_path: Path) -> None:
    path = tmp_path / "set.jsonl"
    records = [
        {"id": "a", "qid": "q", **encode(TEXT.split(". ")[0] + ".", PASSAGES),
         "passage_ids": ["g#0"], "supported": True},
        {"id": "b", "qid": "q", "sentence": "High-dose colchicine is strongly recommended "
         "over low-dose colchicine for gout flares.", "passage_ids": ["g#0"],
         "supported": False},
        {"id": "c", "qid": "q", "sentence": "Gout is caused by uric acid.",
         "passage_ids": ["missing#0"], "supported": True},
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    rows, missing = load(get, path)
    assert [r.id for r, _ in rows] == ["a", "b"] and missing == 1
    figures = run_llm_sentences(get, None, baseline_check, path)
    assert figures["supported"] == {"n": 1, "medcite": 1.0, "baseline": 1.0}
    assert figures["unsupported"]["n"] == 1 and figures["unsupported"]["medcite"] == 1.0
    assert figures["unsupported"]["baseline"] == 0.0  # the words are all there
    assert figures["mistakes"] == []


def test_the_shipped_set_is_well_formed() -> None:
    records = [json.loads(line) for line in DEVSET.read_text(encoding="utf-8").splitlines()]
    assert len(records) >= 30
    assert {r["supported"] for r in records} == {True, False}
    for r in records:
        assert ("sentence" in r) != ("copy" in r) and r["passage_ids"]
        assert r["supported"] or r["note"]  # every unsupported label says why
