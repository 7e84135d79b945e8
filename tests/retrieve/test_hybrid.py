"""Hybrid retrieval with the real bundled embedding model on tiny corpora."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from medcite.index import dense as dense_module
from medcite.service import Medcite
from medcite.settings import load_settings
from tests.conftest import DENSE, doc, write_jsonl

CORPUS = [
    doc("pmid:1", "Acute myocardial infarction is treated with primary percutaneous coronary "
        "intervention and dual antiplatelet therapy.", pmid="1"),
    doc("pmid:2", "The federal tax code was revised in 1986 to simplify deductions."),
    doc("pmid:3", "Antacids relieve heartburn within minutes in most adults."),
    doc("pmid:4", "Crop rotation improves soil nitrogen in wheat farming."),
]


def test_dense_retrieval_finds_what_bm25_cannot(home: Path, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "c.jsonl", CORPUS)
    with Medcite(load_settings(home)) as lexical_only:
        lexical_only.ingest([path])
        assert "pmid:1" not in [h.doc_id for h in lexical_only.search("heart attack care")]
    with Medcite(load_settings(home, **DENSE)) as hybrid:
        assert hybrid.embed() == 4  # the vectors catch up with the store
        assert hybrid.search("heart attack care", k=2)[0].doc_id == "pmid:1"
        stats = hybrid.stats()["dense_index"]
        assert stats["vectors"] == 4 and stats["pending_changes"] == 0


def test_guideline_outranks_case_report_of_equal_relevance(home: Path, tmp_path: Path) -> None:
    text = "Intrathecal methotrexate is used to manage leptomeningeal metastases."
    path = write_jsonl(tmp_path / "c.jsonl", [
        doc("a:case", text, publication_types=["Case Reports"]),
        doc("z:guideline", text, kind="guideline"),
        doc("m:other", "Leptomeningeal metastases are diagnosed by MRI and CSF cytology."),
    ])
    question = "What is the management of leptomeningeal metastases?"
    with Medcite(load_settings(home, **DENSE)) as service:
        service.ingest([path])
        ranked = [h.doc_id for h in service.search(question, k=3)]
        assert ranked.index("z:guideline") < ranked.index("a:case")
    with Medcite(load_settings(home, **DENSE, retrieval={"evidence_weight": 0.0,
                                                          "recency_weight": 0.0})) as flat:
        ranked = [h.doc_id for h in flat.search(question, k=3)]
        assert ranked.index("a:case") < ranked.index("z:guideline")  # a tie, broken by id


def test_vectors_follow_updates_deletions_and_rebuild_for_new_parts(
    home: Path, tmp_path: Path
) -> None:
    with Medcite(load_settings(home, **DENSE)) as service:
        service.ingest([write_jsonl(tmp_path / "a.jsonl", CORPUS)])
        service.ingest([write_jsonl(tmp_path / "ft.jsonl", [
            {"pmcid": "PMC1", "pmid": "1", "title": "t", "body_sections": [
                {"title": "Methods", "text": "We enrolled 200 adults with STEMI."}]}])])
        vectors = service.dense.vectors if service.dense else None
        assert vectors is not None and len(vectors) == 4  # body passages are lexical only
        service.ingest([write_jsonl(tmp_path / "b.jsonl", [
            doc("pmid:2", "Zinc lozenges shorten the common cold.")])])
        assert service.search("zinc for colds", k=1)[0].doc_id == "pmid:2"
    with Medcite(load_settings(home, embedder={"kind": "minilm", "parts": ["text", "body"]})
                 ) as wider:
        assert wider.rebuild_indexes(lexical=False)["embedded_passages"] == 5
        assert wider.stats()["dense_index"]["vectors"] == 5


class FlakyEmbedder:
    """The real embedder, dying after a number of calls (a crash mid-embedding)."""

    def __init__(self, inner: object, calls: int) -> None:
        self.inner, self.left = inner, calls
        self.name, self.dim = inner.name, inner.dim  # type: ignore[attr-defined]

    def embed(self, texts: list[str], kind: str) -> np.ndarray:
        self.left -= 1
        if self.left < 0:
            raise KeyboardInterrupt
        return self.inner.embed(texts, kind)  # type: ignore[attr-defined]


def test_interrupted_embedding_resumes_without_duplicates(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dense_module, "EMBED_BATCH", 4)
    monkeypatch.setattr(dense_module, "CHANGES_PER_ROUND", 4)
    monkeypatch.setattr(dense_module, "CHECKPOINT_PASSAGES", 4)
    records = [doc(f"pmid:{i}", f"Randomised trial {i} of statins in older adults.")
               for i in range(20)]
    path = write_jsonl(tmp_path / "c.jsonl", records)
    with Medcite(load_settings(home, **DENSE)) as service:
        service.ingest_files([path])
        assert service.dense is not None
        service.dense.embedder = FlakyEmbedder(service.dense.embedder, calls=3)
        with pytest.raises(KeyboardInterrupt):
            service.embed()
    with Medcite(load_settings(home, **DENSE)) as again:
        assert again.dense is not None
        saved = len(again.dense.vectors)
        assert 0 < saved < 20
        assert again.embed() == 20 - saved
        assert sorted(again.dense.vectors.ids()) == sorted(f"pmid:{i}#t0" for i in range(20))
