"""``medcite bench crash``: kill -9 ``medcite ingest`` at random moments, then check that the
store opens and is consistent, that a re-run completes, and that nothing is lost or
duplicated.

1. Build a small corpus in a temporary directory: a slice of every shared corpus and
   vocabulary file (with the research records the sliced full texts merge into), or
   generated records where the shared data is absent.
2. Ingest it once, uninterrupted, in a subprocess: the reference store, and the time from
   the database's creation to the end, the window the kills fall in.
3. Each trial starts the same ingest in a fresh home, waits for its database to appear,
   sleeps a random part of the window and sends SIGKILL (with vectors, every other trial
   falls in the storing part and the rest in the embedding part, which is far longer);
   checks the store and its indexes
   (:func:`medcite.index.consistency.check_home`); re-runs the ingest to completion; checks
   again and compares every row an ingest writes with the reference.

Batches are small (``ingest.batch_size``) so that there are many commits to fall between;
with vectors, passages are embedded at a short ``embedder.max_length`` to keep trials quick
(it changes how well vectors retrieve, not how they are stored).
"""

from __future__ import annotations

import gzip
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from medcite.errors import InputFileError
from medcite.index.consistency import check_home
from medcite.store.integrity import Contents, compare_contents, store_contents
from medcite.store.sqlite import DB_FILE, SQLiteStore

BATCH_SIZE = 20
EMBED_MAX_LENGTH = 32
RUN_TIMEOUT_S = 900
POLL_S = 0.002
SLICED = {  # corpus files sliced to the first N records
    "corpus/bioasq_abstracts.jsonl.gz": 1.0, "corpus/consumer_medquad.jsonl.gz": 1.0,
    "corpus/guidelines.jsonl.gz": 1.0, "corpus/research.jsonl.gz": 1.0,
    "corpus/uspstf_recommendations.jsonl": 0.5, "corpus/research_fulltext.jsonl.gz": 0.25,
    "vocab/mesh2024_descriptors.jsonl.gz": 1.0, "vocab/drug_synonyms.jsonl.gz": 1.0,
}
"""Shared files and the share of ``records`` taken from each (full texts are large)."""
STORE_TABLES = ("documents", "fulltexts", "vocab")
"""Tables whose rows are input records: a row lost from one is a record lost."""

TrialFn = Callable[[dict[str, Any]], None]


@dataclass(frozen=True)
class IngestRun:
    """How to run ``medcite ingest`` on the corpus in a subprocess."""

    corpus: Path
    env: dict[str, str]

    def start(self, home: Path, capture: bool = False) -> subprocess.Popen[str]:
        command = [sys.executable, "-m", "medcite", "--home", str(home), "ingest",
                   "--json", str(self.corpus)]
        sink = subprocess.PIPE if capture else subprocess.DEVNULL
        return subprocess.Popen(command, env=self.env, stdout=sink, stderr=sink, text=True)

    def complete(self, home: Path) -> dict[str, Any]:
        """Ingest to completion; the ingest's JSON report (an error if it failed), with
        ``window_s``: seconds from the database's appearance to the end."""
        proc = self.start(home, capture=True)
        appeared = _wait_for_database(proc, home)
        stdout, stderr = proc.communicate(timeout=RUN_TIMEOUT_S)
        window = time.monotonic() - appeared
        if proc.returncode != 0:
            return {"rc": proc.returncode, "error": stderr.strip()[-2000:], "window_s": window}
        return {"rc": 0, "window_s": window, **json.loads(stdout.strip().splitlines()[-1])}


def _wait_for_database(proc: subprocess.Popen[str], home: Path) -> float:
    """Wait until the ingest has created its database (or ended); returns when."""
    db = home / DB_FILE
    deadline = time.monotonic() + RUN_TIMEOUT_S
    while not db.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(POLL_S)
    return time.monotonic()


