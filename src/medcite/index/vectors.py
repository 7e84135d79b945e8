"""Passage vectors on disk: one matrix, its ids, a manifest, and an HNSW graph for large sets.

Layout of the directory (``<gen>`` is a save counter)::

    manifest.json        model, dim and the names of the files below; replacing it commits a save
    ids-<gen>.json       {"ids": [...], "labels": [...]}, one entry per matrix row
    vectors-<gen>.npy    float16 rows (half the size of float32; dot-product error < 1e-4)
    hnsw-<gen>.bin       hnswlib graph keyed by the stable labels (only above exact_threshold)

A save writes new generation files, then swaps the manifest with ``os.replace``: a crash
leaves the previous save intact. Rows live in memory as one float32 array that grows
geometrically. Below ``exact_threshold`` vectors search is an exact matrix-vector product;
above it an HNSW graph answers, kept in step with changes lazily on the next search.
One writer: ``add``, ``remove`` and ``save`` must not overlap each other or searches (the
caller holds a lock); concurrent searches are safe. ``meta`` holds small caller data (such as
the store change sequence the vectors reflect) and is committed with the vectors.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np

from medcite.errors import MedciteError, MissingExtraError, StoreError

FORMAT = "medcite-vectors-1"
MANIFEST = "manifest.json"
DISK_DTYPE = np.float16
HNSW_M = 16
HNSW_EF_CONSTRUCTION = 200
REBUILD_DELETED_SHARE = 0.25  # rebuild the graph when this share of its nodes are deleted


class IncompatibleIndexError(MedciteError):
    """The vectors on disk come from another embedding model (or width)."""

    code = "vectors_incompatible"
    http_status = 409


class VectorIndex:
    """Normalised passage vectors with cosine search; open with :meth:`open`."""

    def __init__(self, path: Path, dim: int, model_name: str, exact_threshold: int = 20_000,
                 ef_search: int = 512) -> None:
        self.path, self.dim, self.model_name = Path(path), dim, model_name
        self.exact_threshold, self.ef_search = exact_threshold, ef_search
        self.compatible = True
        self.stored_model: str | None = None
        self.meta: dict[str, Any] = {}
        self._manifest: dict[str, Any] = {}
        self._lock = threading.Lock()
        self._clear()

    def _clear(self) -> None:
        self._matrix = np.zeros((0, self.dim), dtype=np.float32)
        self._labels = np.zeros(0, dtype=np.int64)
        self._alive = np.zeros(0, dtype=bool)
        self._ids: list[str | None] = []
        self._rows: dict[str, int] = {}
        self._next_label = 0
        self._ann: Any = None
        self._ann_pending: set[int] = set()  # labels added or changed since the graph saw them
        self._ann_dropped: set[int] = set()  # labels removed since the graph saw them
        self._ann_deleted = 0  # nodes marked deleted in the graph
        self._changed = False

    @classmethod
    def open(cls, path: Path, dim: int, model_name: str, exact_threshold: int = 20_000,
             ef_search: int = 512) -> VectorIndex:
        """Load the index under ``path`` (empty if absent). Check ``compatible`` before use."""
        index = cls(path, dim, model_name, exact_threshold, ef_search)
        manifest_path = index.path / MANIFEST
        if not manifest_path.exists():
            return index
        try:
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
            index.stored_model = str(manifest["model"])
            if manifest.get("format") != FORMAT:
                raise ValueError(f"unknown format {manifest.get('format')!r}")
            if manifest["model"] != model_name or int(manifest["dim"]) != dim:
                index.compatible, index._manifest = False, manifest
                return index
            rows = json.loads((index.path / manifest["ids"]).read_text(encoding="utf-8"))
            matrix = np.load(index.path / manifest["vectors"], allow_pickle=False)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise StoreError(
                f"The vector index in {index.path} cannot be read ({exc}).",
                "Delete that directory and rebuild the vectors from the store.",
            ) from exc
        if matrix.shape != (len(rows["ids"]), dim) or len(rows["labels"]) != len(rows["ids"]):
            raise StoreError(f"The vector index in {index.path} is inconsistent.",
                             "Delete that directory and rebuild the vectors from the store.")
        index._manifest, index.meta = manifest, dict(manifest.get("meta") or {})
        index._matrix = matrix.astype(np.float32)
        index._labels = np.asarray(rows["labels"], dtype=np.int64)
        index._alive = np.ones(len(rows["ids"]), dtype=bool)
        index._ids, index._next_label = list(rows["ids"]), int(manifest["next_label"])
        index._rows = {item: row for row, item in enumerate(rows["ids"])}
        return index

    def clear(self) -> None:
        """Drop every vector (e.g. to rebuild for a new model); the next save replaces the files."""
        self._clear()
        self.meta, self.compatible, self._changed = {}, True, True
        self._manifest.pop("ann", None)

    def __len__(self) -> int:
        return len(self._rows)

    def __contains__(self, item: object) -> bool:
        return item in self._rows

    def ids(self) -> list[str]:
        return list(self._rows)

    # -- changing ------------------------------------------------------------------------

    def add(self, ids: list[str], vectors: np.ndarray) -> None:
        """Add or replace vectors (rows are normalised); a known id keeps its row."""
        self._check_usable()
        vectors = np.asarray(vectors, dtype=np.float32)
        if vectors.ndim != 2 or vectors.shape != (len(ids), self.dim):
            raise ValueError(f"expected {len(ids)} x {self.dim} vectors, got {vectors.shape}")
        if len(set(ids)) != len(ids):
            raise ValueError("duplicate ids in one add() call")
        vectors = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
        known = [(i, self._rows[item]) for i, item in enumerate(ids) if item in self._rows]
        for i, row in known:
            self._matrix[row] = vectors[i]
            self._ann_pending.add(int(self._labels[row]))
        fresh = [i for i, item in enumerate(ids) if item not in self._rows]
        if fresh:
            start, stop = len(self._ids), len(self._ids) + len(fresh)
            first, self._next_label = self._next_label, self._next_label + len(fresh)
            self._reserve(stop)
            self._matrix[start:stop] = vectors[fresh]
            self._labels[start:stop] = np.arange(first, self._next_label)
            self._alive[start:stop] = True
            for row, i in enumerate(fresh, start):
                self._ids.append(ids[i])
                self._rows[ids[i]] = row
            self._ann_pending.update(range(first, self._next_label))
        self._changed = True

    def remove(self, ids: Iterable[str]) -> int:
        """Forget ``ids`` (unknown ones are ignored); returns how many were removed."""
        self._check_usable()
        removed = 0
        for item in ids:
            row = self._rows.pop(item, None)
            if row is None:
                continue
            self._alive[row] = False
            self._ids[row] = None
            label = int(self._labels[row])
            self._ann_pending.discard(label)
            self._ann_dropped.add(label)
            removed += 1
        self._changed = self._changed or removed > 0
        return removed

    def _reserve(self, rows: int) -> None:
        """Grow the row buffers geometrically so that appends stay amortised O(1)."""
        if rows <= len(self._matrix):
            return
        capacity = max(rows, int(len(self._matrix) * 1.5) + 1024)
        used = len(self._ids)
        matrix = np.empty((capacity, self.dim), dtype=np.float32)
        matrix[:used] = self._matrix[:used]
        labels, alive = np.zeros(capacity, dtype=np.int64), np.zeros(capacity, dtype=bool)
        labels[:used], alive[:used] = self._labels[:used], self._alive[:used]
        self._matrix, self._labels, self._alive = matrix, labels, alive

    def _check_usable(self) -> None:
        if not self.compatible:
            raise IncompatibleIndexError(
                f"The vectors in {self.path} were made by model {self.stored_model!r} "
                f"(dim {self._manifest.get('dim')}), but the embedder is {self.model_name!r} "
                f"(dim {self.dim}).",
                "Rebuild the vectors for the new model, or set the embedder back.",
            )

    # -- searching -----------------------------------------------------------------------

    def search(self, vector: np.ndarray, k: int) -> list[tuple[str, float]]:
        """The ``k`` nearest ids by cosine similarity, best first."""
        self._check_usable()
        query = np.asarray(vector, dtype=np.float32).reshape(-1)
        if query.shape != (self.dim,):
            raise ValueError(f"expected a vector of {self.dim} numbers, got {query.shape}")
        query = query / max(float(np.linalg.norm(query)), 1e-12)
        k = min(k, len(self))
        if k <= 0:
            return []
        if len(self) >= self.exact_threshold:
            try:
                return self._search_ann(query, k)
            except RuntimeError:  # hnswlib cannot fill k results (too few live nodes)
                pass
        return self._search_exact(query, k)

    def _search_exact(self, query: np.ndarray, k: int) -> list[tuple[str, float]]:
        used = len(self._ids)
        scores = self._matrix[:used] @ query
        if len(self) < used:
            scores[~self._alive[:used]] = -np.inf
        top = np.argpartition(-scores, k - 1)[:k] if k < used else np.arange(used)
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(self._ids[r] or "", float(scores[r])) for r in top]

    def _search_ann(self, query: np.ndarray, k: int) -> list[tuple[str, float]]:
        ann = self._ensure_ann()
        ann.set_ef(max(self.ef_search, 2 * k))
        labels, distances = ann.knn_query(query, k=k)
        rows = self._label_rows(labels[0])
        return [
            (self._ids[r] or "", 1.0 - float(d)) for r, d in zip(rows, distances[0], strict=True)
        ]

    def _label_rows(self, labels: np.ndarray) -> list[int]:
        # Labels are handed out in row order and compaction keeps that order: they are sorted.
        found = np.searchsorted(self._labels[:len(self._ids)], labels.astype(np.int64))
        return [int(row) for row in found]

    # -- the HNSW graph --------------------------------------------------------------------

    def _ensure_ann(self) -> Any:
        """The graph, loaded or built on first use and brought up to date with changes."""
        try:
            import hnswlib
        except ImportError as exc:
            raise MissingExtraError("hnswlib") from exc
        with self._lock:
            if self._ann is None and self._manifest.get("ann"):
                self._ann = hnswlib.Index(space="ip", dim=self.dim)
                self._ann_deleted = int(self._manifest.get("ann_deleted", 0))
                try:
                    self._ann.load_index(str(self.path / self._manifest["ann"]))
                except RuntimeError:  # missing or damaged: build it again below
                    self._ann = None
            if self._ann is not None:
                for label in self._ann_dropped:
                    try:
                        self._ann.mark_deleted(label)
                        self._ann_deleted += 1
                    except RuntimeError:  # added and removed before the graph saw it
                        pass
                self._ann_dropped.clear()
                if self._ann_deleted > REBUILD_DELETED_SHARE * self._ann.get_current_count():
                    self._ann = None
            if self._ann is None:
                self._ann = hnswlib.Index(space="ip", dim=self.dim)
                self._ann.init_index(max_elements=max(len(self), 1024), M=HNSW_M,
                                     ef_construction=HNSW_EF_CONSTRUCTION, random_seed=100)
                used = len(self._ids)
                self._ann_pending = set(self._labels[:used][self._alive[:used]].tolist())
                self._ann_dropped.clear()
                self._ann_deleted = 0
            if self._ann_pending:
                labels = np.fromiter(sorted(self._ann_pending), dtype=np.int64)
                rows = self._label_rows(labels)
                needed = self._ann.get_current_count() + len(rows)
                if needed > self._ann.get_max_elements():
                    self._ann.resize_index(max(needed, int(self._ann.get_max_elements() * 1.5)))
                self._ann.add_items(self._matrix[rows], labels)
                self._ann_pending.clear()
            return self._ann

    # -- saving ----------------------------------------------------------------------------

    def save(self) -> None:
        """Write the index atomically (new files, then swap the manifest); compacts removals."""
        self._check_usable()
        unchanged = not self._changed and self.meta == self._manifest.get("meta", {})
        if unchanged and (self.path / MANIFEST).exists():
            return
        self.path.mkdir(parents=True, exist_ok=True)
        gen = int(self._manifest.get("generation", 0)) + 1
        used = len(self._ids)
        keep = np.flatnonzero(self._alive[:used])
        compact = len(keep) < used
        matrix = self._matrix[keep] if compact else self._matrix[:used]
        labels = self._labels[keep] if compact else self._labels[:used]
        ids = [self._ids[r] for r in keep] if compact else list(self._ids)
        manifest: dict[str, Any] = {
            "format": FORMAT, "model": self.model_name, "dim": self.dim, "generation": gen,
            "count": len(ids), "dtype": np.dtype(DISK_DTYPE).name, "next_label": self._next_label,
            "ids": f"ids-{gen}.json", "vectors": f"vectors-{gen}.npy", "ann": None,
            "meta": dict(self.meta),
        }

        def save_matrix(path: Path) -> None:
            with path.open("wb") as handle:
                np.save(handle, matrix.astype(DISK_DTYPE))

        self._write(f"vectors-{gen}.npy", save_matrix)
        rows_json = json.dumps({"ids": ids, "labels": labels.tolist()}).encode("utf-8")
        self._write(f"ids-{gen}.json", lambda path: path.write_bytes(rows_json))
        if len(ids) >= self.exact_threshold:
            ann = self._ensure_ann()
            manifest["ann"], manifest["ann_deleted"] = f"hnsw-{gen}.bin", self._ann_deleted
            self._write(f"hnsw-{gen}.bin", lambda path: ann.save_index(str(path)))
        encoded = json.dumps(manifest, indent=1).encode("utf-8")
        self._write(MANIFEST, lambda path: path.write_bytes(encoded))
        self._manifest, self._changed = manifest, False
        if compact:
            self._matrix, self._labels = np.ascontiguousarray(matrix), labels
            self._alive, self._ids = np.ones(len(ids), dtype=bool), list(ids)
            self._rows = {item: row for row, item in enumerate(ids) if item is not None}
        self._remove_stale(manifest)

    def _write(self, name: str, fill: Callable[[Path], object]) -> None:
        """Write ``name`` through a temporary file, fsync it, then rename it into place."""
        target = self.path / name
        temp = target.with_name(target.name + ".tmp")
        try:
            fill(temp)
            with temp.open("rb+") as handle:
                os.fsync(handle.fileno())
            os.replace(temp, target)
        except BaseException:
            temp.unlink(missing_ok=True)
            raise
        if hasattr(os, "O_DIRECTORY"):  # make the rename itself durable
            fd = os.open(self.path, os.O_DIRECTORY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)

    def _remove_stale(self, manifest: dict[str, Any]) -> None:
        keep = {MANIFEST, manifest["ids"], manifest["vectors"], manifest["ann"]}
        for file in self.path.iterdir():
            stem = file.name.split("-", 1)[0]
            if file.name not in keep and stem in ("ids", "vectors", "hnsw"):
                file.unlink(missing_ok=True)


def saved_files(manifest: bytes) -> list[str]:
    """The files a saved manifest names: with the manifest, a consistent copy of a save
    (a later save writes new files and removes these only after swapping the manifest)."""
    data = json.loads(manifest)
    return [str(data[key]) for key in ("ids", "vectors", "ann") if data.get(key)]


def stored_rows(path: Path) -> tuple[list[str], dict[str, Any]] | None:
    """Every row id of the save under ``path`` (a repeat stays a repeat) and its ``meta``,
    without loading the vectors: what a consistency check needs. None if never saved."""
    if not (path / MANIFEST).exists():
        return None
    try:
        manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
        rows = json.loads((path / manifest["ids"]).read_text(encoding="utf-8"))
        matrix = np.load(path / manifest["vectors"], mmap_mode="r", allow_pickle=False)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise StoreError(f"The vector index in {path} cannot be read ({exc}).",
                         "Delete that directory and rebuild the vectors from the store.") from exc
    if matrix.shape[0] != len(rows["ids"]) or len(rows["labels"]) != len(rows["ids"]):
        raise StoreError(f"The vector index in {path} is inconsistent.",
                         "Delete that directory and rebuild the vectors from the store.")
    return [str(item) for item in rows["ids"]], dict(manifest.get("meta") or {})
