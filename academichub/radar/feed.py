"""The radar feed: the one Django-side entry point to ``core.ranking``.

The web page, the API and (later) email all call :func:`feed_for`. It
builds the candidate columns for the window (cached per window, so a
request only ranks), resolves the radar into a ``Profile`` (ids and
vectors, no embedding), ranks with ``score_candidates``, diversifies with
MMR and returns papers with their reasons worded in the active language.

"Another batch" is two steps so no GET changes anything: the page shows the
best unseen papers; pressing the button POSTs the ids that were on screen,
:func:`mark_shown` records them as impressions, and the next feed skips them.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
from django.core.cache import cache as django_cache
from django.db import transaction
from django.db.models import Count, Max, Sum

from academichub.core import ranking
from academichub.core.interests import match_text, parse_keywords
from academichub.ops.shared_cache import cache_delete, cache_get, cache_set
from academichub.papers.models import Authorship, Paper, PaperCategory, PaperSignal
from academichub.radar import semantics
from academichub.radar.models import (
    WINDOW_DAYS,
    FeedImpression,
    Radar,
    Rating,
    SavedPaper,
    SeedPaper,
    TasteModel,
    Window,
)  # fmt: skip
from academichub.radar.reasons import reason_text

log = logging.getLogger(__name__)

BATCH_SIZE = 10
POOL_FACTOR = 5           # MMR chooses a batch among this many times its size
_CACHE_SIZE = 6
NO_VECTOR_TTL = 300.0    # seconds a block without vectors is reused


@dataclass
class FeedItem:
    paper: Paper
    score: float
    reasons: list[str]
    codes: tuple[ranking.Reason, ...]
    rating: int = 0
    saved: bool = False


@dataclass
class FeedPage:
    radar: Radar
    window: str
    start: date | None
    end: date | None
    items: list[FeedItem] = field(default_factory=list)
    eligible: int = 0            # unseen papers that qualify in this window
    seen: int = 0                # papers this radar has already shown (all windows)
    batch: int = 1               # the number of the batch on screen
    learned: bool = False        # the taste model ranked the semantic part
    semantic: bool = False       # paper vectors were available

    @property
    def exhausted(self) -> bool:
        """Everything that qualifies has been shown: say so and offer a reset."""
        return not self.items and self.seen > 0

    @property
    def remaining(self) -> int:
        return max(self.eligible - len(self.items), 0)


# ------------------------------------------------------------------ public API


def feed_for(radar: Radar, *, window: str | None = None, end: date | None = None,
             size: int = BATCH_SIZE, skip_seen: bool = True) -> FeedPage:  # fmt: skip
    """The best ``size`` unseen papers of the window for ``radar``, diversified, with reasons."""
    window = window if window in WINDOW_DAYS else radar.window
    start, end = window_bounds(window, end)
    page = FeedPage(radar, window, start, end)
    if end is None:
        return page
    candidates = candidates_for(start, end)
    hidden = _hidden_ids(radar) if skip_seen else set()
    profile = profile_for(radar, with_vectors=candidates.vectors is not None)
    ranked = ranking.score_candidates(candidates, profile, limit=size * POOL_FACTOR, hidden=hidden)
    chosen = ranking.diversify(ranked.items, candidates.vectors, size)
    page.items = _items(chosen, radar.owner_id)
    page.eligible, page.learned, page.semantic = ranked.eligible, profile.model is not None, candidates.vectors is not None
    shown = FeedImpression.objects.filter(radar=radar).aggregate(n=Count("id"), batch=Max("batch"))
    page.seen, page.batch = shown["n"], (shown["batch"] or 0) + 1
    return page


def window_bounds(window: str, end: date | None = None) -> tuple[date | None, date | None]:
    """(first, last) announcement day of the window, ending at ``end`` or the latest day the hub has."""
    end = end or Paper.objects.exclude(announced=None).aggregate(d=Max("announced"))["d"]
    if end is None:
        return None, None
    return end - timedelta(days=WINDOW_DAYS[Window(window)] - 1), end


def mark_shown(radar: Radar, paper_ids: list[int]) -> int:
    """Record ``paper_ids`` as shown by ``radar`` in a new batch; returns how many were new."""
    with transaction.atomic():
        batch = (FeedImpression.objects.filter(radar=radar).aggregate(n=Max("batch"))["n"] or 0) + 1
        known = set(FeedImpression.objects.filter(radar=radar, paper_id__in=paper_ids).values_list("paper_id", flat=True))
        valid = set(Paper.objects.filter(pk__in=paper_ids).values_list("pk", flat=True))
        new = [FeedImpression(radar=radar, paper_id=pid, batch=batch)
               for pid in dict.fromkeys(paper_ids) if pid in valid and pid not in known]  # fmt: skip
        FeedImpression.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def reset_seen(radar: Radar) -> int:
    """Forget what the radar has shown, so every paper can come back."""
    deleted, _ = FeedImpression.objects.filter(radar=radar).delete()
    return deleted


def rate(user, paper: Paper, value: int, radar: Radar | None = None) -> Rating | None:
    """Store 👍 (1) or 👎 (-1), or clear (0), then refit the reader's taste model."""
    if value not in (1, -1, 0):
        raise ValueError("a rating is 1, -1 or 0 (clear)")
    rating = None
    with transaction.atomic():
        if value == 0:
            Rating.objects.filter(user=user, paper=paper).delete()
        else:
            rating, _ = Rating.objects.update_or_create(user=user, paper=paper,
                                                        defaults={"value": value, "radar": radar})  # fmt: skip
        refit_taste(user)
    return rating


