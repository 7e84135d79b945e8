"""Fusing ranked lists from the lexical and dense retrievers (pure functions).

Two methods, chosen by settings and tuned by ``medcite bench tune``:

* ``rrf`` — weighted reciprocal rank fusion: ``sum_i w_i / (k + rank_i)``; robust to the
  different scales of BM25 and cosine scores.
* ``linear`` — weighted sum of scores min-max normalised within each list; keeps how much
  better the top results are, which RRF throws away.

A document missing from a list contributes nothing from that list.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence


def rrf(lists: Mapping[str, Sequence[str]], weights: Mapping[str, float], k: float = 60.0
        ) -> dict[str, float]:
    """Weighted RRF scores of every id in ``lists`` (name -> ids, best first)."""
    scores: dict[str, float] = {}
    for name, ids in lists.items():
        w = weights.get(name, 0.0)
        if w <= 0:
            continue
        for rank, item in enumerate(ids):
            scores[item] = scores.get(item, 0.0) + w / (k + rank + 1)
    return scores


def linear(lists: Mapping[str, Sequence[tuple[str, float]]], weights: Mapping[str, float]
           ) -> dict[str, float]:
    """Weighted sum of min-max normalised scores (name -> [(id, score)], best first)."""
    scores: dict[str, float] = {}
    for name, items in lists.items():
        w = weights.get(name, 0.0)
        if w <= 0 or not items:
            continue
        values = [s for _, s in items]
        low, high = min(values), max(values)
        span = high - low
        for item, score in items:
            norm = (score - low) / span if span > 0 else 1.0
            scores[item] = scores.get(item, 0.0) + w * norm
    return scores

