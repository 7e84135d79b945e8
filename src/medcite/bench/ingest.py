"""``medcite bench ingest``: ingest the shared corpus into a fresh home and report wall
time, documents/s, passages/s, peak memory and size on disk; then rebuild the BM25
index alone to measure lexical indexing throughput."""

from __future__ import annotations

import resource
import tempfile
import time
from pathlib import Path
from typing import Any

from medcite.errors import InvalidRequestError
from medcite.index.dense import ProgressFn as EmbedProgressFn
from medcite.ingest.pipeline import ProgressFn
from medcite.service import Medcite
from medcite.settings import load_settings


def directory_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def run_ingest(
    paths: list[Path], home: Path | None = None, progress: ProgressFn | None = None,
    embed_progress: EmbedProgressFn | None = None, **overrides: Any,
) -> dict[str, Any]:
    """Ingest ``paths`` into ``home`` (must be new or empty; a temporary directory if None)
    and measure the store, BM25 and embedding phases separately."""
    tmp = None
    if home is not None and home.exists() and any(home.iterdir()):
        raise InvalidRequestError(f"{home} is not empty.", "Benchmark into a new directory.")
    if home is None:
        tmp = tempfile.TemporaryDirectory(prefix="medcite-bench-")
        home = Path(tmp.name)
    try:
        with Medcite(load_settings(home, **overrides)) as service:
            t0 = time.perf_counter()
            report = service.ingest_files(paths, progress=progress)
            store_seconds = time.perf_counter() - t0
            t1 = time.perf_counter()
            embedded = service.embed(embed_progress)
            embed_seconds = time.perf_counter() - t1
            wall = time.perf_counter() - t0
            stats = service.stats()
            size = directory_size(home)
            t2 = time.perf_counter()
            indexed = service.lexical.rebuild(service.store)
            lexical_seconds = time.perf_counter() - t2
        return {
            "paths": [str(p) for p in paths],
            "wall_seconds": round(wall, 2),
            "store_and_bm25_seconds": round(store_seconds, 2),
            "embed_seconds": round(embed_seconds, 2),
            "embedded_passages": embedded,
            "embedded_passages_per_second": round(embedded / embed_seconds, 1)
            if embed_seconds > 0 and embedded else 0.0,
            "documents": stats["documents"],
            "passages": stats["passages"],
            "documents_per_second": round(stats["documents"] / wall, 1),
            "passages_per_second": round(stats["passages"] / wall, 1),
            "records": report.total("records"),
            "malformed": len(report.malformed),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "disk_mb": round(size / 2**20, 1),
            "lexical_rebuild_seconds": round(lexical_seconds, 2),
            "lexical_passages_per_second": round(indexed / lexical_seconds, 1),
            "by_kind": stats["by_kind"],
        }
    finally:
        if tmp is not None:
            tmp.cleanup()
