"""JSON API for radars, their feeds and ratings (``/api/radars``, ``/api/ratings``).

Authentication is ``api.auth.personal_auth`` (a personal access token,
else the session); ``AUTH`` is the one list both routers use. Radars are looked up with
``owner=request.auth`` (another user's radar is a 404). Creating and
editing go through the same ``RadarForm`` as the web pages, so the
validation is written once.
"""

from __future__ import annotations

from datetime import date, datetime

from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema

try:
    from ninja.responses import Status
except ImportError:  # django-ninja before 1.6 takes a (status, body) tuple
    def Status(status_code: int, value):  # noqa: N802
        return status_code, value

from academichub.api.auth import personal_auth
from academichub.api.site import ApiError
from academichub.core.citation_import import MAX_CHARS, CitationImportError
from academichub.papers.models import Paper
from academichub.radar import coldstart
from academichub.radar.feed import FeedPage, feed_for, mark_shown, rate, reset_seen, save_paper
from academichub.radar.forms import RadarForm
from academichub.radar.models import WINDOW_DAYS, Radar, Rating, SavedPaper

AUTH = personal_auth  # a personal access token (scripts) or the session (the pages)

router = Router(auth=AUTH, tags=["radars"])
ratings_router = Router(auth=AUTH, tags=["ratings"])
saved_router = Router(auth=AUTH, tags=["saved"])


class RadarIn(Schema):
    name: str = Field(..., max_length=120)
    keywords: str = ""
    categories: list[str] = []
    authors: list[str] = []
    interest: str = ""
    seeds: list[str] = []
    window: str = "week"
    email_enabled: bool = False


class RadarPatch(Schema):
    name: str | None = None
    keywords: str | None = None
    categories: list[str] | None = None
    authors: list[str] | None = None
    interest: str | None = None
    seeds: list[str] | None = None
    window: str | None = None
    email_enabled: bool | None = None


class FollowedOut(Schema):
    author_id: int
    name: str
    narrowed: bool


class RadarOut(Schema):
    id: int
    name: str
    keywords: str
    categories: list[str]
    authors: list[FollowedOut]
    interest: str
    seeds: list[str]
    window: str
    email_enabled: bool
    shared: bool
    created_at: datetime
    updated_at: datetime


class ReasonOut(Schema):
    code: str
    params: dict
    text: str


class FeedItemOut(Schema):
    paper_id: int
    arxiv_id: str | None
    title: str
    authors: list[str]
    category: str | None
    announced: date | None
    score: float
    reasons: list[ReasonOut]
    rating: int
    saved: bool


class FeedOut(Schema):
    radar_id: int
    window: str
    start: date | None
    end: date | None
    batch: int
    eligible: int
    remaining: int
    seen: int
    exhausted: bool
    learned: bool
    items: list[FeedItemOut]


class SeenIn(Schema):
    paper_ids: list[int] = Field(..., max_length=500)


class RatingIn(Schema):
    value: int
    radar_id: int | None = None


class RatingOut(Schema):
    paper_id: int
    value: int


# ------------------------------------------------------------------ radars


def _own(request, radar_id: int) -> Radar:
    return get_object_or_404(Radar, pk=radar_id, owner=request.auth)


def _radar_out(radar: Radar) -> dict:
    return {
        "id": radar.pk, "name": radar.name, "keywords": radar.keywords, "categories": radar.categories or [],
        "authors": [{"author_id": f.author_id, "name": f.author.name, "narrowed": bool(f.coauthors or f.categories)}
                    for f in radar.followed.select_related("author")],
        "interest": radar.interest, "seeds": [s.paper.arxiv_id or s.paper.doi or str(s.paper_id)
                                              for s in radar.seeds.select_related("paper")],
        "window": radar.window, "email_enabled": radar.email_enabled, "shared": bool(radar.share_token),
        "created_at": radar.created_at, "updated_at": radar.updated_at,
    }  # fmt: skip