def save_paper(user, paper: Paper, radar: Radar | None = None, *, saved: bool = True) -> bool:
    """Keep (or drop) ``paper`` in the reader's saved list, then refit their taste: a save is a 👍."""
    with transaction.atomic():
        if saved:
            SavedPaper.objects.get_or_create(user=user, paper=paper, defaults={"radar": radar})
        else:
            SavedPaper.objects.filter(user=user, paper=paper).delete()
        refit_taste(user)
    return saved


def taste_examples(user_id: int) -> list[tuple[int, int]]:
    """(paper id, 1 or -1) the reader's taste is learned from: ratings, and saved papers not rated."""
    rows = list(Rating.objects.filter(user_id=user_id).values_list("paper_id", "value"))
    rated = {pid for pid, _ in rows}
    saved = SavedPaper.objects.filter(user_id=user_id).order_by("id").values_list("paper_id", flat=True)
    return rows + [(pid, 1) for pid in saved if pid not in rated]


def refit_taste(user) -> ranking.PreferenceModel | None:
    """Fit the reader's logistic regression on their rated and saved papers' vectors (or drop a stale one)."""
    rows = taste_examples(user.pk)
    vectors = semantics.vectors_matrix([pid for pid, _ in rows]) if rows else None
    model = None
    if vectors is not None:
        present = np.abs(vectors).sum(axis=1) > 0
        labels = np.array([1.0 if v > 0 else 0.0 for _, v in rows])
        model = ranking.fit_preference_model(vectors[present], labels[present])
    if model is None:
        TasteModel.objects.filter(user=user).delete()
        return None
    TasteModel.objects.update_or_create(user=user, defaults={
        "weights": model.weights.astype(np.float32).tobytes(), "bias": model.bias,
        "ratings": model.ratings, "model_id": semantics.model_id()})  # fmt: skip
    return model


# ------------------------------------------------------------------ profile


def profile_for(radar: Radar, *, with_vectors: bool = True) -> ranking.Profile:
    """The radar resolved into ids and vectors (nothing is embedded here)."""
    followed = [
        ranking.FollowedAuthor(f.author_id, f.author.name, frozenset(f.coauthors), frozenset(f.categories))
        for f in followed_authors(radar)
    ]
    profile = ranking.Profile(
        keywords=parse_keywords(radar.keywords), authors=tuple(followed),
        categories=frozenset(radar.categories or []), venues={v.pk: v.name for v in radar.venues.all()},
    )  # fmt: skip
    if with_vectors:
        _add_vectors(profile, radar)
    return profile


def followed_authors(radar: Radar):
    """The radar's followed authors with their names: the rows the feed page prefetched, else one query."""
    if "followed" in getattr(radar, "_prefetched_objects_cache", {}):
        return radar.followed.all()
    return radar.followed.select_related("author")


