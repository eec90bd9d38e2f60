"""Read side of the daily pages (views and the JSON API share it).

One query lists a page of papers with their stats and submitter (LEFT JOINs);
:func:`decorate` then adds, with one query each for the whole page, the
organisations, the reader's own votes and the curators' picks. So a page of
100 cards costs a constant number of queries whatever its size.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Count, F, QuerySet
from django.utils import timezone

from academichub.core import tldr, trending
from academichub.daily import votes
from academichub.daily.models import PaperOrganization, Pick
from academichub.daily.periods import Period, month_grid
from academichub.papers.models import Paper

SORTS = ("trending", "upvotes", "newest")
DEFAULT_SORT = "trending"
_RELATED = ("primary_category", "venue", "daily_stats", "daily_submission__user")


def sort_key(value: str | None) -> str:
    return value if value in SORTS else DEFAULT_SORT


def ordering(sort: str) -> list:
    """Trending, then points, then newest: every sort has a total, stable order."""
    points = F("daily_stats__points").desc(nulls_last=True)
    if sort == "upvotes":
        return [points, "-announced", "id"]
    if sort == "newest":
        return ["-announced", "-id"]
    return [F("daily_stats__trending").desc(nulls_last=True), points, "-announced", "id"]


def with_cards(queryset: QuerySet[Paper]) -> QuerySet[Paper]:
    return queryset.select_related(*_RELATED)


def papers_in(period: Period, sort: str, exclude: list[int] = ()) -> QuerySet[Paper]:
    papers = Paper.objects.filter(announced__gte=period.start, announced__lte=period.end)
    if exclude:
        papers = papers.exclude(pk__in=list(exclude))
    return with_cards(papers).order_by(*ordering(sort))


def picks_of(day: date) -> list[Pick]:
    """The curators' picks of a day, in their order, with their papers ready for cards."""
    related = ["paper__" + name for name in _RELATED]
    return list(Pick.objects.filter(day=day).select_related("curator", *related).order_by("position", "id"))


def trending_papers(now: datetime | None = None, limit: int = 100, formula=trending.DEFAULT) -> QuerySet[Paper]:
    """The window's papers by their last computed trending score (the periodic task's)."""
    start = formula.window_start(now or timezone.now())
    papers = Paper.objects.filter(announced__gte=start)
    return with_cards(papers).order_by(*ordering("trending"))[:limit]


def decorate(papers, user=None) -> list[Paper]:
    """Give each paper what a card shows beyond its columns: orgs, TL;DR, upvotes, the reader's vote."""
    papers = list(papers)
    ids = [p.pk for p in papers]
    orgs = organisations_of(ids)
    mine = votes.voted_ids(user, ids)
    picked = set(Pick.objects.filter(paper_id__in=ids).values_list("paper_id", flat=True)) if ids else set()
    for paper in papers:
        stats = getattr(paper, "daily_stats", None)
        paper.organisations = orgs.get(paper.pk, [])
        paper.upvote_count = stats.upvotes if stats else 0
        paper.external_upvotes = stats.external_upvotes if stats else 0
        paper.tldr = (stats.tldr if stats and stats.tldr else "") or tldr.extract(paper.abstract_text)
        paper.voted = paper.pk in mine
        paper.picked = paper.pk in picked
        paper.submission = getattr(paper, "daily_submission", None)
    return papers


def organisations_of(paper_ids: list[int]) -> dict[int, list]:
    found: dict[int, list] = defaultdict(list)
    if not paper_ids:
        return found
    rows = PaperOrganization.objects.filter(paper_id__in=paper_ids).select_related("organization")
    for row in rows.order_by("id"):
        found[row.paper_id].append(row.organization)
    return found


@dataclass
class CalendarDay:
    day: date | None
    papers: int = 0
    current: bool = False


def calendar_of(month: Period, current: date | None = None) -> list[list[CalendarDay]]:
    """A month's weeks with each day's paper count (one grouped query over the month)."""
    counts = dict(
        Paper.objects.filter(announced__gte=month.start, announced__lte=month.end)
        .values_list("announced").annotate(n=Count("id")).values_list("announced", "n")
    )  # fmt: skip
    return [[CalendarDay(d, counts.get(d, 0), d == current) for d in week]
            for week in month_grid(month.start.year, month.start.month)]  # fmt: skip


def earliest_day() -> date | None:
    return Paper.objects.exclude(announced=None).order_by("announced").values_list("announced", flat=True).first()