def _form_data(values: dict) -> dict:
    """API fields -> the RadarForm's fields (lists become its text areas)."""
    return {
        "name": values["name"], "keywords": values["keywords"], "interest": values["interest"],
        "window": values["window"], "email_enabled": "on" if values["email_enabled"] else "",
        "categories_text": " ".join(values["categories"]), "authors_text": "\n".join(values["authors"]),
        "seeds_text": "\n".join(values["seeds"]),
    }  # fmt: skip


def _save(request, values: dict, radar: Radar | None = None) -> Radar:
    form = RadarForm(_form_data(values), instance=radar)
    if not form.is_valid():
        problems = "; ".join(f"{field}: {' '.join(errors)}" for field, errors in form.errors.items())
        raise ApiError(422, "invalid", problems.replace("_text:", ":"))
    return form.save(owner=request.auth)


@router.get("", response=list[RadarOut])
def list_radars(request):
    return [_radar_out(r) for r in Radar.objects.filter(owner=request.auth)]


@router.post("", response={201: RadarOut})
def create_radar(request, body: RadarIn):
    return Status(201, _radar_out(_save(request, body.dict())))


@router.get("/{int:radar_id}", response=RadarOut)
def get_radar(request, radar_id: int):
    return _radar_out(_own(request, radar_id))


@router.patch("/{int:radar_id}", response=RadarOut)
def update_radar(request, radar_id: int, body: RadarPatch):
    radar = _own(request, radar_id)
    current = _radar_out(radar)
    current["authors"] = [a["name"] for a in current["authors"]]
    values = {**current, **body.dict(exclude_unset=True)}
    return _radar_out(_save(request, values, radar))


@router.delete("/{int:radar_id}", response={204: None})
def delete_radar(request, radar_id: int):
    _own(request, radar_id).delete()
    return Status(204, None)


# ------------------------------------------------------------------ feed


def _feed_out(page: FeedPage) -> dict:
    items = [{
        "paper_id": i.paper.pk, "arxiv_id": i.paper.arxiv_id, "title": i.paper.title_text,
        "authors": i.paper.author_list, "category": i.paper.primary_category_id, "announced": i.paper.announced,
        "score": round(i.score, 4), "rating": i.rating, "saved": i.saved,
        "reasons": [{"code": c.code, "params": c.params, "text": t} for c, t in zip(i.codes, i.reasons)],
    } for i in page.items]  # fmt: skip
    return {
        "radar_id": page.radar.pk, "window": page.window, "start": page.start, "end": page.end,
        "batch": page.batch, "eligible": page.eligible, "remaining": page.remaining, "seen": page.seen,
        "exhausted": page.exhausted, "learned": page.learned, "items": items,
    }  # fmt: skip


@router.get("/{int:radar_id}/feed", response=FeedOut)
def get_feed(request, radar_id: int, window: str | None = None, size: int = 10):
    """The best unseen papers; POST their ids to ``/feed/seen`` to get the next batch."""
    radar = _own(request, radar_id)
    if window is not None and window not in WINDOW_DAYS:
        raise ApiError(422, "invalid", f"window must be one of {', '.join(WINDOW_DAYS)}")
    if not 1 <= size <= 100:
        raise ApiError(422, "invalid", "size must be between 1 and 100")
    return _feed_out(feed_for(radar, window=window, size=size))


@router.post("/{int:radar_id}/feed/seen")
def mark_seen(request, radar_id: int, body: SeenIn):
    return {"recorded": mark_shown(_own(request, radar_id), body.paper_ids)}


@router.post("/{int:radar_id}/feed/reset")
def reset_feed(request, radar_id: int):
    return {"forgotten": reset_seen(_own(request, radar_id))}


# ------------------------------------------------------------------ ratings


@ratings_router.get("", response=list[RatingOut])
def list_ratings(request):
    return list(Rating.objects.filter(user=request.auth).order_by("-updated_at").values("paper_id", "value"))