def _add_vectors(profile: ranking.Profile, radar: Radar) -> None:
    ratings = taste_examples(radar.owner_id)
    liked = [pid for pid, v in ratings if v > 0] + list(SeedPaper.objects.filter(radar=radar).values_list("paper_id", flat=True))
    disliked = [pid for pid, v in ratings if v < 0]
    profile.liked = _present(semantics.vectors_matrix(list(dict.fromkeys(liked))))
    profile.disliked = _present(semantics.vectors_matrix(disliked))
    interest = radar.interest_array()
    if interest is not None and radar.interest.strip():
        profile.interest = interest
    taste = TasteModel.objects.filter(user_id=radar.owner_id).first()
    if taste is not None and taste.model_id == semantics.model_id():
        weights = np.frombuffer(bytes(taste.weights), dtype=np.float32)
        profile.model = ranking.PreferenceModel(weights, taste.bias, taste.ratings)


def _present(matrix: np.ndarray | None) -> np.ndarray | None:
    if matrix is None:
        return None
    rows = matrix[np.abs(matrix).sum(axis=1) > 0]
    return rows if len(rows) else None


def _hidden_ids(radar: Radar) -> set[int]:
    """Already shown by this radar, or disliked by its owner: never in the feed again."""
    shown = set(FeedImpression.objects.filter(radar=radar).values_list("paper_id", flat=True))
    disliked = Rating.objects.filter(user_id=radar.owner_id, value=-1).values_list("paper_id", flat=True)
    return shown.union(disliked)


_CARD_UNUSED = ("title", "abstract", "comments", "journal_ref", "license", "content_hash", "main_key", "title_key")


def _items(chosen: list[ranking.Scored], user_id: int) -> list[FeedItem]:
    ids = [s.paper_id for s in chosen]
    # Cards show the plain-text title and abstract: the raw TeX columns are left in the database.
    papers = Paper.objects.select_related("primary_category", "venue").defer(*_CARD_UNUSED).in_bulk(ids)
    ratings = dict(Rating.objects.filter(user_id=user_id, paper_id__in=ids).values_list("paper_id", "value"))
    saved = set(SavedPaper.objects.filter(user_id=user_id, paper_id__in=ids).values_list("paper_id", flat=True))
    return [FeedItem(papers[s.paper_id], s.score, [reason_text(r) for r in s.reasons], s.reasons,
                     ratings.get(s.paper_id, 0), s.paper_id in saved)
            for s in chosen if s.paper_id in papers]  # fmt: skip


# ------------------------------------------------------------------ candidates (the feature pipeline)

_cache: OrderedDict[tuple, tuple[ranking.Candidates, float]] = OrderedDict()
_cache_lock = threading.Lock()
_shared_names: set[str] = set()   # shared entries this process used (clear_cache drops them)
SHARED_TTL = 6 * 3600     # seconds a block stays in the shared cache (its key changes with the catalogue anyway)
BUILD_WAIT = 5.0          # seconds a process waits for another one already building the same block


def candidates_for(start: date, end: date) -> ranking.Candidates:
    """Candidate columns for papers announced in [start, end], built once per catalogue state.

    Three levels, so a web process never builds a block another process (or
    the worker's :func:`warm_candidates`) has built: this process's memory,
    then the shared Django cache (Redis in a scale-out deployment), then a
    build, which is shared at once.
    """
    key = _state_key(start, end)
    block = _local_get(key)
    if block is None:
        block = _shared_get(key) or _build_shared(key, start, end)
        _local_put(key, block)
    return block


def warm_candidates(end: date | None = None) -> list[str]:
    """Build (or load) the blocks of every feed window ending at ``end`` (the latest day): the worker
    calls this when it starts and every minute (``radar.tasks``), so readers never wait for a cold build."""
    warmed = []
    for window in sorted(WINDOW_DAYS, key=lambda w: w != Window.WEEK):  # the default window first
        start, last = window_bounds(window, end)
        if last is not None:
            candidates_for(start, last)
            warmed.append(str(window))
    return warmed


