"""Shared fixtures: tiny corpora written in code, and the shared data when present."""

from __future__ import annotations

import gzip
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from medcite.service import Medcite
from medcite.settings import load_settings


def _shared_dir() -> Path:
    env = os.environ.get("MEDCITE_DATA_DIR")
    return Path(env) if env else Path(__file__).resolve().parents[1] / ".." / "shared" / "data"


SHARED = _shared_dir()


def write_jsonl(path: Path, records: list[Any], gz: bool = False) -> Path:
    lines = "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records)
    if gz:
        with gzip.open(path, "wt", encoding="utf-8") as stream:
            stream.write(lines)
    else:
        path.write_text(lines, encoding="utf-8")
    return path


def doc(doc_id: str, text: str, kind: str = "research", **extra: Any) -> dict[str, Any]:
    """A record in the shared corpus schema."""
    record: dict[str, Any] = {
        "id": doc_id, "kind": kind, "collection": "test", "title": None, "text": text,
        "journal": None, "organization": None, "year": None, "pmid": None, "pmcid": None,
        "doi": None, "url": None, "publication_types": [], "mesh": [], "keywords": [],
        "license": "test",
    }
    record.update(extra)
    return record


@pytest.fixture(autouse=True)
def _lexical_only_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    """Most tests need no embedding model; tests of dense retrieval turn it back on with
    ``dense_settings``. (CLI tests inherit this through the environment.)"""
    monkeypatch.setenv("MEDCITE_EMBEDDER__KIND", "none")


DENSE = {"embedder": {"kind": "minilm"}}
"""Settings overrides that switch the real bundled embedding model on."""


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


@pytest.fixture
def service(home: Path) -> Iterator[Medcite]:
    with Medcite(load_settings(home)) as svc:
        yield svc


VOCAB_MESH = [
    {"ui": "D006973", "name": "Hypertension", "entry_terms": ["High Blood Pressure"],
     "tree_numbers": ["C14.907.489"]},
    {"ui": "D009203", "name": "Myocardial Infarction", "entry_terms": ["Heart Attack"],
     "tree_numbers": ["C14.280.647.500"]},
    {"ui": "D003704", "name": "Dementia", "entry_terms": ["Amentia"],
     "tree_numbers": ["F03.615.400"]},
]
VOCAB_DRUGS = [{"canonical": "lisinopril", "drugbank_id": "DB00722",
                "brand_variants": ["Zestril"], "variants": ["lisinopril"]}]


@pytest.fixture
def vocab_service(service: Medcite, tmp_path: Path) -> Medcite:
    """``service`` with a tiny MeSH (hypertension, heart attack, dementia) and drug
    vocabulary (lisinopril, brand Zestril): enough for synonyms and paraphrases."""
    service.ingest([write_jsonl(tmp_path / "mesh.jsonl", VOCAB_MESH),
                    write_jsonl(tmp_path / "drugs.jsonl", VOCAB_DRUGS)])
    return service


@pytest.fixture(scope="session")
def shared() -> Path:
    """The shared data directory; tests that read it are skipped where it does not exist
    (the project must work without it), never where it does."""
    if not (SHARED / "corpus").is_dir():
        pytest.skip("../shared/data (or MEDCITE_DATA_DIR) is not present on this machine")
    return SHARED.resolve()


def head_lines(source: Path, target: Path, n: int) -> Path:
    """The first ``n`` records of a (gzipped) JSON Lines file, written to ``target``."""
    opener = gzip.open if source.suffix == ".gz" else open
    with opener(source, "rt", encoding="utf-8") as stream:
        lines = [line for _, line in zip(range(n), stream, strict=False)]
    target.write_text("".join(lines), encoding="utf-8")
    return target
