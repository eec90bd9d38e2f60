"""Rank fusion (academichub.core.fusion): RRF, weighted RRF, normalised CombSUM."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from academichub.core.fusion import normalized_sum, rrf, weighted_rrf


def test_rrf_scores_follow_the_formula():
    fused = dict(rrf([["a", "b", "c"], ["b", "a"]], k=60))
    assert fused["a"] == pytest.approx(1 / 61 + 1 / 62)
    assert fused["b"] == pytest.approx(1 / 62 + 1 / 61)
    assert fused["c"] == pytest.approx(1 / 63)


def test_rrf_rewards_agreement_over_one_top_rank():
    # "x" is first in one list only; "y" is second in both: agreement wins.
    fused = rrf([["x", "y"], ["z", "y"]])
    assert fused[0][0] == "y"


def test_ties_break_by_best_rank_then_first_appearance():
    fused = [d for d, _ in rrf([["a", "b"], ["b", "a"]])]
    assert fused == ["a", "b"]   # equal scores and equal best rank: first seen wins
    fused = [d for d, _ in rrf([["p"], ["q", "r"], ["r", "q"]])]
    assert fused[0] in ("q", "r") and fused[-1] == "p"


def test_limit_and_empty_inputs():
    assert rrf([]) == []
    assert rrf([[], []]) == []
    assert [d for d, _ in rrf([[1, 2, 3], [3, 4]], limit=2)] == [3, 1]


def test_duplicates_inside_one_list_count_once_at_their_best_rank():
    assert dict(rrf([["a", "a", "a"]]))["a"] == pytest.approx(1 / 61)


def test_weighted_rrf_weights_each_list():
    fused = dict(weighted_rrf([["a"], ["b"]], weights=[1.0, 3.0]))
    assert fused["b"] == pytest.approx(3 * fused["a"])
    assert [d for d, _ in weighted_rrf([["a"], ["b"]], weights=[0.0, 1.0])][0] == "b"


def test_weighted_rrf_rejects_bad_weights_and_k():
    with pytest.raises(ValueError, match="one weight per list"):
        weighted_rrf([["a"], ["b"]], weights=[1.0])
    with pytest.raises(ValueError, match=">= 0"):
        weighted_rrf([["a"]], weights=[-1.0])
    with pytest.raises(ValueError, match="k must be"):
        rrf([["a"]], k=-1)


def test_normalized_sum_makes_bm25_and_cosine_comparable():
    bm25 = {"a": 25.0, "b": 5.0, "c": 0.0}
    cosine = {"b": 0.9, "c": 0.85, "d": 0.1}
    fused = normalized_sum([bm25, cosine])
    scores = dict(fused)
    assert scores["a"] == pytest.approx(1.0)          # top of bm25, absent from dense
    assert scores["b"] == pytest.approx(0.2 + 1.0)
    assert scores["d"] == pytest.approx(0.0)
    assert fused[0][0] == "b"


def test_normalized_sum_of_constant_list_and_weights():
    assert dict(normalized_sum([{"a": 3.0, "b": 3.0}])) == {"a": 1.0, "b": 1.0}
    assert normalized_sum([{}]) == []
    fused = normalized_sum([{"a": 1.0, "b": 0.0}, {"b": 1.0, "a": 0.0}], weights=[0.25, 0.75])
    assert fused[0][0] == "b"


@given(st.lists(st.lists(st.integers(0, 30), max_size=20), max_size=5))
def test_rrf_properties(rankings):
    fused = rrf(rankings)
    everything = {d for r in rankings for d in r}
    assert {d for d, _ in fused} == everything                      # nothing lost, nothing invented
    scores = [s for _, s in fused]
    assert scores == sorted(scores, reverse=True)                   # best first
    assert all(0 < s <= len(rankings) / 61 + 1e-12 for s in scores)  # bounded by one top rank per list
