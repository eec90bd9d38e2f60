"""A fixed ranking case on real papers, shared by the golden builder and tests/test_radar_fastpath.py.

The first ``N`` records of ../shared/data/arxiv-cs-2025-2026.jsonl.gz become
``core.ranking.Candidates`` (as ``bench/radar.py`` builds them) with 384-d
``HashingEmbedderForTests`` vectors, and ``PROFILES`` are radars that use
every path of the scorer: phrases (with stems), OR groups, prefix terms,
``ti:``/``abs:`` fields, exclusions, followed (and narrowed) authors,
categories, interest, liked and disliked papers, a learned taste model and
hidden (already shown) papers. Pure: no Django.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np

from academichub.core.embeddings import HashingEmbedderForTests
from academichub.core.interests import match_text, parse_keywords
from academichub.core.names import name_key
from academichub.core.ranking import Candidates, FollowedAuthor, Profile, fit_preference_model
from academichub.core.tex import plain_text

N = 3000
GOLDEN = Path(__file__).with_name("fixtures") / "built_radar_ranking_golden.json"
EMBED = HashingEmbedderForTests(384)


def load_records(corpus: Path, n: int = N) -> list[dict]:
    out = []
    with gzip.open(corpus, "rt", encoding="utf-8") as lines:
        for line in lines:
            out.append(json.loads(line))
            if len(out) == n:
                break
    return out


def build(records: list[dict], embedder=EMBED) -> tuple[Candidates, dict[str, int], list[str]]:
    """The feature pipeline (clean text, match text, author ids, categories, ages, vectors);
    shared with bench/radar.py so the bench measures what the tests check."""
    author_ids: dict[str, int] = {}
    texts, titles, abstracts, authors = [], [], [], []
    for r in records:
        title, abstract = plain_text(r["title"]), plain_text(r["summary"])
        texts.append(f"{title}. {abstract}")
        titles.append(match_text(title))
        abstracts.append(match_text(abstract))
        authors.append(tuple(author_ids.setdefault(name_key(a), len(author_ids)) for a in r["authors"]))
    days = [r["_day_file"] for r in records]
    last = max(days)
    ages = np.array([(np.datetime64(last) - np.datetime64(d)).astype(int) for d in days], dtype=float)
    candidates = Candidates(
        ids=list(range(1, len(records) + 1)), titles=titles, abstracts=abstracts, authors=authors,
        categories=[tuple(r["categories"]) for r in records], ages=ages,
        upvotes=np.random.default_rng(0).poisson(0.3, len(records)).astype(float),
        vectors=embedder.embed(texts),
    )  # fmt: skip
    return candidates, author_ids, texts


def build_candidates(records: list[dict]) -> tuple[Candidates, dict[str, int]]:
    candidates, author_ids, _texts = build(records)
    return candidates, author_ids


def _prolific(candidates: Candidates, k: int) -> list[int]:
    counts: dict[int, int] = {}
    for row in candidates.authors:
        for a in row:
            counts[a] = counts.get(a, 0) + 1
    return sorted(counts, key=lambda a: (-counts[a], a))[:k]


def profiles(candidates: Candidates) -> dict[str, tuple[Profile, list[int]]]:
    """name -> (profile, hidden paper ids)."""
    top = _prolific(candidates, 6)
    rated = np.random.default_rng(1).choice(len(candidates), 20, replace=False)
    vectors = candidates.vectors[rated]
    model = fit_preference_model(vectors, np.array([1] * 10 + [0] * 10))
    interest = EMBED.embed(["tool-using language model agents that plan and reason"])[0]
    first = candidates.authors[int(np.flatnonzero([top[1] in a for a in candidates.authors])[0])]
    narrowed = FollowedAuthor(top[1], "b", coauthors=frozenset(a for a in first if a != top[1]),
                              categories=frozenset({"cs.RO"}))  # fmt: skip
    return {
        "bench": (Profile(
            keywords=parse_keywords('agent "language model" planning OR reasoning -survey'),
            authors=tuple(FollowedAuthor(a, f"author {a}") for a in top[:5]),
            categories=frozenset({"cs.CL", "cs.AI"}), interest=interest,
            liked=vectors[:10], disliked=vectors[10:], model=model), []),
        "similarity": (Profile(
            keywords=parse_keywords('"large language models" diffusion* ti:segmentation abs:"point cloud" -benchmark'),
            authors=(FollowedAuthor(top[0], "a"), narrowed), categories=frozenset({"cs.CV", "eess"}),
            interest=interest, liked=vectors[:3], disliked=vectors[10:12]), list(range(1, 400, 3))),
        "phrases": (Profile(
            keywords=parse_keywords('"reinforcement learning from human feedback" OR "vision language" '
                                    '"chain of thought" ti:"state space model" -"a survey" -"position paper"')),
            []),
        "open": (Profile(interest=interest, liked=vectors[:2]), [5, 6, 7]),
    }  # fmt: skip


def snapshot(ranking) -> dict:
    """What must not change: order, scores (rounded), reasons and the eligible count."""
    return {
        "eligible": ranking.eligible,
        "items": [[s.paper_id, round(s.score, 5), [[r.code, [list(kv) for kv in sorted(r.params.items())]]
                                                   for r in s.reasons]] for s in ranking.items],
    }  # fmt: skip
