"""VectorIndex: round trips, persistence, model changes, exact vs HNSW, atomic saves."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from medcite.errors import StoreError
from medcite.index.vectors import MANIFEST, IncompatibleIndexError, VectorIndex

MODEL = "test-model"


def unit(rows: np.ndarray) -> np.ndarray:
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


def random_vectors(n: int, dim: int, seed: int = 0) -> np.ndarray:
    return unit(np.random.default_rng(seed).standard_normal((n, dim)))


def clustered_vectors(n: int, dim: int, seed: int = 0) -> np.ndarray:
    """Like sentence embeddings: a shared direction, topic clusters, and noise."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((40, dim)) + 2.0 * rng.standard_normal(dim)
    return unit(centres[rng.integers(0, 40, n)] + 0.6 * rng.standard_normal((n, dim)))


def ids_for(n: int, start: int = 0) -> list[str]:
    return [f"p{i}" for i in range(start, start + n)]


def test_add_search_replace_remove(tmp_path: Path) -> None:
    index = VectorIndex.open(tmp_path / "v", dim=16, model_name=MODEL)
    vectors = random_vectors(50, 16)
    index.add(ids_for(50), vectors * 5)  # scaled: stored rows are normalised
    assert len(index) == 50
    best, score = index.search(vectors[7], k=3)[0]
    assert best == "p7"
    assert score == pytest.approx(1.0, abs=1e-5)
    hits = index.search(vectors[7], k=50)
    assert [s for _, s in hits] == sorted((s for _, s in hits), reverse=True)
    index.add(["p8"], vectors[7:8])  # replace: p8 now points where p7 does
    assert len(index) == 50
    assert {i for i, _ in index.search(vectors[7], k=2)} == {"p7", "p8"}
    assert index.remove(["p7", "unknown"]) == 1
    assert "p7" not in index
    assert index.search(vectors[7], k=1)[0][0] == "p8"
    assert all(i != "p7" for i, _ in index.search(vectors[7], k=100))
    assert len(index.search(vectors[7], k=100)) == 49
    index.add(["p7"], vectors[7:8])  # an id can come back after removal
    assert index.search(vectors[7], k=2)[0][1] == pytest.approx(1.0, abs=1e-5)


def test_bad_input_is_rejected(tmp_path: Path) -> None:
    index = VectorIndex.open(tmp_path, dim=4, model_name=MODEL)
    assert index.search(np.ones(4), k=5) == []
    with pytest.raises(ValueError):
        index.add(["a"], np.ones((1, 5)))
    with pytest.raises(ValueError):
        index.add(["a", "a"], np.ones((2, 4)))
    with pytest.raises(ValueError):
        index.search(np.ones(5), k=1)


def test_save_reopen_compacts_removed_rows(tmp_path: Path) -> None:
    index = VectorIndex.open(tmp_path, dim=32, model_name=MODEL)
    vectors = random_vectors(200, 32)
    index.add(ids_for(200), vectors)
    index.remove(ids_for(50))
    index.meta["store_seq"] = 42
    queries = random_vectors(5, 32, seed=1)
    before = [index.search(q, k=10) for q in queries]
    index.save()
    manifest = json.loads((tmp_path / MANIFEST).read_text())
    assert manifest["model"] == MODEL and manifest["dim"] == 32 and manifest["count"] == 150
    stored = np.load(tmp_path / manifest["vectors"])
    assert stored.shape == (150, 32) and stored.dtype == np.float16
    assert index.search(queries[0], k=10) == before[0]  # in-memory state compacted too
    again = VectorIndex.open(tmp_path, dim=32, model_name=MODEL)
    assert again.compatible and len(again) == 150
    assert again.meta == {"store_seq": 42}
    assert sorted(again.ids()) == sorted(ids_for(150, start=50))
    for query, expected in zip(queries, before, strict=True):
        got = again.search(query, k=10)
        assert [i for i, _ in got] == [i for i, _ in expected]
        np.testing.assert_allclose([s for _, s in got], [s for _, s in expected], atol=1e-3)
    again.add(["new"], vectors[:1])
    again.save()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ids-2.json", MANIFEST, "vectors-2.npy"]
    assert len(VectorIndex.open(tmp_path, dim=32, model_name=MODEL)) == 151


def test_model_change_is_detected(tmp_path: Path) -> None:
    index = VectorIndex.open(tmp_path, dim=8, model_name="model-a")
    index.add(["x"], random_vectors(1, 8))
    index.save()
    other = VectorIndex.open(tmp_path, dim=8, model_name="model-b")
    assert not other.compatible
    assert other.stored_model == "model-a"
    with pytest.raises(IncompatibleIndexError) as caught:
        other.search(np.ones(8), k=1)
    assert "model-a" in caught.value.message and "Rebuild" in caught.value.hint
    assert not VectorIndex.open(tmp_path, dim=16, model_name="model-a").compatible
    other.clear()
    other.add(["y"], random_vectors(1, 8))
    other.save()
    assert VectorIndex.open(tmp_path, dim=8, model_name="model-b").ids() == ["y"]
    assert not VectorIndex.open(tmp_path, dim=8, model_name="model-a").compatible


