"""What ``medcite ask`` and ``medcite search`` print, as a user runs them (a real process
over a home built in code): safety notices first, data never read as markup, the thread
to follow up in, and clear errors for queries with nothing to search."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from medcite.answer.audience import policy
from medcite.answer.safety import EMERGENCY_NOTICE, OUT_OF_SCOPE_NOTICE
from medcite.service import Medcite
from medcite.settings import load_settings
from tests.conftest import doc, write_jsonl

OTITIS = ("Recommendations\nAmoxicillin is the first-line antibiotic for acute otitis media in "
          "children. Chest pain with sweating needs urgent assessment in an emergency "
          "department.")
TB = "Isoniazid for nine months treats latent tuberculosis infection in adults."
MESH = [{"ui": "D010033", "name": "Otitis Media", "entry_terms": [], "permuted": [],
         "tree_numbers": ["C09.218.705.663"], "categories": [], "pharm_actions": []},
        {"ui": "D014887", "name": "Weather", "entry_terms": [], "permuted": [],
         "tree_numbers": ["G16.500.275"], "categories": [], "pharm_actions": []}]
EMERGENCY = "I have crushing chest pain and I am sweating right now"


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("cli-output")
    corpus = write_jsonl(tmp / "c.jsonl", [
        doc("guideline:om:1", OTITIS, kind="guideline", title="Otitis media [format] guidance",
            organization="AAP", year=2013),
        doc("pmid:2", TB, title="Latent tuberculosis", year=2010),
    ])
    with Medcite(load_settings(tmp / "home", embedder={"kind": "none"})) as service:
        service.ingest([corpus, write_jsonl(tmp / "mesh.jsonl", MESH)])
    return tmp / "home"


def run(home: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "200"}  # no wrapping: lines are asserted whole
    return subprocess.run([sys.executable, "-m", "medcite", "--home", str(home), *args],
                          capture_output=True, text=True, env=env, timeout=120)


def error_line(result: subprocess.CompletedProcess) -> str:
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    return lines[0]


@pytest.mark.parametrize("query", ["the of", "is not", "", "   "])
def test_search_with_nothing_to_search_for_is_an_error(home: Path, query: str) -> None:
    result = run(home, "search", query)
    assert result.returncode == 2 and result.stdout == ""
    assert "search query" in error_line(result) and "Example" in result.stderr


def test_ask_with_only_stop_words_is_not_an_internal_error(home: Path) -> None:
    result = run(home, "ask", "is it the")
    assert result.returncode == 0, result.stderr


def test_search_prints_ids_and_bracketed_labels_as_they_are(home: Path) -> None:
    result = run(home, "search", "otitis media")
    assert result.returncode == 0, result.stderr
    assert "Otitis media [format] guidance" in result.stdout
    assert "(guideline:om:1, guideline, 2013" in result.stdout


def test_ingest_shows_the_format_label(home: Path, tmp_path: Path) -> None:
    corpus = write_jsonl(tmp_path / "more.jsonl", [doc("pmid:9", TB, title="[draft] TB")])
    result = run(tmp_path / "h", "ingest", str(corpus))
    assert result.returncode == 0, result.stderr
    assert f"{corpus} [corpus-jsonl]: 1 records" in result.stdout


def test_an_emergency_prints_its_instruction_first_and_no_evidence(home: Path) -> None:
    result = run(home, "ask", EMERGENCY)
    assert result.returncode == 0, result.stderr
    text = " ".join(result.stdout.split())  # the panel may wrap the notice
    notice = text.index(" ".join(EMERGENCY_NOTICE.split()[:8]))
    assert text.index(EMERGENCY) < text.index("Emergency: seek care now") < notice
    assert notice < text.index("Pending human review")
    assert "Chest pain with sweating" not in text and "References" not in text
    assert "No passage found" not in text and policy("clinician").disclaimer[:40] in text

    markdown = run(home, "ask", "--format", "markdown", EMERGENCY).stdout
    assert markdown.index(f"# {EMERGENCY}") < markdown.index(EMERGENCY_NOTICE) \
        < markdown.index("pending human review")
    assert "## References" not in markdown


def test_out_of_scope_explains_once_and_exits_0(home: Path) -> None:
    question = "What will the weather be in Paris tomorrow?"
    result = run(home, "ask", question)
    assert result.returncode == 0, result.stderr
    text = " ".join(result.stdout.split())
    assert "Out of scope" in text
    assert text.count("does not appear to be a medical one") == 1
    assert OUT_OF_SCOPE_NOTICE.split(".")[0] in text
    assert "healthcare professionals" not in text and "review" not in text.lower()
    data = json.loads(run(home, "ask", "--format", "json", question).stdout)
    assert data["status"] == "out_of_scope" and data["disclaimer"] == ""


def test_the_thread_id_is_shown_and_works_with_thread(home: Path) -> None:
    first = run(home, "ask", "What is the first-line antibiotic for otitis media?")
    assert first.returncode == 0, first.stderr
    shown = [word for line in first.stdout.splitlines() if "--thread" in line
             for word in line.split()]
    thread_id = shown[shown.index("--thread") + 1]
    follow = run(home, "ask", "--format", "json", "--thread", thread_id, "and in children?")
    assert follow.returncode == 0, follow.stderr
    data = json.loads(follow.stdout)
    assert data["thread_id"] == thread_id and data["turn"] == 2
