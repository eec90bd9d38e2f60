"""The radar's ranking: ONE scoring function for the web feed, the API and email.

``score_candidates`` turns a radar's profile (keywords, followed authors,
categories, interest vector, liked and disliked papers, a learned taste
model) and a block of candidate papers into a ranked list where every item
carries its score, the parts it is made of, and the *reasons* a reader sees
("matches 'agent' in the title", "by Chenrui Wu, whom you follow", "close to
3 papers you liked"). Reasons are codes with arguments, not sentences, so
each front end words them in the reader's language.

Why a weighted sum of bounded features, and not one learned model for all:
a new radar has no ratings, and the explicit signals (an author followed, a
keyword typed) are statements of intent that should win over a similarity
score. Each feature is scaled to about [0, 1] (semantic to [-1, 1]) and the
weights in :class:`Weights` say how much one full match is worth; the
default weights make a followed author > a title keyword > a strong
semantic match > an abstract keyword > category fit > recency/popularity.

The semantic part is, until the reader has rated enough papers, the best
cosine similarity to the interest description or to a liked/seed paper,
minus a penalty for closeness to a disliked one (so a 👎 pushes look-alikes
down at once). With ``Weights.min_ratings`` ratings of both kinds, a per-user
L2-regularised logistic regression on the embeddings (what Scholar Inbox
does) takes over: the part becomes ``2 * P(like) - 1``.

Everything here is numpy and plain Python, no Django: the candidates arrive
as columns (:class:`Candidates`) built once by the feature pipeline, and the
request only does vector products and substring searches, so 10,000
candidates rank in milliseconds (``bench/radar.py``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from academichub.core.interests import Clause, Keywords, find_term

__all__ = [
    "Candidates", "FollowedAuthor", "PreferenceModel", "Profile", "Ranking", "Reason", "Scored",
    "Weights", "diversify", "fit_preference_model", "score_candidates",
]  # fmt: skip


@dataclass(frozen=True)
class Weights:
    """How much each signal is worth; one full match of a feature scores its weight."""

    keyword: float = 1.5          # per clause matched in the title; an abstract match counts half
    abstract_share: float = 0.5
    keyword_cap: float = 2.0      # at most this many title-match equivalents count
    author: float = 2.5
    category: float = 0.6         # primary category (or a followed venue); a cross-list counts half
    semantic: float = 2.0
    recency: float = 0.3
    half_life_days: float = 7.0
    popularity: float = 0.3
    popularity_saturation: int = 50   # upvotes that count as "fully popular"
    dislike: float = 0.8          # penalty per unit of cosine to the closest disliked paper
    close: float = 0.5            # cosine from which a liked paper counts as "close"
    interest_close: float = 0.35  # cosine from which "close to your interest" is said
    semantic_gate: float = 0.45   # semantic part that lets a paper in without a keyword/author/category
    taste_reason: float = 0.7     # P(like) from which the taste model is named as a reason
    popular_reason: int = 3       # upvotes from which popularity is named as a reason
    min_ratings: int = 8          # ratings (with >= min_per_class of each kind) before the model takes over
    min_per_class: int = 2
    diversity: float = 0.5        # MMR: score lost per unit of cosine to an already chosen paper


DEFAULT_WEIGHTS = Weights()


@dataclass(frozen=True)
class Reason:
    """Why a paper is in the feed: a code ("author", "keyword", ...) and its arguments."""

    code: str
    args: tuple[tuple[str, object], ...] = ()

    @property
    def params(self) -> dict:
        return dict(self.args)


@dataclass(frozen=True)
class FollowedAuthor:
    """A followed person: an author name's id, optionally narrowed to one of its namesakes.

    ``coauthors``/``categories`` come from the disambiguation choice: when
    given, a paper counts only if it shares a co-author with the chosen
    person or has one of their categories as its primary category.
    """

    author_id: int
    name: str
    coauthors: frozenset[int] = frozenset()
    categories: frozenset[str] = frozenset()

    def matches(self, authors: tuple[int, ...], categories: tuple[str, ...]) -> bool:
        if self.author_id not in authors:
            return False
        if not self.coauthors and not self.categories:
            return True
        if self.coauthors.intersection(authors):
            return True
        return bool(categories) and categories[0] in self.categories


@dataclass
class Candidates:
    """Candidate papers as columns, aligned by index.

    ``titles``/``abstracts`` are ``interests.match_text`` outputs; ``authors``
    are author ids in order; ``categories`` start with the primary one;
    ``ages`` are days before the window's end; ``vectors`` are unit rows
    (a zero row: no vector for that paper) or ``None`` when the hub has no
    embeddings at all.
    """

    ids: list[int]
    titles: list[str]
    abstracts: list[str]
    authors: list[tuple[int, ...]]
    categories: list[tuple[str, ...]]
    ages: np.ndarray
    upvotes: np.ndarray
    vectors: np.ndarray | None = None
    venues: list[int | None] | None = None

    def __len__(self) -> int:
        return len(self.ids)

    def subset(self, keep: list[int]) -> Candidates:
        """The candidates at positions ``keep`` (used to drop already-shown papers)."""
        pick = np.asarray(keep, dtype=np.int64)
        return Candidates(
            [self.ids[i] for i in keep], [self.titles[i] for i in keep], [self.abstracts[i] for i in keep],
            [self.authors[i] for i in keep], [self.categories[i] for i in keep], self.ages[pick],
            self.upvotes[pick], None if self.vectors is None else self.vectors[pick],
            None if self.venues is None else [self.venues[i] for i in keep],
        )  # fmt: skip


@dataclass(frozen=True)
class PreferenceModel:
    """A reader's taste: logistic regression on embeddings, ``P(like) = sigmoid(w.x + b)``."""

    weights: np.ndarray
    bias: float
    ratings: int

    def probability(self, vectors: np.ndarray) -> np.ndarray:
        return _sigmoid(vectors @ self.weights + self.bias)


