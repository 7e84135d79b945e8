"""Progress of long work when stderr is not a terminal (a log file, CI, a pipe), and the
ingest summary's time, which covers the embedding too."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest

from medcite.cli.common import duration
from tests.cli.conftest import one_error_line, run
from tests.conftest import doc, write_jsonl

DENSE_ENV = {"MEDCITE_EMBEDDER__KIND": "minilm", "MEDCITE_INGEST__BATCH_SIZE": "20"}


def seconds_of(text: str) -> float:
    """The seconds in a ``duration()`` string: '8.2 s', '45 s', '11 min 20 s', '1 h 05 min'."""
    units = {"h": 3600, "min": 60, "s": 1}
    return sum(float(n) * units[u] for n, u in re.findall(r"([\d.]+) (h|min|s)\b", text))


def corpus(tmp_path: Path, n: int) -> Path:
    return write_jsonl(tmp_path / "c.jsonl", [
        doc(f"pmid:{i}", f"Trial {i} of drug {i % 7} for condition {i % 11}. " * 3,
            title=f"Trial {i}") for i in range(n)])


def test_duration_reads_as_people_say_it() -> None:
    assert [duration(s) for s in (8.24, 45.4, 680, 3900)] == [
        "8.2 s", "45 s", "11 min 20 s", "1 h 05 min"]


@pytest.mark.timeout(180)
def test_ingest_logs_progress_lines_and_its_summary_counts_the_embedding(
        tmp_path: Path) -> None:
    started = time.perf_counter()
    result = run(tmp_path / "h", "ingest", str(corpus(tmp_path, 120)),
                 env={**DENSE_ENV, "MEDCITE_PROGRESS_SECONDS": "0"})
    wall = time.perf_counter() - started
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    assert any(re.fullmatch(r"ingest: [\d,]+ records, [\d,]+ passages, [\d,]+ records/s, .+ so far",
                            line) for line in lines), lines
    assert any(re.fullmatch(r"embed: \d+/120 passages, [\d.,]+/s, ~.+ left", line)
               for line in lines), lines
    closing = [line for line in lines if line.startswith("embed: 120 passages in ")]
    assert len(closing) == 1, lines
    embedding = seconds_of(closing[0].split(" in ", 1)[1].split("(")[0])

    done = re.search(r"^done in (.+?): 120 records .* 120 passages embedded in ",
                     result.stdout, re.M)
    assert done, result.stdout
    # The summary is the whole wait: at least the embedding, at most the command.
    assert embedding * 0.9 <= seconds_of(done.group(1)) <= wall


@pytest.mark.timeout(180)
def test_ingest_json_seconds_are_storing_plus_embedding(tmp_path: Path) -> None:
    started = time.perf_counter()
    result = run(tmp_path / "h", "ingest", "--json", str(corpus(tmp_path, 60)), env=DENSE_ENV)
    wall = time.perf_counter() - started
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["totals"]["embedded"] == 60
    assert data["embed_seconds"] > 0
    assert data["seconds"] == pytest.approx(data["store_seconds"] + data["embed_seconds"],
                                            abs=0.01)
    assert data["embed_seconds"] < data["seconds"] <= wall


def test_short_work_is_quiet_at_the_default_interval(tmp_path: Path) -> None:
    result = run(tmp_path / "h", "ingest", str(corpus(tmp_path, 5)))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


def test_a_bad_progress_interval_is_one_clear_error(tmp_path: Path) -> None:
    result = run(tmp_path / "h", "ingest", str(corpus(tmp_path, 5)),
                 env={"MEDCITE_PROGRESS_SECONDS": "soon"})
    assert result.returncode == 2
    assert "MEDCITE_PROGRESS_SECONDS" in one_error_line(result)
