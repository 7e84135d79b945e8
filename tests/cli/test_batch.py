"""``ask --batch`` and ``search --batch`` as a user runs them: every good line answered in
order, one error line for each bad one, and an exit status that says some failed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from medcite.service import Medcite
from medcite.settings import load_settings
from tests.conftest import doc, write_jsonl

LINES = [
    {"id": "good-1", "question": "first-line therapy for type 2 diabetes"},
    {"id": "empty", "question": "   "},
    "{not json",
    ["a", "list"],
    {"id": "no-question", "query": "metformin"},
    {"id": 7, "question": "statins for cardiovascular risk"},
]


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("cli-batch")
    corpus = write_jsonl(tmp / "c.jsonl", [
        doc("pmid:1", "Metformin is first-line therapy for type 2 diabetes.", title="Metformin"),
        doc("guideline:x", "Offer statins to adults with high cardiovascular risk.",
            kind="guideline", title="Statins"),
    ])
    with Medcite(load_settings(tmp / "home", embedder={"kind": "none"})) as service:
        service.ingest([corpus])
    return tmp / "home"


def run(home: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "medcite", "--home", str(home), *args],
                          capture_output=True, text=True, env=dict(os.environ), timeout=300)


def batch_file(path: Path, lines: list[Any]) -> Path:
    path.write_text("".join((x if isinstance(x, str) else json.dumps(x)) + "\n\n"
                            for x in lines), encoding="utf-8")  # blank lines are skipped
    return path


def assert_errors(out: list[dict[str, Any]]) -> None:
    """Lines 2 to 5 are the bad ones, each with its error in the one shape."""
    errors = out[1:5]
    assert [e["id"] for e in errors] == ["empty", 5, 7, "no-question"]
    assert all(set(e) == {"id", "error"} and set(e["error"]) == {"code", "message"}
               for e in errors)
    assert [e["error"]["code"] for e in errors] == [
        "invalid_request", "invalid_json", "invalid_request", "invalid_request"]
    assert errors[0]["error"]["message"].startswith("line 3: ")
    assert "question" in errors[3]["error"]["message"]


def test_ask_batch_answers_every_good_line_and_reports_each_bad_one(home: Path,
                                                                    tmp_path: Path) -> None:
    result = run(home, "ask", "--format", "json", "--batch",
                 str(batch_file(tmp_path / "q.jsonl", LINES)))
    assert result.returncode == 2, result.stderr
    assert result.stderr == ""
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["id"] for o in out] == ["good-1", "empty", 5, 7, "no-question", 7]
    assert_errors(out)
    for answer in (out[0], out[5]):
        assert "error" not in answer and answer["status"] == "answered"
        assert answer["references"] and answer["thread_id"] is None


def test_search_batch_answers_every_good_line_and_reports_each_bad_one(home: Path,
                                                                       tmp_path: Path) -> None:
    lines = [*LINES, {"id": "stop-words", "question": "the of"}]
    result = run(home, "search", "--batch", str(batch_file(tmp_path / "q.jsonl", lines)))
    assert result.returncode == 2, result.stderr
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["id"] for o in out] == ["good-1", "empty", 5, 7, "no-question", 7, "stop-words"]
    assert_errors(out)
    assert out[0]["hits"][0]["doc_id"] == "pmid:1"
    assert out[5]["hits"][0]["doc_id"] == "guideline:x"
    assert out[6]["error"]["code"] == "invalid_request"
    assert "common words" in out[6]["error"]["message"]


def test_a_clean_batch_exits_0_and_the_help_says_what_the_status_means(
        home: Path, tmp_path: Path) -> None:
    good = batch_file(tmp_path / "q.jsonl", [LINES[0], LINES[5]])
    result = run(home, "search", "--batch", str(good))
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 2
    for command in ("ask", "search"):
        help_text = " ".join(run(home, command, "--help").stdout.split())
        assert "the exit status is then 2" in help_text, command


def test_a_missing_batch_file_is_one_error_line(home: Path, tmp_path: Path) -> None:
    result = run(home, "search", "--batch", str(tmp_path / "nope.jsonl"))
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith("error: No such file")