@dataclass
class Profile:
    """What a radar asks for, resolved to ids and vectors."""

    keywords: Keywords = field(default_factory=Keywords)
    authors: tuple[FollowedAuthor, ...] = ()
    categories: frozenset[str] = frozenset()
    venues: dict[int, str] = field(default_factory=dict)   # venue id -> name
    interest: np.ndarray | None = None
    liked: np.ndarray | None = None       # seed and liked papers' vectors (k x d)
    disliked: np.ndarray | None = None
    model: PreferenceModel | None = None

    @property
    def has_gates(self) -> bool:
        """True when the radar names explicit constraints; only papers meeting one are candidates."""
        return bool(self.keywords.positive or self.authors or self.categories or self.venues)


@dataclass
class Scored:
    paper_id: int
    index: int                   # position in the Candidates
    score: float
    reasons: tuple[Reason, ...]
    parts: dict[str, float]


@dataclass
class Ranking:
    items: list[Scored]          # best first, at most ``limit``
    eligible: int                # how many candidates qualified in all


def score_candidates(candidates: Candidates, profile: Profile, *, weights: Weights = DEFAULT_WEIGHTS,
                     limit: int | None = None) -> Ranking:  # fmt: skip
    """Rank ``candidates`` for ``profile``: the one scoring function.

    A candidate is dropped when it contains an excluded keyword, and, when
    the radar has explicit constraints (keywords, authors, categories),
    when it meets none of them and its semantic part is below
    ``weights.semantic_gate``. The rest are scored as the module docstring
    says and returned best first (ties: newer id first), with reasons for
    the ``limit`` returned items.
    """
    n = len(candidates)
    semantic, liked_close, interest_sim, taste = _semantic(candidates, profile, weights)
    explicit = np.zeros(n)
    eligible = np.zeros(n, dtype=bool)
    gates = profile.has_gates
    for i in range(n):
        value, matched, excluded = _explicit(candidates, i, profile, weights)
        explicit[i] = value
        eligible[i] = not excluded and (matched or not gates or semantic[i] >= weights.semantic_gate)
    recency = np.exp(-math.log(2) * np.maximum(candidates.ages, 0) / weights.half_life_days)
    popularity = np.minimum(1.0, np.log1p(candidates.upvotes) / math.log1p(weights.popularity_saturation))
    total = explicit + weights.semantic * semantic + weights.recency * recency + weights.popularity * popularity
    chosen = np.flatnonzero(eligible)
    ids = np.asarray(candidates.ids, dtype=np.int64)
    order = chosen[np.lexsort((-ids[chosen], -total[chosen]))]
    if limit is not None:
        order = order[:limit]
    columns = {"semantic": semantic, "recency": recency, "popularity": popularity, "liked_close": liked_close,
               "interest": interest_sim, "taste": taste, "total": total}  # fmt: skip
    items = [_scored(candidates, int(i), profile, weights, columns) for i in order]
    return Ranking(items, int(chosen.size))


