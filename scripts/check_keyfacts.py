#!/usr/bin/env python3
"""Check the key-fact dev set against the shared corpus.

Usage:
    python scripts/check_keyfacts.py [KEYFACTS_JSONL] [DATA_DIR]

KEYFACTS_JSONL defaults to src/medcite/bench/devsets/keyfacts.jsonl in this checkout.
DATA_DIR is the shared data directory (the one holding ``corpus/``) or the corpus
directory itself; it defaults to $MEDCITE_DATA_DIR, then ../shared/data.

For every question it checks the record's shape and that each key-term group has at
least one alternative occurring, as a case-insensitive substring after whitespace
normalisation, in the text of at least one of the question's doc_ids. Document ids are
formed as the project's ingester forms them: repeated MedQuAD ids get the collection
appended (``medquad:0000001_1-1@3_GHR_QA``) and USPSTF specific recommendations become
``guideline:uspstf-rec-<id>`` with their grade and risk text appended.

Prints every failure and exits 1 if there is any, else prints a summary and exits 0.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

AUDIENCES = {"clinician", "patient"}
TYPES = {"management", "dosing", "screening", "definition", "yesno", "diagnosis",
         "prognosis", "etiology", "comparison"}
FIELDS = {"id", "question", "audience", "type", "key_terms", "doc_ids", "note"}
ID_RE = re.compile(r"^kf-\d{3}$")

# corpus files in the shared schema, by the id prefixes they hold
CORPUS_FILES = {
    "guidelines.jsonl.gz": ("guideline:",),
    "consumer_medquad.jsonl.gz": ("medquad:",),
    "research.jsonl.gz": ("pmid:", "pmc:"),
    "bioasq_abstracts.jsonl.gz": ("pmid:", "pmc:"),
}
USPSTF_FILE = "uspstf_recommendations.jsonl"
USPSTF_PREFIX = "guideline:uspstf-rec-"


def norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def open_text(path: Path) -> IO[str]:
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8")
    return open(path, encoding="utf-8")


def json_lines(path: Path) -> Iterator[dict[str, Any]]:
    with open_text(path) as stream:
        for line in stream:
            if line.strip():
                yield json.loads(line)


def unique_ids(path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """(document id, record) as medcite.ingest.jsonl.read_corpus names them."""
    seen: dict[str, list[tuple[Any, str]]] = {}
    for record in json_lines(path):
        rid, collection = str(record.get("id") or ""), record.get("collection")
        fingerprint = f"{record.get('title')}\x00{record.get('text')}"
        earlier = seen.setdefault(rid, [])
        if not earlier or (collection, fingerprint) == earlier[0]:
            earlier[:1] = [(collection, fingerprint)]
            yield rid, record
            continue
        earlier.append((collection, fingerprint))
        if collection and collection != earlier[0][0]:
            tail = str(collection).rsplit("/", 1)[-1]
            same_tail = sum(1 for c, _ in earlier if c == collection)
            yield (f"{rid}@{tail}" if same_tail == 1 else f"{rid}@{tail}-{same_tail}"), record
        else:
            yield f"{rid}@{len(earlier)}", record


def uspstf_text(record: dict[str, Any]) -> str:
    parts = [str(record.get("text") or "").strip()]
    grade = record.get("grade") or ""
    if grade:
        definition = record.get("grade_definition") or ""
        parts.append(f"Grade {grade} recommendation. {definition}".strip())
    if record.get("riskText"):
        parts.append(f"Risk assessment\n{record['riskText'].strip()}")
    return "\n\n".join(parts)


def load_texts(corpus: Path, wanted: set[str]) -> dict[str, str]:
    texts: dict[str, str] = {}
    for name, prefixes in CORPUS_FILES.items():
        if not any(w.startswith(prefixes) for w in wanted - texts.keys()):
            continue
        path = corpus / name
        if not path.exists():
            continue
        for doc_id, record in unique_ids(path):
            if doc_id in wanted and doc_id not in texts:
                texts[doc_id] = norm(str(record.get("text") or ""))
    if any(w.startswith(USPSTF_PREFIX) for w in wanted) and (corpus / USPSTF_FILE).exists():
        for record in json_lines(corpus / USPSTF_FILE):
            doc_id = f"{USPSTF_PREFIX}{record.get('id')}"
            if doc_id in wanted:
                texts[doc_id] = norm(uspstf_text(record))
    return texts


def shape_errors(q: Any) -> list[str]:
    if not isinstance(q, dict):
        return ["not a JSON object"]
    errors = []
    if set(q) != FIELDS:
        errors.append(f"fields must be {sorted(FIELDS)}, got {sorted(q)}")
    if not ID_RE.match(str(q.get("id", ""))):
        errors.append("id must look like kf-001")
    for key in ("question", "note"):
        if not isinstance(q.get(key), str) or not q.get(key, "").strip():
            errors.append(f"{key} must be a non-empty string")
    if q.get("audience") not in AUDIENCES:
        errors.append(f"audience must be one of {sorted(AUDIENCES)}")
    if q.get("type") not in TYPES:
        errors.append(f"type must be one of {sorted(TYPES)}")
    groups = q.get("key_terms")
    if not (isinstance(groups, list) and groups and all(
            isinstance(g, list) and g and all(isinstance(a, str) and a.strip() for a in g)
            for g in groups)):
        errors.append("key_terms must be a non-empty list of non-empty lists of strings")
    docs = q.get("doc_ids")
    if not (isinstance(docs, list) and docs and all(isinstance(d, str) and d for d in docs)):
        errors.append("doc_ids must be a non-empty list of strings")
    return errors


def main(argv: list[str]) -> int:
    root = Path(__file__).resolve().parents[1]
    jsonl = Path(argv[1]) if len(argv) > 1 else root / "src/medcite/bench/devsets/keyfacts.jsonl"
    if len(argv) > 2:
        data = Path(argv[2])
    elif os.environ.get("MEDCITE_DATA_DIR"):
        data = Path(os.environ["MEDCITE_DATA_DIR"])
    else:
        data = root / ".." / "shared" / "data"
    corpus = data / "corpus" if (data / "corpus").is_dir() else data
    if not corpus.is_dir():
        print(f"corpus directory not found: {corpus}", file=sys.stderr)
        return 2

    failures: list[str] = []
    questions: list[dict[str, Any]] = []
    with open(jsonl, encoding="utf-8") as stream:
        for lineno, line in enumerate(stream, 1):
            if not line.strip():
                continue
            try:
                q = json.loads(line)
            except json.JSONDecodeError as exc:
                failures.append(f"line {lineno}: invalid JSON ({exc})")
                continue
            errors = shape_errors(q)
            failures += [f"line {lineno} ({q.get('id') if isinstance(q, dict) else '?'}): {e}"
                         for e in errors]
            if not errors:
                questions.append(q)

    ids = Counter(q["id"] for q in questions)
    failures += [f"{i}: duplicate id" for i, n in ids.items() if n > 1]

    wanted = {d for q in questions for d in q["doc_ids"]}
    texts = load_texts(corpus, wanted)
    for q in questions:
        missing = [d for d in q["doc_ids"] if d not in texts]
        for d in missing:
            failures.append(f"{q['id']}: doc id {d} not found in {corpus}")
        found = [texts[d] for d in q["doc_ids"] if d in texts]
        for group in q["key_terms"]:
            if not any(norm(alt) in text for alt in group for text in found):
                failures.append(f"{q['id']}: no alternative of {group} occurs in {q['doc_ids']}")

    for line in failures:
        print("FAIL", line)
    by_audience = Counter(q["audience"] for q in questions)
    by_type = Counter(q["type"] for q in questions)
    print(f"{len(questions)} questions checked against {len(texts)} documents; "
          f"{len(failures)} failure(s)")
    print("audience:", ", ".join(f"{k} {v}" for k, v in sorted(by_audience.items())))
    print("type:", ", ".join(f"{k} {v}" for k, v in sorted(by_type.items())))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
