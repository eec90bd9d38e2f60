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
as columns (:class:`Candidates`) built once by the feature pipeline, with
their inverted and positional indexes (:class:`CandidateIndex`), and the
request only does array lookups and one product of the block's vectors
with a few profile vectors, so 10,000 candidates rank in about 20 ms on
the shared 2-core machines (``bench/radar.py``; 77 ms before the
positional phrase index, the stacked product and the partial sort).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from academichub.core.interests import Keywords, Term, TextIndex

__all__ = [
    "CandidateIndex", "Candidates", "FollowedAuthor", "PreferenceModel", "Profile", "Ranking", "Reason", "Scored",
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
    _index: CandidateIndex | None = field(default=None, repr=False, compare=False)

    def __len__(self) -> int:
        return len(self.ids)

    def index(self) -> CandidateIndex:
        """Inverted indexes over the block, built on first use and kept with it (the feature cache)."""
        if self._index is None:
            self._index = CandidateIndex.build(self)
        return self._index


@dataclass
class CandidateIndex:
    """Which candidates hold a word, an author, a category or a venue (positions in the block)."""

    ids: np.ndarray
    title: TextIndex
    abstract: TextIndex
    authors: dict[int, np.ndarray]
    primary: dict[str, np.ndarray]     # category or archive code -> candidates with it as primary
    listed: dict[str, np.ndarray]      # ... with it anywhere in their categories
    venues: dict[int, np.ndarray]
    priors: dict[tuple, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)

    def prior(self, c: Candidates, weights: Weights) -> tuple[np.ndarray, np.ndarray]:
        """(recency, popularity) in [0, 1]: they depend on the block and two weights, so kept per block."""
        key = (weights.half_life_days, weights.popularity_saturation)
        if key not in self.priors:
            recency = np.exp(-math.log(2) * np.maximum(c.ages, 0) / weights.half_life_days)
            popularity = np.minimum(1.0, np.log1p(c.upvotes) / math.log1p(weights.popularity_saturation))
            self.priors[key] = (recency, popularity)
        return self.priors[key]

    @classmethod
    def build(cls, c: Candidates) -> CandidateIndex:
        authors: dict[int, list[int]] = {}
        primary: dict[str, list[int]] = {}
        listed: dict[str, list[int]] = {}
        venues: dict[int, list[int]] = {}
        for i in range(len(c)):
            for author in set(c.authors[i]):
                authors.setdefault(author, []).append(i)
            for rank, code in enumerate(c.categories[i]):
                for key in {code, code.split(".", 1)[0]}:
                    if rank == 0:
                        primary.setdefault(key, []).append(i)
                    if not listed.get(key) or listed[key][-1] != i:
                        listed.setdefault(key, []).append(i)
            if c.venues is not None and c.venues[i] is not None:
                venues.setdefault(c.venues[i], []).append(i)
        array = lambda d: {k: np.asarray(v, dtype=np.int64) for k, v in d.items()}  # noqa: E731
        return cls(np.asarray(c.ids, dtype=np.int64), TextIndex(c.titles), TextIndex(c.abstracts),
                   array(authors), array(primary), array(listed), array(venues))  # fmt: skip


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
                     limit: int | None = None, hidden: Iterable[int] = ()) -> Ranking:  # fmt: skip
    """Rank ``candidates`` for ``profile``: the one scoring function.

    A candidate is dropped when its id is in ``hidden`` (already shown,
    disliked), when it contains an excluded keyword, and, when the radar
    has explicit constraints (keywords, authors, categories, venues), when
    it meets none of them and its semantic part is below
    ``weights.semantic_gate``. The rest are scored as the module docstring
    says and returned best first (ties: newer id first), with reasons for
    the ``limit`` returned items. Every step is a vector operation over the
    block's inverted indexes, so the cost grows with matches, not abstracts;
    what only a reason needs (closeness to liked papers, to the interest)
    is computed for the returned items alone.
    """
    index = candidates.index()
    keyword, hits, excluded = _keywords(index, profile, weights)
    followed = _followed(candidates, index, profile)
    category = _categories(len(candidates), index, profile)
    semantic, taste = _semantic(candidates, profile, weights)
    matched = (keyword > 0) | followed | (category > 0)
    eligible = ~excluded & (matched | (not profile.has_gates) | (semantic >= weights.semantic_gate))
    hidden = np.fromiter(hidden, dtype=np.int64)
    if hidden.size:
        eligible &= ~np.isin(index.ids, hidden)
    recency, popularity = index.prior(candidates, weights)
    total = (weights.keyword * np.minimum(keyword, weights.keyword_cap) + weights.author * followed
             + weights.category * category + weights.semantic * semantic + weights.recency * recency
             + weights.popularity * popularity)  # fmt: skip
    chosen = np.flatnonzero(eligible)
    order = _best(chosen, total, index.ids, limit)
    liked_close, interest = _closeness(candidates, order, profile, weights)
    columns = {"semantic": semantic, "recency": recency, "popularity": popularity, "liked_close": liked_close,
               "interest": interest, "taste": taste, "total": total}  # fmt: skip
    items = [_scored(candidates, int(i), profile, weights, columns, hits) for i in order]
    return Ranking(items, int(chosen.size))