def _explicit(candidates: Candidates, i: int, profile: Profile, weights: Weights) -> tuple[float, bool, bool]:
    """(keyword + author + category score, met a constraint?, excluded?) for candidate ``i``."""
    title, abstract = candidates.titles[i], candidates.abstracts[i]
    for clause in profile.keywords.excluded:
        if _clause_hit(clause, title, abstract):
            return 0.0, False, True
    keyword = 0.0
    for clause in profile.keywords.positive:
        where = _clause_hit(clause, title, abstract)
        if where:
            keyword += 1.0 if where[1] == "title" else weights.abstract_share
    value = weights.keyword * min(keyword, weights.keyword_cap)
    authors, categories = candidates.authors[i], candidates.categories[i]
    by_followed = any(a.matches(authors, categories) for a in profile.authors)
    value += weights.author if by_followed else 0.0
    category = _category_fit(categories, profile.categories)
    if not category and profile.venues and candidates.venues is not None:
        category = 1.0 if candidates.venues[i] in profile.venues else 0.0
    value += weights.category * category
    return value, bool(keyword or by_followed or category), False


def _clause_hit(clause: Clause, title: str, abstract: str) -> tuple[str, str] | None:
    """(the term's text, "title"/"abstract") for the best-placed matching alternative."""
    best = None
    for term in clause.terms:
        where = find_term(term, title, abstract)
        if where == "title":
            return term.text, where
        if where and best is None:
            best = (term.text, where)
    return best


def _category_fit(categories: tuple[str, ...], wanted: frozenset[str]) -> float:
    """1 for a wanted primary category, 0.5 for a cross-list; archives ("cs") cover their subjects."""
    if not wanted or not categories:
        return 0.0
    for rank, code in enumerate(categories):
        if code in wanted or code.split(".", 1)[0] in wanted:
            return 1.0 if rank == 0 else 0.5
    return 0.0


def _semantic(candidates: Candidates, profile: Profile, weights: Weights):
    """(semantic part, liked papers close to each, cosine to interest, P(like)) as arrays."""
    n = len(candidates)
    zeros = np.zeros(n)
    vectors = candidates.vectors
    if vectors is None or n == 0:
        return zeros, zeros, zeros, zeros
    interest = vectors @ profile.interest if profile.interest is not None else zeros
    liked = _similarities(vectors, profile.liked)
    best_liked = liked.max(axis=1) if liked.size else zeros
    close = (liked >= weights.close).sum(axis=1) if liked.size else zeros
    if profile.model is not None:
        taste = profile.model.probability(vectors)
        return 2.0 * taste - 1.0, close, interest, taste
    semantic = np.maximum(interest, best_liked)
    disliked = _similarities(vectors, profile.disliked)
    if disliked.size:
        semantic = semantic - weights.dislike * np.maximum(disliked.max(axis=1), 0.0)
    present = np.abs(vectors).sum(axis=1) > 0
    return np.where(present, semantic, 0.0), close, interest, zeros


def _similarities(vectors: np.ndarray, others: np.ndarray | None) -> np.ndarray:
    if others is None or len(others) == 0:
        return np.zeros((len(vectors), 0))
    return vectors @ np.asarray(others, dtype=vectors.dtype).T


def _scored(candidates: Candidates, i: int, profile: Profile, weights: Weights, columns: dict) -> Scored:
    reasons = _reasons(candidates, i, profile, weights, columns)
    parts = {name: float(column[i]) for name, column in columns.items()}
    return Scored(candidates.ids[i], i, float(columns["total"][i]), tuple(reasons), parts)


