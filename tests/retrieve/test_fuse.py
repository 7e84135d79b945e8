import pytest

from medcite.retrieve.fuse import linear, rrf


def best_first(scores: dict[str, float]) -> list[str]:
    return sorted(scores, key=lambda item: (-scores[item], item))


def test_rrf_rewards_agreement_and_respects_weights() -> None:
    lists = {"lexical": ["a", "b", "c"], "dense": ["b", "d"]}
    scores = rrf(lists, {"lexical": 1.0, "dense": 1.0}, k=60)
    assert best_first(scores)[0] == "b"
    assert scores["b"] == pytest.approx(1 / 62 + 1 / 61)
    only_dense = rrf(lists, {"lexical": 0.0, "dense": 1.0})
    assert set(only_dense) == {"b", "d"}
    only_lexical = rrf(lists, {"lexical": 1.0, "dense": 0.0})
    assert best_first(only_lexical) == ["a", "b", "c"]
    sharp = rrf(lists, {"lexical": 3.0, "dense": 1.0}, k=1)
    assert sharp["a"] == pytest.approx(1.5) and sharp["b"] == pytest.approx(1.5)


def test_linear_normalises_each_list_before_weighting() -> None:
    lists = {"lexical": [("a", 30.0), ("b", 10.0)], "dense": [("b", 0.9), ("c", 0.8)]}
    scores = linear(lists, {"lexical": 1.0, "dense": 1.0})
    assert scores == {"a": 1.0, "b": 1.0, "c": 0.0}
    assert best_first(linear(lists, {"lexical": 1.0, "dense": 2.0}))[0] == "b"


def test_single_item_list_counts_fully() -> None:
    assert linear({"x": [("a", 5.0)]}, {"x": 0.5}) == {"a": 0.5}