def build_corpus(target: Path, data_dir: Path | None, records: int) -> str:
    """Write the trial corpus under ``target``; returns where it came from."""
    target.mkdir(parents=True, exist_ok=True)
    root = _shared_root(data_dir)
    if root is None:
        _generate(target, records)
        return "generated"
    fulltexts: list[dict[str, Any]] = []
    for name, share in SLICED.items():
        source = root / name
        if not source.exists():
            continue
        lines = _head(source, max(1, int(records * share)))
        if name.endswith("research_fulltext.jsonl.gz"):
            fulltexts = [json.loads(line) for line in lines]
        (target / Path(name).name.removesuffix(".gz")).write_text("".join(lines), "utf-8")
    if fulltexts and (root / "corpus/research.jsonl.gz").exists():
        _write_merged_research(root / "corpus/research.jsonl.gz", fulltexts, target, records)
    return str(root)


def _shared_root(data_dir: Path | None) -> Path | None:
    """The shared data directory with a corpus: ``data_dir`` if given, else the usual places."""
    from medcite.bench.datasets import find_data_dir

    if data_dir is not None:
        return data_dir if (data_dir / "corpus").is_dir() else None
    try:
        root = find_data_dir()
    except InputFileError:
        return None
    return root if (root / "corpus").is_dir() else None


def _head(path: Path, n: int) -> list[str]:
    opener: Any = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as stream:
        return [line for _, line in zip(range(n), stream, strict=False)]


def _write_merged_research(source: Path, fulltexts: list[dict[str, Any]], target: Path,
                           skip: int) -> None:
    """The research records the sliced full texts belong to, so that merges are exercised."""
    pmids = {f.get("pmid") for f in fulltexts} - {None}
    pmcids = {f.get("pmcid") for f in fulltexts} - {None}
    found: list[str] = []
    with gzip.open(source, "rt", encoding="utf-8") as stream:
        for n, line in enumerate(stream):
            if n < skip:
                continue
            record = json.loads(line)
            if record.get("pmid") in pmids or record.get("pmcid") in pmcids:
                found.append(line)
    (target / "research_with_fulltext.jsonl").write_text("".join(found), "utf-8")


WORDS = ("aspirin statin hypertension stroke diabetes insulin metformin asthma inhaler "
         "migraine triptan fever infection antibiotic vaccine cohort trial placebo dose "
         "risk outcome mortality adults children pregnancy kidney liver heart blood "
         "pressure screening guideline recommend evidence symptom treatment").split()


def _generate(target: Path, records: int) -> None:
    """Corpus-schema records with several paragraphs each, for machines without the data."""
    rng = random.Random(7)
    kinds = ("research", "guideline", "consumer")
    for kind in kinds:
        lines = []
        for i in range(records):
            paragraphs = ["\n".join(
                " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 20))).capitalize() + "."
                for _ in range(rng.randint(3, 8))) for _ in range(rng.randint(1, 6))]
            lines.append(json.dumps({
                "id": f"gen:{kind}:{i}", "kind": kind, "collection": "generated",
                "title": f"{kind.title()} record {i}", "text": "\n\n".join(paragraphs),
                "year": 2000 + i % 25, "publication_types": [], "mesh": [], "keywords": [],
                "license": "generated"}))
        (target / f"{kind}.jsonl").write_text("\n".join(lines) + "\n", "utf-8")


def _kill_at_random(run: IngestRun, home: Path, window: tuple[float, float],
                    rng: random.Random) -> tuple[float, bool, int]:
    """Start an ingest, SIGKILL it a random time after its database appears; returns the
    delay, whether it was still running, and its exit status."""
    proc = run.start(home)
    _wait_for_database(proc, home)
    delay = rng.uniform(*window)
    time.sleep(delay)
    running = proc.poll() is None
    if running:
        proc.send_signal(signal.SIGKILL)
    return delay, running, proc.wait()