def _best(chosen: np.ndarray, total: np.ndarray, ids: np.ndarray, limit: int | None) -> np.ndarray:
    """The ``limit`` best of ``chosen`` by total, ties newer id first (a full sort only of the top)."""
    if limit is not None and 0 < limit < chosen.size:
        scores = total[chosen]
        threshold = np.partition(scores, scores.size - limit)[scores.size - limit]
        chosen = chosen[scores >= threshold]       # the top ``limit`` and everything tied with the last
    return chosen[np.lexsort((-ids[chosen], -total[chosen]))][:limit]


_Hits = list[list[tuple[str, np.ndarray, np.ndarray]]]   # per clause, per term: (text, in title, in abstract)


def _term_masks(index: CandidateIndex, term: Term) -> tuple[np.ndarray, np.ndarray]:
    """Where ``term`` occurs: (title mask, abstract mask); ``au:`` terms match no text."""
    none = np.zeros(len(index.ids), dtype=bool)
    title = index.title.mask(term) if term.field in (None, "title") else none
    abstract = index.abstract.mask(term) if term.field in (None, "abstract") else none
    return title, abstract


def _keywords(index: CandidateIndex, profile: Profile, weights: Weights):
    """(title-match equivalents per candidate, the per-term masks for reasons, excluded mask)."""
    n = len(index.ids)
    keyword = np.zeros(n)
    hits: _Hits = []
    for clause in profile.keywords.positive:
        terms = [(term.text, *_term_masks(index, term)) for term in clause.terms]
        in_title = np.logical_or.reduce([t for _, t, _ in terms])
        in_abstract = np.logical_or.reduce([a for _, _, a in terms])
        keyword += np.where(in_title, 1.0, np.where(in_abstract, weights.abstract_share, 0.0))
        hits.append(terms)
    excluded = np.zeros(n, dtype=bool)
    for clause in profile.keywords.excluded:
        for term in clause.terms:
            title, abstract = _term_masks(index, term)
            excluded |= title | abstract
    return keyword, hits, excluded


def _followed(candidates: Candidates, index: CandidateIndex, profile: Profile) -> np.ndarray:
    """Mask of candidates by a followed author (narrowed ones checked paper by paper)."""
    found = np.zeros(len(candidates), dtype=bool)
    for author in profile.authors:
        docs = index.authors.get(author.author_id)
        if docs is None:
            continue
        if author.coauthors or author.categories:
            docs = [d for d in docs if author.matches(candidates.authors[d], candidates.categories[d])]
        found[np.asarray(docs, dtype=np.int64)] = True
    return found


