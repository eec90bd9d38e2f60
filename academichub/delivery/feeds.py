"""RSS 2.0 and Atom feeds (Django syndication): every listing a reader may follow.

Each feed is one class over :class:`PaperFeed` that says which object the URL
names (``get_object``) and which papers it lists (``papers``); :data:`FEEDS`
maps a URL to it, and both formats come from the one class. A radar or a
saved search becomes a feed by adding one class and one line here.

Entries are the papers a page shows, in its order: the daily feed lists the
day page's curated picks and then its first page (via the daily app's own
listing), a category feed lists what ``GET /api/papers?category=…`` lists.
Descriptions are HTML built from escaped text (abstracts come from outside
and are never trusted as markup).
"""

from __future__ import annotations

from datetime import date, datetime, time, timezone

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from academichub.delivery import citations
from academichub.papers.models import Category, Paper
from academichub.web import queries

LIMIT = 100  # entries per feed: the daily page's page size
AUTHORS_SHOWN = 10


class PaperFeed(Feed):
    """A feed of papers. Subclasses give ``get_object``, ``papers``, ``title``, ``link``, ``description``."""

    feed_type = Rss201rev2Feed
    language = "en"

    def papers(self, obj) -> list[Paper]:
        raise NotImplementedError

    def items(self, obj):
        return self.papers(obj)

    def item_title(self, paper: Paper) -> str:
        return paper.title_text or paper.title

    def item_link(self, paper: Paper) -> str:
        return reverse("web:paper", args=[paper.arxiv_id or str(paper.pk)])

    def item_description(self, paper: Paper) -> str:
        paragraphs = [p for p in paper.abstract_text.split("\n\n") if p.strip()]
        return format_html("<p><em>{}</em></p>{}", _author_line(paper),
                           format_html_join("", "<p>{}</p>", ((p,) for p in paragraphs)))  # fmt: skip

    def item_author_name(self, paper: Paper) -> str:
        return _author_line(paper)

    def item_pubdate(self, paper: Paper) -> datetime | None:
        day = paper.announced or paper.published
        return datetime.combine(day, time(0), tzinfo=timezone.utc) if day else paper.created_at

    def item_updateddate(self, paper: Paper) -> datetime:
        return paper.updated_at

    def item_categories(self, paper: Paper) -> list[str]:
        return citations.category_codes(paper)


def _author_line(paper: Paper) -> str:
    names = paper.author_list
    shown = ", ".join(names[:AUTHORS_SHOWN])
    return shown + (" et al." if len(names) > AUTHORS_SHOWN else "")


class CategoryFeed(PaperFeed):
    """The newest papers in one category (cross-lists included), as the papers API lists them."""

    def get_object(self, request, code: str) -> Category:
        return get_object_or_404(Category, code=code)

    def title(self, category: Category) -> str:
        return _("AcademicHub: new papers in %(code)s") % {"code": category.code}

    def link(self, category: Category) -> str:
        return reverse("daily:today")

    def description(self, category: Category) -> str:
        return _("The newest papers in %(code)s (%(name)s).") % {"code": category.code, "name": category.name_en}

    def papers(self, category: Category) -> list[Paper]:
        from academichub.delivery.api import ORDERING, listing

        return list(listing(category=category.code).order_by(*ORDERING)[:LIMIT])


class DayFeed(PaperFeed):
    """One announcement day, as its daily page lists it: the curators' picks, then the rest."""

    def get_object(self, request, day: str) -> date:
        try:
            return date.fromisoformat(day)
        except ValueError:
            raise Http404(day)

    def title(self, day: date) -> str:
        return _("AcademicHub: papers of %(day)s") % {"day": day.isoformat()}

    def link(self, day: date) -> str:
        return _day_url(day)

    def description(self, day: date) -> str:
        return _("Papers announced on %(day)s, picked and ranked as on the daily page.") % {"day": day.isoformat()}

    def papers(self, day: date) -> list[Paper]:
        return day_papers(day)


class TodayFeed(DayFeed):
    """The latest announcement day: what the front page shows."""

    def get_object(self, request) -> date:
        return queries.latest_day() or date.today()

    def link(self, day: date) -> str:
        return reverse("daily:today")


def _day_url(day: date) -> str:
    return reverse("daily:day", args=[day.isoformat()])


def day_papers(day: date, limit: int = LIMIT) -> list[Paper]:
    """The day page's papers in its order, from the daily app's own listing: picks, then the rest."""
    from academichub.daily import listing, periods

    picks = [pick.paper for pick in listing.picks_of(day)]
    rest = listing.papers_in(periods.containing("day", day), listing.DEFAULT_SORT, exclude=[p.pk for p in picks])
    ids = [p.pk for p in picks] + list(rest.values_list("pk", flat=True)[: max(limit - len(picks), 0)])
    return papers_in_order(ids)


def papers_in_order(ids: list[int]) -> list[Paper]:
    """The papers of `ids` in that order, with what the feed's entries read."""
    by_id = citations.with_citation_data(Paper.objects.filter(pk__in=ids)).in_bulk()
    return [by_id[pk] for pk in ids if pk in by_id]


class _Atom:
    feed_type = Atom1Feed

    def subtitle(self, obj) -> str:
        return self.description(obj)


# URL (without the extension) -> (name, class). Each is served as .rss and .atom.
FEEDS: list[tuple[str, str, type[PaperFeed]]] = [
    ("today", "today", TodayFeed),
    ("day/<str:day>", "day", DayFeed),
    ("category/<str:code>", "category", CategoryFeed),
]


def feed_urls(prefix: str = "feeds/") -> list:
    """Two URL patterns per feed: ``<prefix><route>.rss`` (RSS 2.0) and ``.atom`` (Atom 1.0)."""
    from academichub.delivery import personal_feeds  # radars, saved searches, trending (imports this module)

    patterns = []
    for route, name, feed in FEEDS + personal_feeds.FEEDS:
        atom = type(feed.__name__ + "Atom", (_Atom, feed), {})
        patterns += [path(f"{prefix}{route}.rss", feed(), name=f"{name}-rss"),
                     path(f"{prefix}{route}.atom", atom(), name=f"{name}-atom")]  # fmt: skip
    return patterns
