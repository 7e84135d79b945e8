"""``medcite bench tune``: choose the fusion settings on the dev sets, reproducibly.

Each question's candidates (BM25 with expansions, dense, document metadata) are fetched
once; every combination of the grid below is then scored by re-fusing them, which is
pure arithmetic. The objective is the mean nDCG@10 over the chosen dev sets. The best
combination is written to ``<home>/settings.toml`` under ``[retrieval]``. The code's
defaults are the result of this command on the whole shared corpus (see the README).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path
from typing import Any

from medcite.bench.datasets import Question, load
from medcite.bench.metrics import mean, ndcg_at, recall_at
from medcite.retrieve.search import Candidates, fuse
from medcite.service import Medcite
from medcite.settings import RetrievalSettings, save_setting_group

GRID: dict[str, list[Any]] = {
    "fusion": ["rrf", "linear"],
    "dense_weight": [0.0, 0.25, 0.4, 0.5, 0.6, 0.75, 1.0, 1.5],
    "rrf_k": [10.0, 30.0, 60.0],
}
"""What is tuned. The evidence and recency weights are not: the dev sets judge relevance
only, so tuning would switch evidence ranking off; they stay a documented policy."""
K = 10


def combinations(grid: dict[str, list[Any]]) -> list[dict[str, Any]]:
    """Every setting combination; ``rrf_k`` is varied only for RRF."""
    combos = []
    for values in itertools.product(*grid.values()):
        combo = dict(zip(grid, values, strict=True))
        if combo["fusion"] == "linear" and combo["rrf_k"] != grid["rrf_k"][0]:
            continue
        combos.append(combo)
    return combos


def score(settings: RetrievalSettings, prepared: dict[str, list[tuple[Question, str, Candidates]]]
          ) -> dict[str, dict[str, float]]:
    """nDCG@10 and Recall@10 per dataset for one combination."""
    result = {}
    for name, items in prepared.items():
        ndcg, recall = [], []
        for q, qtype, cands in items:
            ranked = [p.doc_id for p in fuse(cands, qtype, settings)[:K]]
            ndcg.append(ndcg_at(ranked, set(q.gold), K))
            recall.append(recall_at(ranked, set(q.gold), K))
        result[name] = {"ndcg@10": round(mean(ndcg), 4), "recall@10": round(mean(recall), 4)}
    return result


def run_tune(
    service: Medcite, datasets: list[str], data_dir: Path, limit: int | None = 500,
    write: bool = True, progress: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    service.require_documents()
    searcher = service.searcher
    prepared: dict[str, list[tuple[Question, str, Candidates]]] = {}
    for name in datasets:
        items: list[tuple[Question, str, Candidates]] = []
        for q in load(name, data_dir, limit):
            if not q.gold:
                continue
            info = searcher.understand(q.question)
            items.append((q, info.type, searcher.candidates(info)))
            if progress:
                progress(1)
        prepared[name] = items

    base = service.settings.retrieval
    rows: list[dict[str, Any]] = []
    for combo in combinations(GRID):
        settings = base.model_copy(update=combo)
        figures = score(settings, prepared)
        objective = mean([f["ndcg@10"] for f in figures.values()])
        rows.append({"settings": combo, "objective": round(objective, 4), "figures": figures})
    rows.sort(key=lambda r: -r["objective"])
    current = {k: getattr(base, k) for k in GRID}
    current_row = next((r for r in rows if r["settings"] == current), None)
    best = rows[0]
    written = None
    if write:
        written = str(save_setting_group(service.settings.home, "retrieval", best["settings"]))
    return {
        "datasets": datasets, "questions": {n: len(i) for n, i in prepared.items()},
        "combinations": len(rows), "best": best, "previous": current_row,
        "top": rows[:10], "written_to": written,
    }
