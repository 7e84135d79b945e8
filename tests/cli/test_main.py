"""The ``medcite`` command as a user runs it: a real process, real exit codes and output."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.cli.conftest import one_error_line, run
from tests.conftest import doc, write_jsonl


def test_user_errors_print_one_line_and_exit_non_zero(tmp_path: Path) -> None:
    home = tmp_path / "h"
    missing = run(home, "ingest", str(tmp_path / "nope.jsonl"))
    assert missing.returncode == 2 and "No such file" in one_error_line(missing)

    notes = tmp_path / "notes.txt"
    notes.write_text("hello\n")
    unknown = run(home, "ingest", str(notes))
    assert unknown.returncode == 2 and "Cannot tell the format" in one_error_line(unknown)

    empty = run(home, "search", "aspirin")
    assert empty.returncode == 3 and "medcite ingest" in one_error_line(empty)

    bad_flag = run(home, "search", "--kk", "3", "aspirin")
    assert bad_flag.returncode == 2 and "--help" in one_error_line(bad_flag)

    bad_env = run(home, "stats", env={"MEDCITE_RETRIEVAL__K": "0"})
    assert bad_env.returncode == 2 and "retrieval.k" in one_error_line(bad_env)

    debug = run(home, "--debug", "search", "aspirin")
    assert debug.returncode != 0 and "Traceback" in debug.stderr


def test_ingest_search_batch_and_stats_json(tmp_path: Path) -> None:
    home = tmp_path / "h"
    corpus = write_jsonl(tmp_path / "c.jsonl", [
        doc("pmid:1", "Metformin is first-line therapy for type 2 diabetes.", title="Metformin"),
        doc("guideline:x", "Offer statins to adults with high cardiovascular risk.",
            kind="guideline", title="Statins"),
    ])
    ingested = run(home, "ingest", "--json", str(corpus))
    assert ingested.returncode == 0, ingested.stderr
    assert json.loads(ingested.stdout)["totals"]["added"] == 2

    questions = write_jsonl(tmp_path / "q.jsonl", [
        {"id": "a", "question": "first-line therapy for diabetes", "type": "ignored"},
        {"id": 7, "question": "statins for cardiovascular risk"}])
    batch = run(home, "search", "--batch", str(questions), "--k", "1")
    assert batch.returncode == 0, batch.stderr
    lines = [json.loads(line) for line in batch.stdout.splitlines()]
    assert [line["id"] for line in lines] == ["a", 7]
    assert lines[0]["hits"][0] == {**lines[0]["hits"][0], "rank": 1, "doc_id": "pmid:1",
                                   "kind": "research", "title": "Metformin"}
    assert set(lines[0]["hits"][0]) == {"rank", "doc_id", "passage_id", "score", "kind", "title"}
    assert lines[1]["hits"][0]["doc_id"] == "guideline:x"

    stats = json.loads(run(home, "stats", "--json").stdout)
    assert stats["by_kind"] == {"guideline": {"documents": 1, "passages": 1},
                                "research": {"documents": 1, "passages": 1}}


@pytest.mark.timeout(120)
def test_ctrl_c_mid_ingest_then_rerun_finishes(tmp_path: Path) -> None:
    home = tmp_path / "h"
    total = 40_000
    corpus = write_jsonl(tmp_path / "big.jsonl", [
        doc(f"pmid:{i}", f"Trial {i} of drug {i % 97} for condition {i % 89}.")
        for i in range(total)
    ])
    env = {**os.environ, "MEDCITE_INGEST__BATCH_SIZE": "200"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "medcite", "--home", str(home), "ingest", str(corpus)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )
    db = home / "medcite.sqlite3"
    deadline = time.time() + 60
    done = 0
    while time.time() < deadline and done == 0:
        time.sleep(0.05)
        if db.exists():
            try:
                with sqlite3.connect(db, timeout=5) as conn:
                    row = conn.execute("SELECT MAX(records_done) FROM ingest_files").fetchone()
                    done = row[0] or 0
            except sqlite3.OperationalError:
                continue
    assert done > 0, "ingest never committed a batch"
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, "the ingest should still have been running"
    assert "store is consistent" in stderr and "Traceback" not in stderr
    with sqlite3.connect(db) as conn:
        landed = conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
        checkpoint = conn.execute("SELECT records_done FROM ingest_files").fetchone()[0]
    assert landed == checkpoint < total

    rerun = run(home, "ingest", "--json", str(corpus), env={"MEDCITE_INGEST__BATCH_SIZE": "200"})
    assert rerun.returncode == 0, rerun.stderr
    report = json.loads(rerun.stdout)
    assert report["files"][0]["resumed_from"] == checkpoint
    assert report["totals"]["added"] == total - checkpoint
    stats = json.loads(run(home, "stats", "--json").stdout)
    assert stats["documents"] == total
    assert stats["lexical_index"] == {"passages": total, "pending_changes": 0}
