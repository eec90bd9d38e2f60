"""Time one radar feed over 10,000 real candidates, against arxiv-sanity-lite's per-request SVM.

What is timed is the request path of ``academichub.radar.feed.feed_for``
after its per-window feature cache is warm: ``core.ranking.score_candidates``
(keywords, authors, categories, semantic part, recency, popularity, reasons
for the pool) and ``core.ranking.diversify`` (MMR for a batch of 10). The
radar has 3 keywords (one an OR, one an exclusion), 5 followed authors, 2
categories, an interest vector and 20 rated papers (10 👍, 10 👎) whose
taste model was fitted when they were rated (as the app does), so nothing is
embedded or fitted per request. The feature build (text reduction, columns)
is timed once, separately: the app does it once per window and catalogue state.

Where the time went, and what changed (cProfile, then this bench):
before, 77 ms a feed: two thirds in phrase checks (a substring search in
each of the ~3,000 abstracts holding both "language" and "model"), the
rest in np.unique over stem variants' postings and one 10,000 x 384
product per signal. Now the block's texts are also kept as word-id arrays
with positions sorted by word (``interests.TextIndex``), so a phrase or a
stem is a few numpy operations; the semantic part is one product with the
stacked interest/liked/disliked vectors (or one matrix-vector product
with the taste model), the per-reason columns are computed for the
returned items only, and only the top of the pool is sorted.
tests/test_radar_fastpath.py checks the ranking is unchanged.

Candidates: the first 10,000 records of ../shared/data/arxiv-cs-2025-2026.jsonl.gz.
Vectors: 384-d word-hashing vectors (``HashingEmbedderForTests``) stand in
for MiniLM: the timing depends on the shape (10,000 x 384 float32), not on
the values, and embedding 10k abstracts with MiniLM takes ~5 minutes here.

Baseline: arxiv-sanity-lite's recommendation (serve.py): TF-IDF features
precomputed for all papers, and per request a
``LinearSVC(class_weight="balanced", C=0.01, tol=1e-6, max_iter=10000)``
fitted on all papers with the rated ones as positives, then
``decision_function`` over all. Needs scikit-learn (``pip install scikit-learn``).

Run: nice -n 10 .venv/bin/python bench/radar.py
"""

from __future__ import annotations

import gzip
import json
import os
import statistics
import sys
import time
from pathlib import Path

# One BLAS thread: on the shared 2-core machines, OpenBLAS's thread pool fighting
# other processes made the same feed 3x slower (288 ms vs 84 ms). Web workers
# should run the same way (set OPENBLAS_NUM_THREADS=1 in their environment).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from academichub.core.embeddings import HashingEmbedderForTests  # noqa: E402
from academichub.core.interests import parse_keywords  # noqa: E402
from academichub.core.ranking import (  # noqa: E402
    Candidates, FollowedAuthor, Profile, diversify, fit_preference_model, score_candidates,
)  # fmt: skip
from tests.radar_case import build  # noqa: E402  (the same feature pipeline the tests check)

CORPUS = REPO.parent / "shared" / "data" / "arxiv-cs-2025-2026.jsonl.gz"
N, RUNS = 10_000, 20


def load(n: int) -> list[dict]:
    if not CORPUS.exists():
        sys.exit(f"missing {CORPUS}: put shared/ beside the repository")
    out = []
    with gzip.open(CORPUS, "rt", encoding="utf-8") as lines:
        for line in lines:
            out.append(json.loads(line))
            if len(out) == n:
                break
    return out


def radar_profile(candidates: Candidates, records: list[dict], author_ids: dict[str, int], embedder) -> Profile:
    counts: dict[int, int] = {}
    for row in candidates.authors:
        for a in row:
            counts[a] = counts.get(a, 0) + 1
    top = sorted(counts, key=counts.get, reverse=True)[:5]
    names = {v: k for k, v in author_ids.items()}
    rng = np.random.default_rng(1)
    rated = rng.choice(len(candidates), 20, replace=False)
    labels = np.array([1] * 10 + [0] * 10)
    vectors = candidates.vectors[rated]
    model = fit_preference_model(vectors, labels)
    return Profile(
        keywords=parse_keywords('agent "language model" planning OR reasoning -survey'),
        authors=tuple(FollowedAuthor(a, names[a]) for a in top), categories=frozenset({"cs.CL", "cs.AI"}),
        interest=embedder.embed(["tool-using language model agents that plan and reason"])[0],
        liked=vectors[:10], disliked=vectors[10:], model=model,
    )  # fmt: skip


def time_feed(candidates: Candidates, profile: Profile) -> list[float]:
    out = []
    for _ in range(RUNS):
        start = time.perf_counter()
        ranked = score_candidates(candidates, profile, limit=50)
        diversify(ranked.items, candidates.vectors, 10)
        out.append((time.perf_counter() - start) * 1000)
    return out


def time_svm(texts: list[str], rated: np.ndarray) -> list[float]:
    try:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.svm import LinearSVC
    except ImportError:
        sys.exit("the baseline needs scikit-learn: .venv/bin/pip install scikit-learn")
    features = TfidfVectorizer(input="content", encoding="utf-8", decode_error="replace", strip_accents="unicode",
                               lowercase=True, analyzer="word", stop_words="english",
                               token_pattern=r"(?u)\b[a-zA-Z_][a-zA-Z0-9_]+\b", ngram_range=(1, 2),
                               max_features=20000, norm="l2", use_idf=True, smooth_idf=True,
                               sublinear_tf=True, max_df=0.1, min_df=5).fit_transform(texts)  # fmt: skip
    y = np.zeros(len(texts))
    y[rated] = 1
    out = []
    for _ in range(5):
        start = time.perf_counter()
        clf = LinearSVC(class_weight="balanced", verbose=0, max_iter=10000, tol=1e-6, C=0.01)
        clf.fit(features, y)
        np.argsort(-clf.decision_function(features))[:10]
        out.append((time.perf_counter() - start) * 1000)
    return out


def main() -> None:
    embedder = HashingEmbedderForTests(384)
    records = load(N)
    start = time.perf_counter()
    candidates, author_ids, texts = build(records, embedder)
    candidates.index()          # inverted indexes: part of the cached features, like in the app
    build_s = time.perf_counter() - start
    profile = radar_profile(candidates, records, author_ids, embedder)
    feed = time_feed(candidates, profile)
    ranked = score_candidates(candidates, profile, limit=10)
    rated = np.random.default_rng(1).choice(len(candidates), 20, replace=False)[:10]
    svm = time_svm(texts, rated)
    feed_ms, svm_ms = statistics.median(feed), statistics.median(svm)
    print(f"candidates: {len(candidates)}, eligible for the radar: {ranked.eligible}")
    print(f"feature build (once per window, cached): {build_s:.1f} s including hashing vectors and indexes")
    print(f"radar feed  median {feed_ms:7.1f} ms  (p90 {np.percentile(feed, 90):.1f} ms, {RUNS} runs)")
    print(f"LinearSVC   median {svm_ms:7.1f} ms  (per request, TF-IDF precomputed, 5 runs)")
    print(f"speed-up    {svm_ms / feed_ms:.1f}x")
    print(f"RESULT feed_ms={feed_ms:.1f} svm_ms={svm_ms:.1f} speedup={svm_ms / feed_ms:.1f}")


if __name__ == "__main__":
    main()