def _reasons(candidates: Candidates, i: int, profile: Profile, weights: Weights, columns: dict) -> list[Reason]:
    """The sentences' codes, most specific first."""
    authors, categories = candidates.authors[i], candidates.categories[i]
    out = [Reason("author", (("name", a.name),)) for a in profile.authors if a.matches(authors, categories)]
    for clause in profile.keywords.positive:
        hit = _clause_hit(clause, candidates.titles[i], candidates.abstracts[i])
        if hit:
            out.append(Reason("keyword", (("term", hit[0]), ("where", hit[1]))))
    if columns["liked_close"][i] >= 1:
        out.append(Reason("liked", (("n", int(columns["liked_close"][i])),)))
    if columns["taste"][i] >= weights.taste_reason:
        out.append(Reason("taste", (("percent", int(round(100 * columns["taste"][i]))),)))
    if columns["interest"][i] >= weights.interest_close:
        out.append(Reason("interest"))
    for rank, code in enumerate(categories):
        if code in profile.categories or code.split(".", 1)[0] in profile.categories:
            out.append(Reason("category", (("code", code), ("primary", rank == 0))))
            break
    venue = candidates.venues[i] if candidates.venues is not None else None
    if venue in profile.venues:
        out.append(Reason("venue", (("name", profile.venues[venue]),)))
    if candidates.upvotes[i] >= weights.popular_reason:
        out.append(Reason("popular", (("upvotes", int(candidates.upvotes[i])),)))
    if candidates.ages[i] < 1:
        out.append(Reason("new"))
    return out


# ------------------------------------------------------------------ diversity


def diversify(items: list[Scored], vectors: np.ndarray | None, k: int,
              *, weights: Weights = DEFAULT_WEIGHTS) -> list[Scored]:  # fmt: skip
    """Pick ``k`` of ``items`` by maximal marginal relevance, so a batch is not ten near-copies.

    Each step takes the item whose score minus ``weights.diversity`` times
    its highest cosine to an already chosen one is largest. ``vectors`` are
    the Candidates' rows (indexed by ``Scored.index``); without them the
    top ``k`` by score are returned.
    """
    if vectors is None or len(items) <= 1 or k <= 0:
        return items[:max(k, 0)]
    matrix = vectors[[item.index for item in items]]
    similar = np.maximum(matrix @ matrix.T, 0.0)
    base = np.array([item.score for item in items])
    penalty = np.zeros(len(items))
    taken = np.zeros(len(items), dtype=bool)
    picked: list[int] = []
    for _ in range(min(k, len(items))):
        adjusted = np.where(taken, -np.inf, base - weights.diversity * penalty)
        best = int(np.argmax(adjusted))
        picked.append(best)
        taken[best] = True
        penalty = np.maximum(penalty, similar[best])
    return [items[j] for j in picked]


# ------------------------------------------------------------------ learning


def fit_preference_model(vectors: np.ndarray, labels: np.ndarray, *, l2: float = 0.1,
                         iterations: int = 30, weights: Weights = DEFAULT_WEIGHTS) -> PreferenceModel | None:  # fmt: skip
    """Logistic regression (Newton's method, L2 on the weights, not the bias) on rated papers.

    ``labels`` are 1 (👍) and 0 (👎). Classes are weighted to equal total
    mass, so a reader who mostly likes does not get a model that likes
    everything. Returns ``None`` below ``weights.min_ratings`` ratings or
    ``weights.min_per_class`` of either kind: with fewer, similarity to the
    liked papers is the better guess. Newton converges in a few steps here
    (d + 1 = 385 unknowns), a few milliseconds for hundreds of ratings.
    """
    x = np.asarray(vectors, dtype=np.float64)
    y = np.asarray(labels, dtype=np.float64)
    positives = int(y.sum())
    if len(y) < weights.min_ratings or min(positives, len(y) - positives) < weights.min_per_class:
        return None
    design = np.hstack([x, np.ones((len(x), 1))])
    sample = np.where(y > 0.5, len(y) / (2.0 * positives), len(y) / (2.0 * (len(y) - positives)))
    ridge = np.full(design.shape[1], l2)
    ridge[-1] = 1e-6
    w = np.zeros(design.shape[1])
    for _ in range(iterations):
        p = _sigmoid(design @ w)
        gradient = design.T @ (sample * (p - y)) + ridge * w
        hessian = (design * (sample * p * (1 - p))[:, None]).T @ design + np.diag(ridge)
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.max(np.abs(step)) < 1e-6:
            break
    return PreferenceModel(w[:-1].astype(np.float32), float(w[-1]), len(y))


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))