def _state(home: Path, parts: tuple[str, ...], reference: Contents, vectors: bool
           ) -> dict[str, Any]:
    """The consistency report of ``home`` and how its rows compare with the reference."""
    report = check_home(home, parts)
    store = SQLiteStore(home)
    try:
        diff = compare_contents(reference, store_contents(store))
    finally:
        store.close()
    names = [i.name for i in report.indexes]
    caught_up = all(i.behind_documents == 0 for i in report.indexes) and \
        (not vectors or "vectors" in names)
    return {
        "consistent": report.ok, "problems": report.problems, "caught_up": caught_up,
        "documents": report.documents, "passages": report.passages,
        "indexes": {i.name: {"entries": i.entries, "behind_documents": i.behind_documents}
                    for i in report.indexes},
        "records_lost": sum(diff[t]["lost"] for t in STORE_TABLES),
        "rows_lost": sum(d["lost"] for d in diff.values()),
        "rows_extra": sum(d["extra"] for d in diff.values()),
        "rows_changed": sum(d["changed"] for d in diff.values()),
        "duplicates": sum(i.duplicates for i in report.indexes),
    }


def _phase(state: dict[str, Any], reference_rows: int) -> str:
    """Where the killed ingest was: starting, storing, indexing (BM25), embedding or done."""
    if state["rows_lost"] >= reference_rows:
        return "starting"
    if state["rows_lost"]:
        return "storing"
    lexical = state["indexes"].get("lexical", {})
    if not lexical or lexical["behind_documents"]:
        return "indexing"
    return "finishing" if state["caught_up"] else "embedding"


def run_crash(trials: int = 20, records: int = 50, seed: int = 1, vectors: bool = False,
              data_dir: Path | None = None, on_trial: TrialFn | None = None) -> dict[str, Any]:
    """Run ``trials`` kill-and-resume trials (see the module) and summarise them."""
    from medcite.settings import load_settings

    rng = random.Random(seed)
    env = {k: v for k, v in os.environ.items() if k != "MEDCITE_HOME"}
    env["MEDCITE_INGEST__BATCH_SIZE"] = str(BATCH_SIZE)
    if vectors:
        env["MEDCITE_EMBEDDER__MAX_LENGTH"] = str(EMBED_MAX_LENGTH)
        if env.get("MEDCITE_EMBEDDER__KIND") == "none":
            env.pop("MEDCITE_EMBEDDER__KIND")
    else:
        env["MEDCITE_EMBEDDER__KIND"] = "none"
    with tempfile.TemporaryDirectory(prefix="medcite-crash-") as tmp:
        root = Path(tmp)
        parts = tuple(load_settings(root / "reference").embedder.parts)
        source = build_corpus(root / "corpus", data_dir, records)
        run = IngestRun(root / "corpus", env)
        reference_report = run.complete(root / "reference")
        window = float(reference_report["window_s"])
        storing = max(window - float(reference_report.get("embed_seconds", 0.0)), 0.0)
        if reference_report["rc"] != 0:
            raise RuntimeError(f"the reference ingest failed: {reference_report['error']}")
        store = SQLiteStore(root / "reference")
        try:
            reference = store_contents(store)
        finally:
            store.close()
        reference_state = _state(root / "reference", parts, reference, vectors)
        reference_rows = sum(len(rows) for rows in reference.values())
        results = []
        for n in range(1, trials + 1):
            home = root / f"trial-{n}"
            part = (0.0, window) if not vectors else (0.0, storing) if n % 2 else \
                (storing, window)
            delay, killed, rc = _kill_at_random(run, home, part, rng)
            after_kill = _state(home, parts, reference, vectors)
            resumed = run.complete(home)
            after = _state(home, parts, reference, vectors)
            files = resumed.get("files", [])
            result = {
                "trial": n, "delay_s": round(delay, 3), "killed": killed,
                "phase": _phase(after_kill, reference_rows) if killed else
                "completed" if rc == 0 else f"failed on its own (exit {rc})",
                "consistent_after_kill": after_kill["consistent"],
                "problems_after_kill": after_kill["problems"],
                "resume_rc": resumed["rc"], "resume_error": resumed.get("error", ""),
                "files_resumed_midway": sum(1 for f in files if f.get("resumed_from")),
                "files_already_complete": sum(1 for f in files if f.get("skipped")),
                "consistent_after_resume": after["consistent"] and after["caught_up"],
                "problems_after_resume": after["problems"],
                "records_lost": after["records_lost"], "rows_lost": after["rows_lost"],
                "duplicates": after["duplicates"] + after["rows_extra"],
                "rows_changed": after["rows_changed"],
            }
            results.append(result)
            if on_trial:
                on_trial(result)
            shutil.rmtree(home, ignore_errors=True)
    return _summary(results, source, records, vectors, window, reference_state)