def _categories(n: int, index: CandidateIndex, profile: Profile) -> np.ndarray:
    """1 for a wanted primary category or a followed venue, 0.5 for a cross-list; archives cover subjects."""
    fit = np.zeros(n)
    for code in profile.categories:
        listed, primary = index.listed.get(code), index.primary.get(code)
        if listed is not None:
            fit[listed] = np.maximum(fit[listed], 0.5)
        if primary is not None:
            fit[primary] = 1.0
    for venue in profile.venues:
        if venue in index.venues:
            fit[index.venues[venue]] = 1.0
    return fit


def _semantic(candidates: Candidates, profile: Profile, weights: Weights) -> tuple[np.ndarray, np.ndarray]:
    """(semantic part, P(like)) for every candidate, from one product with the block's vectors.

    With a taste model, the part is ``2 P(like) - 1`` (one matrix-vector
    product). Without, the interest, liked and disliked vectors are stacked
    into one small matrix so the 10,000 x 384 block is read once: best
    cosine to the interest or a liked paper, minus the dislike penalty.
    A paper without a vector (a zero row) gets 0 either way.
    """
    n = len(candidates)
    zeros = np.zeros(n)
    vectors = candidates.vectors
    if vectors is None or n == 0:
        return zeros, zeros
    if profile.model is not None:
        taste = profile.model.probability(vectors)
        return 2.0 * taste - 1.0, taste
    interest, liked, disliked = _queries(profile, vectors)
    k, m = len(interest), len(liked)
    if k + m + len(disliked) == 0:
        return zeros, zeros
    similar = vectors @ np.vstack([interest, liked, disliked]).T
    semantic = similar[:, :k + m].max(axis=1) if k + m else zeros
    if k == 0 or m == 0:        # a missing signal counts as cosine 0, so the part is never below 0 here
        semantic = np.maximum(semantic, 0.0)
    if len(disliked):
        semantic = semantic - weights.dislike * np.maximum(similar[:, k + m:].max(axis=1), 0.0)
    return semantic, zeros


def _queries(profile: Profile, vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The profile's interest (0 or 1 row), liked and disliked vectors as matrices like ``vectors``."""
    def rows(matrix):
        if matrix is None or len(matrix) == 0:
            return np.zeros((0, vectors.shape[1]), dtype=vectors.dtype)
        return np.asarray(matrix, dtype=vectors.dtype).reshape(-1, vectors.shape[1])

    return rows(profile.interest), rows(profile.liked), rows(profile.disliked)


def _closeness(candidates: Candidates, rows: np.ndarray, profile: Profile,
               weights: Weights) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """(liked papers close to each, cosine to the interest), filled in only at ``rows`` (for reasons)."""
    close, interest = np.zeros(len(candidates)), np.zeros(len(candidates))
    vectors = candidates.vectors
    if vectors is None or rows.size == 0:
        return close, interest
    block = vectors[rows]
    wanted, liked, _ = _queries(profile, vectors)
    if len(wanted):
        interest[rows] = block @ wanted[0]
    if len(liked):
        close[rows] = (block @ liked.T >= weights.close).sum(axis=1)
    return close, interest


def _scored(candidates: Candidates, i: int, profile: Profile, weights: Weights, columns: dict, hits: _Hits) -> Scored:
    reasons = _reasons(candidates, i, profile, weights, columns, hits)
    parts = {name: float(column[i]) for name, column in columns.items()}
    return Scored(candidates.ids[i], i, float(columns["total"][i]), tuple(reasons), parts)


def _reasons(candidates: Candidates, i: int, profile: Profile, weights: Weights, columns: dict,
             hits: _Hits) -> list[Reason]:  # fmt: skip
    """The sentences' codes, most specific first."""
    authors, categories = candidates.authors[i], candidates.categories[i]
    out = [Reason("author", (("name", a.name),)) for a in profile.authors if a.matches(authors, categories)]
    for terms in hits:
        found = next(((text, "title") for text, title, _ in terms if title[i]), None) or \
            next(((text, "abstract") for text, _, abstract in terms if abstract[i]), None)
        if found:
            out.append(Reason("keyword", (("term", found[0]), ("where", found[1]))))
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