@ratings_router.put("/{int:paper_id}", response=RatingOut)
def put_rating(request, paper_id: int, body: RatingIn):
    if body.value not in (1, -1, 0):
        raise ApiError(422, "invalid", "value must be 1 (👍), -1 (👎) or 0 (clear)")
    paper = get_object_or_404(Paper, pk=paper_id)
    radar = _own(request, body.radar_id) if body.radar_id is not None else None
    rate(request.auth, paper, body.value, radar)
    return {"paper_id": paper.pk, "value": body.value}


@ratings_router.delete("/{int:paper_id}", response={204: None})
def delete_rating(request, paper_id: int):
    rate(request.auth, get_object_or_404(Paper, pk=paper_id), 0)
    return Status(204, None)


# ------------------------------------------------------------------ saved papers


class SavedOut(Schema):
    paper_id: int
    arxiv_id: str | None
    doi: str | None
    title: str
    radar_id: int | None
    saved_at: datetime


class SaveIn(Schema):
    radar_id: int | None = None


def _saved_out(saved: SavedPaper) -> dict:
    paper = saved.paper
    return {"paper_id": paper.pk, "arxiv_id": paper.arxiv_id, "doi": paper.doi, "title": paper.title_text,
            "radar_id": saved.radar_id, "saved_at": saved.saved_at}  # fmt: skip


@saved_router.get("", response=list[SavedOut])
def list_saved(request):
    """The reader's saved papers, newest first (a save also counts as 👍 for ranking)."""
    return [_saved_out(s) for s in SavedPaper.objects.filter(user=request.auth).select_related("paper")[:1000]]


@saved_router.put("/{int:paper_id}", response=SavedOut)
def put_saved(request, paper_id: int, body: SaveIn):
    radar = _own(request, body.radar_id) if body.radar_id is not None else None
    save_paper(request.auth, get_object_or_404(Paper, pk=paper_id), radar)
    return _saved_out(SavedPaper.objects.select_related("paper").get(user=request.auth, paper_id=paper_id))


@saved_router.delete("/{int:paper_id}", response={204: None})
def delete_saved(request, paper_id: int):
    save_paper(request.auth, get_object_or_404(Paper, pk=paper_id), saved=False)
    return Status(204, None)


# ------------------------------------------------------------------ cold start


class ImportIn(Schema):
    text: str = Field(..., max_length=MAX_CHARS)
    filename: str = ""


class ImportOut(Schema):
    format: str
    read: int
    skipped: int
    problems: list[str]
    matched: list[int]
    unmatched: list[str]
    added: int
    suggested_authors: list[str]
    suggested_keywords: list[str]


class OnboardingPaperOut(Schema):
    paper_id: int
    arxiv_id: str | None
    title: str
    category: str | None


@router.post("/{int:radar_id}/import", response=ImportOut)
def import_papers(request, radar_id: int, body: ImportIn):
    """Seed the radar from a BibTeX/RIS/Zotero CSV or JSON export, or arXiv ids/DOIs; suggestions are not applied."""
    radar = _own(request, radar_id)
    try:
        report = coldstart.import_library(radar, body.text, body.filename)
    except CitationImportError as exc:
        raise ApiError(422, "unreadable", str(exc)) from None
    return {
        "format": report.result.format, "read": len(report.result.works), "skipped": report.result.skipped,
        "problems": report.result.problems, "matched": [m.paper.pk for m in report.matched],
        "unmatched": [m.work.arxiv_id or m.work.doi or m.work.title for m in report.unmatched],
        "added": report.added, "suggested_authors": [a.name for a, _ in report.authors],
        "suggested_keywords": report.keywords,
    }  # fmt: skip


@router.get("/{int:radar_id}/onboarding", response=list[OnboardingPaperOut])
def onboarding_papers(request, radar_id: int):
    """Ten popular, recent, varied papers of the radar's categories to rate (PUT /api/ratings/{id})."""
    return [{"paper_id": p.pk, "arxiv_id": p.arxiv_id, "title": p.title_text, "category": p.primary_category_id}
            for p in coldstart.onboarding_papers(_own(request, radar_id))]  # fmt: skip