def _summary(results: list[dict[str, Any]], source: str, records: int, vectors: bool,
             window: float, reference: dict[str, Any]) -> dict[str, Any]:
    phases: dict[str, int] = {}
    for r in results:
        phases[r["phase"]] = phases.get(r["phase"], 0) + 1
    summary = {
        "trials": len(results),
        "killed_mid_ingest": sum(r["killed"] for r in results),
        "kill_phases": phases,
        "consistent_after_kill": sum(r["consistent_after_kill"] for r in results),
        "resumed_ok": sum(r["resume_rc"] == 0 for r in results),
        "consistent_after_resume": sum(r["consistent_after_resume"] for r in results),
        "records_lost": sum(r["records_lost"] for r in results),
        "rows_lost": sum(r["rows_lost"] for r in results),
        "duplicates": sum(r["duplicates"] for r in results),
        "rows_changed": sum(r["rows_changed"] for r in results),
    }
    summary["ok"] = (summary["consistent_after_kill"] == summary["resumed_ok"]
                     == summary["consistent_after_resume"] == len(results)
                     and not (summary["rows_lost"] or summary["duplicates"]
                              or summary["rows_changed"]))
    return {
        **summary,
        "corpus": {"source": source, "records_per_file": records,
                   "documents": reference["documents"], "passages": reference["passages"]},
        "vectors": vectors, "batch_size": BATCH_SIZE, "kill_window_s": round(window, 2),
        "reference_consistent": reference["consistent"],
        "trial_results": results,
    }


def trial_line(r: dict[str, Any]) -> str:
    """One trial in a line, as it finishes."""
    how = f"killed after {r['delay_s']:.2f} s ({r['phase']})" if r["killed"] else \
        f"{r['phase']} before the kill at {r['delay_s']:.2f} s"
    verdict = "consistent" if r["consistent_after_kill"] else \
        f"INCONSISTENT ({'; '.join(r['problems_after_kill'])})"
    resumed = "resumed ok" if r["resume_rc"] == 0 else f"RESUME FAILED ({r['resume_error']})"
    return (f"trial {r['trial']:>3}: {how}; {verdict}; {resumed}; lost {r['records_lost']}, "
            f"duplicates {r['duplicates']}, changed {r['rows_changed']}")


def print_crash(data: dict[str, Any], say: Callable[[str], None]) -> None:
    """The figures of :func:`run_crash`."""
    corpus = data["corpus"]
    n = data["trials"]
    say(f"corpus: {corpus['documents']:,} documents, {corpus['passages']:,} passages "
        f"({corpus['source']}, {corpus['records_per_file']} records per file); vectors "
        f"{'on' if data['vectors'] else 'off'}; batches of {data['batch_size']}; kills within "
        f"{data['kill_window_s']} s of the database appearing")
    phases = ", ".join(f"{k} {v}" for k, v in sorted(data["kill_phases"].items()))
    say(f"trials                     {n} ({data['killed_mid_ingest']} killed mid-ingest: "
        f"{phases})")
    say(f"store consistent after kill {data['consistent_after_kill']}/{n}")
    say(f"re-run completed           {data['resumed_ok']}/{n}")
    say(f"consistent after re-run    {data['consistent_after_resume']}/{n}")
    say(f"records lost               {data['records_lost']} (rows lost {data['rows_lost']})")
    say(f"duplicates                 {data['duplicates']}")
    say(f"rows changed               {data['rows_changed']}")
    say("PASS" if data["ok"] else "FAIL")
