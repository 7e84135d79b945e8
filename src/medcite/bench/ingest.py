"""``medcite bench ingest``: ingest the shared corpus into a fresh home and report wall
time, documents/s, passages/s, peak memory and size on disk; then rebuild the BM25
index alone to measure lexical indexing throughput."""

from __future__ import annotations

import resource
import tempfile
import time
from pathlib import Path
from typing import Any

from medcite.ingest.pipeline import ProgressFn
from medcite.service import Medcite
from medcite.settings import load_settings


def directory_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def run_ingest(
    corpus: Path, home: Path | None = None, progress: ProgressFn | None = None,
    **overrides: Any,
) -> dict[str, Any]:
    """Ingest ``corpus`` into ``home`` (a new temporary directory if None)."""
    tmp = None
    if home is None:
        tmp = tempfile.TemporaryDirectory(prefix="medcite-bench-")
        home = Path(tmp.name)
    try:
        with Medcite(load_settings(home, **overrides)) as service:
            t0 = time.perf_counter()
            report = service.ingest([corpus], progress=progress)
            wall = time.perf_counter() - t0
            stats = service.stats()
            t1 = time.perf_counter()
            indexed = service.lexical.rebuild(service.store)
            lexical_seconds = time.perf_counter() - t1
            size = directory_size(home)
        return {
            "corpus": str(corpus),
            "wall_seconds": round(wall, 2),
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
