"""Step 2: cluster papers into themes, choosing how many themes there are.

Spherical k-means (cosine, k-means++ seeding, several restarts) is run for
every k in a small range and the k with the best mean silhouette wins
(near-ties go to the larger k, see ``choose_themes``): the silhouette
rewards clusters that are tight and apart, so it picks the number of
themes the data supports instead of a fixed one. Tiny clusters
(fewer than ``min_size`` papers) are folded into their nearest neighbour:
a "theme" of one paper is noise in a briefing. numpy only, deterministic
for a given seed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from academichub.core.embeddings import l2_normalize


@dataclass
class Clustering:
    labels: np.ndarray  # cluster of each row, 0..k-1
    centroids: np.ndarray  # unit rows
    k: int
    silhouette: float
    tried: dict[int, float] = field(default_factory=dict)  # k -> silhouette


def silhouette(vectors: np.ndarray, labels: np.ndarray) -> float:
    """Mean silhouette with cosine distance (0 for a single cluster)."""
    k = int(labels.max()) + 1 if len(labels) else 0
    if k < 2:
        return 0.0
    distance = 1.0 - vectors @ vectors.T
    onehot = np.eye(k, dtype=np.float32)[labels]
    sizes = onehot.sum(axis=0)
    sums = distance @ onehot  # each row's total distance to each cluster
    own = sizes[labels]
    a = sums[np.arange(len(labels)), labels] / np.maximum(own - 1, 1)
    mean_to = sums / np.maximum(sizes, 1)
    mean_to[np.arange(len(labels)), labels] = np.inf
    b = mean_to.min(axis=1)
    s = (b - a) / np.maximum(np.maximum(a, b), 1e-12)
    s[own <= 1] = 0.0
    return float(s.mean())


def kmeans(vectors: np.ndarray, k: int, *, seed: int = 0, restarts: int = 4, iterations: int = 50):
    """Spherical k-means: (labels, unit centroids) of the restart with the highest cohesion."""
    rng = np.random.default_rng(seed)
    best = None
    for _ in range(restarts):
        centroids = _plus_plus(vectors, k, rng)
        for _ in range(iterations):
            labels = np.argmax(vectors @ centroids.T, axis=1)
            updated = _centroids(vectors, labels, k, centroids)
            if np.allclose(updated, centroids, atol=1e-6):
                break
            centroids = updated
        labels = np.argmax(vectors @ centroids.T, axis=1)
        cohesion = float((vectors * centroids[labels]).sum())
        if best is None or cohesion > best[0]:
            best = (cohesion, labels, centroids)
    return best[1], best[2]


def _plus_plus(vectors: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    chosen = [int(rng.integers(len(vectors)))]
    for _ in range(1, k):
        distance = np.clip(1.0 - (vectors @ vectors[chosen].T).max(axis=1), 0, None)
        total = distance.sum()
        chosen.append(int(rng.choice(len(vectors), p=distance / total)) if total > 0 else int(rng.integers(len(vectors))))
    return vectors[chosen].copy()


def _centroids(vectors: np.ndarray, labels: np.ndarray, k: int, previous: np.ndarray) -> np.ndarray:
    out = previous.copy()
    for c in range(k):
        rows = vectors[labels == c]
        if len(rows):
            out[c] = rows.sum(axis=0)
    return l2_normalize(out)


def choose_themes(vectors: np.ndarray, *, k_min: int = 2, k_max: int | None = None, min_size: int = 3,
                  seed: int = 0, tolerance: float = 0.01) -> Clustering:
    """Cluster unit vectors; k is the silhouette's choice in [k_min, k_max].

    Silhouettes within ``tolerance`` of the best count as a tie, broken
    toward more themes: on sentence embeddings the silhouette is flat
    (0.03-0.08) and a difference of 0.01 is noise, while a briefing is more
    useful with the finer split; well-separated data still gets its k.
    """
    vectors = l2_normalize(vectors)
    n = len(vectors)
    k_max = min(k_max or 10, n // max(min_size, 1))
    if n == 0:
        return Clustering(np.zeros(0, dtype=int), np.zeros((0, vectors.shape[1] if vectors.ndim == 2 else 0)), 0, 0.0)
    if k_max < max(k_min, 2):
        return _one_cluster(vectors)
    tried, runs = {}, {}
    for k in range(max(k_min, 2), k_max + 1):
        labels, _ = kmeans(vectors, k, seed=seed)
        labels = _fold_small(vectors, labels, min_size)
        runs[k] = (silhouette(vectors, labels), labels)
        tried[k] = round(runs[k][0], 4)
    top = max(score for score, _ in runs.values())
    chosen = max(k for k, (score, _) in runs.items() if score >= top - tolerance)
    best = runs[chosen]
    labels = _relabel(best[1])
    centroids = _centroids(vectors, labels, int(labels.max()) + 1, np.zeros((int(labels.max()) + 1, vectors.shape[1])))
    return Clustering(labels, centroids, int(labels.max()) + 1, best[0], tried)


def _one_cluster(vectors: np.ndarray) -> Clustering:
    labels = np.zeros(len(vectors), dtype=int)
    return Clustering(labels, l2_normalize(vectors.sum(axis=0, keepdims=True)), 1, 0.0, {1: 0.0})


def _fold_small(vectors: np.ndarray, labels: np.ndarray, min_size: int) -> np.ndarray:
    """Move members of clusters smaller than ``min_size`` to the nearest big cluster."""
    labels = labels.copy()
    while True:
        sizes = np.bincount(labels)
        small = [c for c in np.flatnonzero(sizes) if sizes[c] < min_size]
        big = [c for c in np.flatnonzero(sizes) if sizes[c] >= min_size]
        if not small or not big:
            return labels
        centroids = l2_normalize(np.stack([vectors[labels == c].sum(axis=0) for c in big]))
        rows = np.isin(labels, small)
        labels[rows] = np.asarray(big)[np.argmax(vectors[rows] @ centroids.T, axis=1)]


def _relabel(labels: np.ndarray) -> np.ndarray:
    """Number clusters 0..k-1 by decreasing size (ties: first appearance), so theme 0 is the largest."""
    ids = list(dict.fromkeys(labels.tolist()))
    counts = np.bincount(labels)
    order = sorted(ids, key=lambda c: (-counts[c], ids.index(c)))
    mapping = {old: new for new, old in enumerate(order)}
    return np.asarray([mapping[c] for c in labels.tolist()], dtype=int)
