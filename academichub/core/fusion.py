"""Rank fusion: merge the keyword and the semantic result lists into one.

Why fusion over ranks and not over scores: BM25 scores are unbounded and
depend on the query's length and its terms' rarity, cosine similarities live
in a narrow band that differs per model, so adding the raw numbers lets one
side drown the other. Reciprocal-rank fusion (Cormack, Clarke & Büttcher,
SIGIR 2009) uses only positions, needs no calibration and is the baseline
the project's evaluation compares against (README of ``shared/eval``).

Everything here is a pure function over lists of ids (any hashable), so the
same code fuses SQLite FTS5, PostgreSQL and ANN results, and is trivial to
test. Ties are broken by the best rank the id reached in any list, then by
the order of first appearance, so the output is deterministic.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence

DEFAULT_K = 60


def rrf(rankings: Sequence[Sequence[Hashable]], *, k: int = DEFAULT_K,
        limit: int | None = None) -> list[tuple[Hashable, float]]:  # fmt: skip
    """Reciprocal-rank fusion: ``score(d) = sum over lists of 1 / (k + rank)``.

    ``rank`` starts at 1. ``k`` = 60 is the value from the original paper and
    the project's baseline; a larger ``k`` flattens the head of each list.
    Returns ``(id, score)`` best first, at most ``limit`` of them.
    """
    return weighted_rrf(rankings, weights=None, k=k, limit=limit)


def weighted_rrf(rankings: Sequence[Sequence[Hashable]], weights: Sequence[float] | None = None,
                 *, k: int = DEFAULT_K, limit: int | None = None) -> list[tuple[Hashable, float]]:  # fmt: skip
    """RRF where list ``i`` contributes ``weights[i] / (k + rank)``.

    Used when one retriever is known to be stronger for a kind of query (for
    example a query that is a whole abstract, where the dense side carries
    more signal than a bag of 200 words). An id repeated inside one list
    counts once, at its best rank, so a sloppy caller cannot double its vote.
    """
    weights = _checked_weights(rankings, weights)
    _check_k(k)
    scores: dict[Hashable, float] = {}
    best_rank: dict[Hashable, int] = {}
    first_seen: dict[Hashable, int] = {}
    for ranking, weight in zip(rankings, weights):
        for rank, doc in enumerate(_unique(ranking), start=1):
            scores[doc] = scores.get(doc, 0.0) + weight / (k + rank)
            best_rank[doc] = min(best_rank.get(doc, rank), rank)
            first_seen.setdefault(doc, len(first_seen))
    ordered = sorted(scores, key=lambda d: (-scores[d], best_rank[d], first_seen[d]))
    return [(doc, scores[doc]) for doc in ordered[:limit]]


def normalized_sum(scored: Sequence[Mapping[Hashable, float]], weights: Sequence[float] | None = None,
                   *, limit: int | None = None) -> list[tuple[Hashable, float]]:  # fmt: skip
    """Convex combination of min-max normalised scores (CombSUM with weights).

    The alternative to RRF when the scores themselves carry information (a
    near-duplicate with cosine 0.95 should beat a vague match at rank 2).
    Each mapping is ``id -> score``, higher is better; scores are scaled to
    [0, 1] per list so BM25 and cosine become comparable, and an id missing
    from a list gets 0 there. A list whose scores are all equal gives 1 to
    every member (it says "these match" and nothing about order).
    """
    weights = _checked_weights(scored, weights)
    totals: dict[Hashable, float] = {}
    first_seen: dict[Hashable, int] = {}
    for mapping, weight in zip(scored, weights):
        for doc, value in _min_max(mapping).items():
            totals[doc] = totals.get(doc, 0.0) + weight * value
            first_seen.setdefault(doc, len(first_seen))
    ordered = sorted(totals, key=lambda d: (-totals[d], first_seen[d]))
    return [(doc, totals[doc]) for doc in ordered[:limit]]


def _min_max(mapping: Mapping[Hashable, float]) -> dict[Hashable, float]:
    if not mapping:
        return {}
    low, high = min(mapping.values()), max(mapping.values())
    if high <= low:
        return {doc: 1.0 for doc in mapping}
    span = high - low
    return {doc: (value - low) / span for doc, value in mapping.items()}


def _unique(ranking: Iterable[Hashable]) -> list[Hashable]:
    seen: set[Hashable] = set()
    return [d for d in ranking if not (d in seen or seen.add(d))]


def _checked_weights(lists: Sequence, weights: Sequence[float] | None) -> list[float]:
    """Default to equal weights; reject a length mismatch or a negative weight."""
    if weights is None:
        return [1.0] * len(lists)
    weights = [float(w) for w in weights]
    if len(weights) != len(lists):
        raise ValueError(f"got {len(weights)} weights for {len(lists)} result lists; give one weight per list")
    if any(w < 0 for w in weights):
        raise ValueError("fusion weights must be >= 0 (use 0 to ignore a list)")
    return weights


def _check_k(k: int) -> None:
    if k < 0:
        raise ValueError(f"the RRF constant k must be >= 0, got {k}")