def _state_key(start: date, end: date) -> tuple:
    state = Paper.objects.filter(announced__range=(start, end)).aggregate(n=Count("id"), changed=Max("updated_at"), top=Max("id"))
    return (start, end, state["n"], state["changed"], state["top"], semantics.model_id())


def _usable(block: ranking.Candidates, built_at: float) -> bool:
    """Without vectors (papers still being embedded) a block is kept only a few minutes,
    so the semantic part switches on once they exist."""
    return block.vectors is not None or time.monotonic() - built_at < NO_VECTOR_TTL


def _local_get(key: tuple) -> ranking.Candidates | None:
    with _cache_lock:
        cached = _cache.get(key)
        if cached and _usable(*cached):
            _cache.move_to_end(key)
            return cached[0]
    return None


def _local_put(key: tuple, block: ranking.Candidates) -> None:
    with _cache_lock:
        _cache[key] = (block, time.monotonic())
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)


def _shared_name(key: tuple) -> str:
    start, end, n, changed, top, model = key
    stamp = changed.timestamp() if changed else 0
    name = f"radar-candidates:{start}:{end}:{n}:{stamp}:{top}:{model}"
    with _cache_lock:
        if len(_shared_names) < 512:
            _shared_names.add(name)
    return name


def _shared_get(key: tuple) -> ranking.Candidates | None:
    """The block from the shared cache; a cache outage only costs a build."""
    return cache_get(_shared_name(key), "shared candidate")


def _build_shared(key: tuple, start: date, end: date) -> ranking.Candidates:
    """Build the block, unless another process is building it: then wait for its result a moment."""
    name = _shared_name(key)
    try:
        building = not django_cache.add(name + ":building", 1, timeout=int(BUILD_WAIT * 6))
    except Exception:
        building = False
    deadline = time.monotonic() + BUILD_WAIT
    while building and time.monotonic() < deadline:
        time.sleep(0.05)
        block = _shared_get(key)
        if block is not None:
            return block
    block = build_candidates(Paper.objects.filter(announced__range=(start, end)), end)
    block.index()
    _shared_put(name, block)
    return block


def _shared_put(name: str, block: ranking.Candidates) -> None:
    cache_set(name, block, SHARED_TTL if block.vectors is not None else int(NO_VECTOR_TTL), "shared candidate")
    cache_delete(name + ":building", "shared candidate")


def clear_cache() -> None:
    """Forget every block, in this process and in the shared cache (tests; a model change)."""
    with _cache_lock:
        _cache.clear()
        names, _ = list(_shared_names), _shared_names.clear()
    try:
        django_cache.delete_many(names)
    except Exception as exc:
        log.warning("shared candidate cache unavailable: %s", exc)


def build_candidates(papers, end: date) -> ranking.Candidates:
    """Read the window's papers, authors, categories and upvotes into ``ranking.Candidates``."""
    rows = list(papers.order_by("id").values_list("id", "title_text", "abstract_text", "announced", "primary_category_id", "venue_id"))
    ids = [r[0] for r in rows]
    authors: dict[int, list[int]] = {}
    for pid, aid in Authorship.objects.filter(paper__in=papers).order_by("paper_id", "position").values_list("paper_id", "author_id"):
        authors.setdefault(pid, []).append(aid)
    categories = {r[0]: [r[4]] if r[4] else [] for r in rows}
    for pid, code in PaperCategory.objects.filter(paper__in=papers).values_list("paper_id", "category_id").order_by("paper_id", "category_id"):
        if code not in categories[pid]:
            categories[pid].append(code)
    upvotes = dict(PaperSignal.objects.filter(paper__in=papers).values("paper_id").annotate(n=Sum("upvotes")).values_list("paper_id", "n"))
    return ranking.Candidates(
        ids=ids, titles=[match_text(r[1]) for r in rows], abstracts=[match_text(r[2]) for r in rows],
        authors=[tuple(authors.get(pid, ())) for pid in ids], categories=[tuple(categories[pid]) for pid in ids],
        ages=np.array([(end - r[3]).days for r in rows], dtype=np.float64),
        upvotes=np.array([upvotes.get(pid, 0) for pid in ids], dtype=np.float64),
        venues=[r[5] for r in rows], vectors=semantics.vectors_matrix(ids),
    )  # fmt: skip
