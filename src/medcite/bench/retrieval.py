"""``medcite bench retrieval``: nDCG@10, Recall@10, MRR@10 and latency of ``search`` on a
dev set, beside a whole-document BM25 baseline computed in the same run."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from medcite.bench.baseline import DocumentBM25
from medcite.bench.datasets import Question, load
from medcite.bench.metrics import mean, mrr_at, ndcg_at, percentile, recall_at
from medcite.service import Medcite

K = 10
WARMUP = 20


def run_retrieval(
    service: Medcite, dataset: str, data_dir: Path, limit: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    """Run every question through medcite search and the baseline; return the figures."""
    questions = load(dataset, data_dir, limit)
    questions = [q for q in questions if q.gold]
    service.require_documents()
    started = time.perf_counter()
    baseline = DocumentBM25(service.store)
    baseline_build = time.perf_counter() - started
    for q in questions[:WARMUP]:  # warm caches, the embedder and the index readers
        service.search(q.question, K)
        baseline.search(q.question, K)

    systems: dict[str, Callable[[str], list[str]]] = {
        "medcite": lambda text: [h.doc_id for h in service.search(text, K)],
        "bm25_documents": lambda text: baseline.search(text, K),
    }
    rows: dict[str, list[dict[str, Any]]] = {name: [] for name in systems}
    for q in questions:
        for name, run in systems.items():
            t0 = time.perf_counter()
            ranked = run(q.question)
            ms = (time.perf_counter() - t0) * 1000
            rows[name].append(_score(q, ranked, ms))
        if progress:
            progress(1)

    result: dict[str, Any] = {
        "dataset": dataset, "questions": len(questions), "k": K,
        "documents_in_store": service.store.document_count(),
        "baseline_build_seconds": round(baseline_build, 2),
        "systems": {name: _summary(r) for name, r in rows.items()},
        "by_type": {name: _by_type(questions, r) for name, r in rows.items()},
    }
    ours, base = result["systems"]["medcite"], result["systems"]["bm25_documents"]
    result["ratios"] = {m: round(ours[m] / base[m], 4) if base[m] else None
                        for m in ("ndcg@10", "recall@10", "mrr@10")}
    return result


def _score(q: Question, ranked: list[str], ms: float) -> dict[str, Any]:
    gold = set(q.gold)
    return {"ndcg@10": ndcg_at(ranked, gold, K), "recall@10": recall_at(ranked, gold, K),
            "mrr@10": mrr_at(ranked, gold, K), "ms": ms, "type": q.type}


def _summary(rows: list[dict[str, Any]]) -> dict[str, float]:
    ms = [r["ms"] for r in rows]
    return {
        "ndcg@10": round(mean([r["ndcg@10"] for r in rows]), 4),
        "recall@10": round(mean([r["recall@10"] for r in rows]), 4),
        "mrr@10": round(mean([r["mrr@10"] for r in rows]), 4),
        "p50_ms": round(percentile(ms, 50), 2),
        "p95_ms": round(percentile(ms, 95), 2),
    }


def _by_type(questions: list[Question], rows: list[dict[str, Any]]) -> dict[str, Any]:
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for q, row in zip(questions, rows, strict=True):
        groups[q.type or "all"].append(row)
    return {t: {"n": len(g), **_summary(g)} for t, g in sorted(groups.items())}
