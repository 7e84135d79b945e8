"""The evaluation sets under ``../shared/data/dev``, read at run time."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from medcite.errors import InputFileError
from medcite.ingest.source import open_text

DATASETS: dict[str, str] = {
    "bioasq": "dev/bioasq_7b_10b.jsonl",
    "pubmedqa": "dev/pubmedqa_dev.jsonl",
    "evidence-inference": "dev/evidence_inference_dev.jsonl",
    "mediqa": "dev/mediqa2019_qa.jsonl.gz",
}
DATA_ENV = "MEDCITE_DATA_DIR"


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    gold: frozenset[str]
    type: str = ""
    answer: str = ""
    extra: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)


def find_data_dir(explicit: Path | None = None) -> Path:
    """The shared data directory: explicit path, ``MEDCITE_DATA_DIR``, or ``../shared/data``
    beside the working directory or beside this checkout."""
    candidates = [explicit] if explicit else []
    if os.environ.get(DATA_ENV):
        candidates.append(Path(os.environ[DATA_ENV]))
    candidates += [Path.cwd() / ".." / "shared" / "data",
                   Path(__file__).resolve().parents[3] / ".." / "shared" / "data"]
    for path in candidates:
        if path and (path / "dev").is_dir():
            return path.resolve()
    raise InputFileError(
        "Cannot find the shared evaluation data (a directory with dev/ and corpus/).",
        f"Pass --data-dir or set {DATA_ENV}.",
    )


def load(name: str, data_dir: Path, limit: int | None = None) -> list[Question]:
    """Questions of one dev set, in file order, at most ``limit``."""
    if name not in DATASETS:
        raise InputFileError(f"Unknown dataset {name!r}.", f"Choose from {', '.join(DATASETS)}.")
    path = data_dir / DATASETS[name]
    if not path.exists():
        raise InputFileError(f"Missing {path}.", "Check --data-dir.")
    questions: list[Question] = []
    with open_text(path) as stream:
        for line in stream:
            if limit is not None and len(questions) >= limit:
                break
            if line.strip():
                questions.append(_question(name, json.loads(line)))
    return questions


def _question(name: str, r: dict[str, Any]) -> Question:
    gold = frozenset(r.get("gold_doc_ids") or ())
    if name == "bioasq":
        answer = r.get("exact_answer") if r.get("type") == "yesno" else ""
        return Question(str(r["id"]), r["question"], gold, r.get("type", ""), str(answer or ""),
                        {"ideal_answer": r.get("ideal_answer"),
                         "exact_answer": r.get("exact_answer")})
    if name == "pubmedqa":
        return Question(str(r["id"]), r["question"], gold, "yesno", r.get("answer", ""),
                        {"long_answer": r.get("long_answer")})
    if name == "evidence-inference":
        return Question(str(r["id"]), r["question"], gold, "comparison", r.get("answer", ""),
                        {k: r.get(k) for k in ("outcome", "intervention", "comparator",
                                               "evidence")})
    return Question(str(r.get("id")), r["question"], gold, "consumer", "",
                    {"answers": r.get("answers")})