def test_damaged_manifest_is_a_store_error(tmp_path: Path) -> None:
    (tmp_path / MANIFEST).write_text("{not json")
    with pytest.raises(StoreError, match=re.escape(str(tmp_path))):
        VectorIndex.open(tmp_path, dim=8, model_name=MODEL)


def test_appends_grow_geometrically(tmp_path: Path) -> None:
    index = VectorIndex.open(tmp_path, dim=8, model_name=MODEL)
    vectors = random_vectors(20_000, 8)
    buffers = set()
    for i in range(0, 20_000, 10):
        index.add(ids_for(10, start=i), vectors[i:i + 10])
        buffers.add(id(index._matrix))
    assert len(index) == 20_000
    assert len(buffers) < 15  # 2,000 appends, a handful of reallocations


def recall_at_10(ann: VectorIndex, exact: VectorIndex, queries: np.ndarray) -> float:
    found = 0
    for query in queries:
        truth = {i for i, _ in exact.search(query, k=10)}
        found += len(truth & {i for i, _ in ann.search(query, k=10)})
    return found / (10 * len(queries))


@pytest.mark.parametrize("make", [random_vectors, clustered_vectors])
def test_hnsw_agrees_with_exact_search(tmp_path: Path, make: Any) -> None:
    vectors = make(3000, 384)
    queries = unit(vectors[:100] + 0.3 * random_vectors(100, 384, seed=9))
    exact = VectorIndex.open(tmp_path / "exact", dim=384, model_name=MODEL)
    ann = VectorIndex.open(tmp_path / "ann", dim=384, model_name=MODEL, exact_threshold=500)
    for index in (exact, ann):
        index.add(ids_for(3000), vectors)
    assert recall_at_10(ann, exact, queries) >= 0.95
    assert ann._ann is not None and exact._ann is None
    assert (ann._ann.M, ann._ann.ef_construction) == (16, 200)

    # Changes reach the graph on the next search; removed ids never come back.
    for index in (exact, ann):
        index.remove(ids_for(300))
        index.add(ids_for(500, start=3000), make(500, 384, seed=5))
        index.add(["p400"], vectors[:1])
    assert recall_at_10(ann, exact, queries) >= 0.95
    removed = set(ids_for(300))
    assert not any(i in removed for q in queries for i, _ in ann.search(q, k=10))
    assert ann.search(vectors[0], k=1)[0][0] == "p400"

    ann.save()
    manifest = json.loads((tmp_path / "ann" / MANIFEST).read_text())
    assert manifest["ann"] == "hnsw-1.bin" and (tmp_path / "ann" / "hnsw-1.bin").exists()
    reopened = VectorIndex.open(tmp_path / "ann", dim=384, model_name=MODEL, exact_threshold=500)
    assert recall_at_10(reopened, exact, queries) >= 0.95
    assert reopened._ann.get_current_count() == 3500  # loaded from disk (removed ones included)


def test_graph_is_rebuilt_after_many_removals(tmp_path: Path) -> None:
    vectors = clustered_vectors(2000, 64)
    ann = VectorIndex.open(tmp_path, dim=64, model_name=MODEL, exact_threshold=500)
    ann.add(ids_for(2000), vectors)
    ann.search(vectors[0], k=10)
    ann.remove(ids_for(1000))
    hits = ann.search(vectors[1500], k=10)
    assert hits[0][0] == "p1500"
    assert ann._ann.get_current_count() == 1000  # rebuilt without the removed nodes
    ann.remove(ids_for(1000, start=1000)[:600])
    assert len(ann.search(vectors[1900], k=10)) == 10  # 400 left: exact search below threshold


def test_failed_save_keeps_the_previous_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    index = VectorIndex.open(tmp_path, dim=8, model_name=MODEL)
    index.add(ids_for(10), random_vectors(10, 8))
    index.save()
    before = sorted(p.name for p in tmp_path.iterdir())
    index.add(ids_for(10, start=10), random_vectors(10, 8, seed=1))
    index.remove(["p0"])

    def broken_save(file: Any, array: np.ndarray, *args: Any, **kwargs: Any) -> None:
        file.write(b"\x93NUMPY half a header")
        raise OSError("disk full")

    monkeypatch.setattr(np, "save", broken_save)
    with pytest.raises(OSError, match="disk full"):
        index.save()
    monkeypatch.undo()
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert sorted(VectorIndex.open(tmp_path, dim=8, model_name=MODEL).ids()) == ids_for(10)

    real_replace = os.replace

    def crash_at_commit(src: Any, dst: Any) -> None:
        if Path(dst).name == MANIFEST:
            raise OSError("power cut")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", crash_at_commit)
    with pytest.raises(OSError, match="power cut"):
        index.save()
    monkeypatch.undo()
    assert sorted(VectorIndex.open(tmp_path, dim=8, model_name=MODEL).ids()) == ids_for(10)

    index.save()  # the in-memory index was left whole; a later save succeeds and tidies up
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ids-2.json", MANIFEST, "vectors-2.npy"]
    assert sorted(VectorIndex.open(tmp_path, dim=8, model_name=MODEL).ids()) == sorted(
        ids_for(19, start=1)
    )
