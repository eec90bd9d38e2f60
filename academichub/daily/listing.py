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
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import ngettext

from academichub.core import tldr, trending
from academichub.daily import votes
from academichub.daily.models import PaperOrganization, Pick
from academichub.daily.periods import Period, month_grid
from academichub.papers.models import Paper
from academichub.web.templatetags.hub import author_count, first_authors

SORTS = ("trending", "upvotes", "newest")
DEFAULT_SORT = "trending"
# Cards read the category code from primary_category_id (no join needed) and never the raw TeX
# columns: leaving those out halves the time to load a page of 100 papers.
_RELATED = ("venue", "daily_stats", "daily_submission__user")
_UNUSED = ("title", "abstract", "comments", "journal_ref", "license", "content_hash", "main_key", "title_key")


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
    return queryset.select_related(*_RELATED).defer(*_UNUSED)


def _in_period(period: Period, exclude: list[int] = ()) -> QuerySet[Paper]:
    papers = Paper.objects.filter(announced__gte=period.start, announced__lte=period.end)
    return papers.exclude(pk__in=list(exclude)) if exclude else papers


def papers_in(period: Period, sort: str, exclude: list[int] = ()) -> QuerySet[Paper]:
    """The period's papers in `sort` order, ready for cards (for a few; pages use :func:`ids_in`)."""
    return with_cards(_in_period(period, exclude)).order_by(*ordering(sort))


def ids_in(period: Period, sort: str, exclude: list[int] = ()) -> QuerySet:
    """The period's paper ids in `sort` order: paginate these, then load one page with :func:`cards`.

    Sorting only ids (and the sort keys) is what keeps a month of ~6,000
    papers fast: sorting whole rows, abstracts included, took ~25 ms.
    """
    return _in_period(period, exclude).order_by(*ordering(sort)).values_list("id", flat=True)


def cards(ids) -> list[Paper]:
    """The papers with these ids, in this order, with what a card needs (one query)."""
    ids = list(ids)
    found = with_cards(Paper.objects.filter(pk__in=ids)).in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]


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
    """Give each paper what a card shows beyond its columns: orgs, TL;DR, upvotes, the reader's vote.

    Links and labels are computed here once per paper rather than by template
    tags per card: a page of 100 cards spends most of its time in templates.
    """
    papers = list(papers)
    ids = [p.pk for p in papers]
    orgs = organisations_of(ids)
    mine = votes.voted_ids(user, ids)
    picked = set(Pick.objects.filter(paper_id__in=ids).values_list("paper_id", flat=True)) if ids else set()
    links = Links()
    for paper in papers:
        stats = getattr(paper, "daily_stats", None)
        paper.organisations = orgs.get(paper.pk, [])
        paper.upvote_count = stats.upvotes if stats else 0
        paper.external_upvotes = stats.external_upvotes if stats else 0
        paper.tldr = (stats.tldr if stats and stats.tldr else "") or tldr.extract(paper.abstract_text)
        paper.voted = paper.pk in mine
        paper.picked = paper.pk in picked
        paper.submission = getattr(paper, "daily_submission", None)
        paper.page_url, paper.vote_url = links.paper(paper), links.vote(paper.pk)
        paper.authors_line, paper.authors_count = links.authors(paper)
        paper.day_iso = paper.announced.isoformat() if paper.announced else ""
        paper.note = ""
    return number(papers)


def number(papers: list[Paper], offset: int = 0) -> list[Paper]:
    """Card ranks as on the reference screen: 01, 02, … continuing after `offset`."""
    for position, paper in enumerate(papers, start=offset + 1):
        paper.rank = f"{position:02d}"
    return papers


def page_of_cards(shown: list[Paper], picks: list[Pick], user, offset: int) -> tuple[list[Paper], list[Paper]]:
    """A page's papers and the day's picks (with their notes), decorated together, each numbered from 01."""
    papers = decorate(shown + [pick.paper for pick in picks], user)
    community, picked = papers[: len(shown)], papers[len(shown):]
    for paper, pick in zip(picked, picks):
        paper.note = pick.note
    return number(community, offset), number(picked)


class Links:
    """URLs and author labels for cards, each reversed or translated once per page."""

    def __init__(self):
        self._paper = reverse("web:paper", args=["0"])[:-1]
        self._vote = reverse("daily:vote", args=[0])[:-2]
        self._counts: dict[int, str] = {}

    def paper(self, paper: Paper) -> str:
        return self._paper + str(paper.arxiv_id or paper.pk)

    def vote(self, paper_id: int) -> str:
        return f"{self._vote}{paper_id}/"

    def authors(self, paper: Paper) -> tuple[str, str]:
        """("First, Second, Third, Fourth …", "6 authors") as the web app's filters write them."""
        n = len(paper.author_list)
        if n not in self._counts:
            self._counts[n] = author_count(paper)
        return first_authors(paper), self._counts[n]


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
    url: str = ""  # the day's page, when it has papers
    label: str = ""  # "713 papers"


def calendar_of(month: Period, current: date | None = None) -> list[list[CalendarDay]]:
    """A month's weeks with each day's paper count (one grouped query over the month)."""
    counts = dict(
        Paper.objects.filter(announced__gte=month.start, announced__lte=month.end)
        .values_list("announced").annotate(n=Count("id")).values_list("announced", "n")
    )  # fmt: skip
    base = reverse("daily:day", args=["2000-01-01"]).replace("2000-01-01", "{}")
    weeks = []
    for week in month_grid(month.start.year, month.start.month):
        cells = [CalendarDay(d, counts.get(d, 0), d == current) for d in week]
        for cell in cells:
            if cell.papers:
                cell.url = base.format(cell.day.isoformat())
                cell.label = ngettext("%(n)s paper", "%(n)s papers", cell.papers) % {"n": cell.papers}
        weeks.append(cells)
    return weeks


def earliest_day() -> date | None:
    return Paper.objects.exclude(announced=None).order_by("announced").values_list("announced", flat=True).first()
