"""The benchmark commands on a tiny dataset built in the test."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

from medcite.bench.retrieval import run_retrieval
from medcite.bench.tune import run_tune
from medcite.service import Medcite
from tests.conftest import doc, write_jsonl

TOPICS = ["statin therapy lowers cholesterol", "zinc shortens colds", "aspirin prevents stroke",
          "metformin treats diabetes", "insulin pumps control glucose"]


def tiny_data(tmp_path: Path) -> tuple[Path, Path]:
    data = tmp_path / "data"
    (data / "dev").mkdir(parents=True)
    corpus = write_jsonl(tmp_path / "c.jsonl", [
        doc(f"pmid:{i}", f"In this trial {topic} in adults.") for i, topic in enumerate(TOPICS)])
    write_jsonl(data / "dev" / "bioasq_7b_10b.jsonl", [
        {"id": f"q{i}", "type": "yesno" if i % 2 else "factoid", "question": f"Does {topic}?",
         "gold_doc_ids": [f"pmid:{i}"], "exact_answer": "yes"} for i, topic in enumerate(TOPICS)
    ] + [{"id": "nogold", "type": "summary", "question": "x", "gold_doc_ids": []}])
    write_jsonl(data / "dev" / "pubmedqa_dev.jsonl", [
        {"id": "p1", "question": "Does zinc shorten colds?", "answer": "yes",
         "gold_doc_ids": ["pmid:1"]}])
    return data, corpus


def test_retrieval_bench_reports_both_systems_and_ratios(service: Medcite, tmp_path: Path) -> None:
    data, corpus = tiny_data(tmp_path)
    service.ingest([corpus])
    result = run_retrieval(service, "bioasq", data)
    assert result["questions"] == 5  # the question without gold documents is left out
    ours, base = result["systems"]["medcite"], result["systems"]["bm25_documents"]
    assert ours["ndcg@10"] == 1.0 and base["ndcg@10"] == 1.0
    assert result["ratios"] == {"ndcg@10": 1.0, "recall@10": 1.0, "mrr@10": 1.0}
    assert set(result["by_type"]["medcite"]) == {"yesno", "factoid"}
    assert ours["p50_ms"] > 0 and ours["p95_ms"] >= ours["p50_ms"]
    json.dumps(result)


def test_tune_scores_the_grid_and_writes_the_best_settings(
    service: Medcite, tmp_path: Path
) -> None:
    data, corpus = tiny_data(tmp_path)
    service.ingest([corpus])
    result = run_tune(service, ["bioasq", "pubmedqa"], data, limit=None)
    assert result["questions"] == {"bioasq": 5, "pubmedqa": 1}
    assert result["best"]["objective"] == 1.0
    assert result["combinations"] == len(result["top"]) or result["combinations"] > 10
    saved = tomllib.loads((service.settings.home / "settings.toml").read_text())
    assert saved["retrieval"] == result["best"]["settings"]
