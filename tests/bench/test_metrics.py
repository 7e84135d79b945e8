import pytest

from medcite.bench.metrics import mrr_at, ndcg_at, percentile, recall_at


def test_ndcg_counts_a_document_once_and_normalises_by_the_ideal() -> None:
    assert ndcg_at(["a", "a", "b"], {"a", "b"}) == pytest.approx(1.0)
    assert ndcg_at(["x", "a"], {"a"}) == pytest.approx(1 / 1.5849625, rel=1e-6)
    assert ndcg_at([], {"a"}) == 0.0


def test_recall_and_mrr() -> None:
    assert recall_at(["a", "x", "b"], {"a", "b", "c", "d"}) == 0.5
    assert mrr_at(["x", "y", "a"], {"a"}) == pytest.approx(1 / 3)
    assert mrr_at([f"x{i}" for i in range(10)] + ["a"], {"a"}) == 0.0


def test_percentile_interpolates() -> None:
    assert percentile([1, 2, 3, 4], 50) == 2.5
    assert percentile([5], 95) == 5
    assert percentile([], 50) == 0.0
