"""Kill -9 during ingest: a few real trials (subprocesses, SIGKILL, the real store)."""

from __future__ import annotations

import json
from pathlib import Path

from medcite.bench.crash import build_corpus, run_crash


def test_killed_ingests_leave_a_consistent_store_and_resume_without_loss() -> None:
    seen: list[dict] = []
    data = run_crash(trials=3, records=12, seed=3, on_trial=seen.append)
    assert data["trials"] == len(seen) == 3
    assert data["reference_consistent"]
    assert data["killed_mid_ingest"] >= 1  # the kills land inside the ingest, not after it
    assert data["consistent_after_kill"] == data["resumed_ok"] == 3
    assert data["consistent_after_resume"] == 3
    assert data["records_lost"] == data["rows_lost"] == 0
    assert data["duplicates"] == data["rows_changed"] == 0
    assert data["ok"]
    json.dumps(data)  # written as the benchmark's figures


def test_without_shared_data_the_corpus_is_generated(tmp_path: Path) -> None:
    assert build_corpus(tmp_path / "corpus", tmp_path / "no-data", 4) == "generated"
    files = sorted(p.name for p in (tmp_path / "corpus").iterdir())
    assert files == ["consumer.jsonl", "guideline.jsonl", "research.jsonl"]
    records = [json.loads(line) for line in
               (tmp_path / "corpus" / "research.jsonl").read_text().splitlines()]
    assert len(records) == 4 and all(r["kind"] == "research" and r["text"] for r in records)
