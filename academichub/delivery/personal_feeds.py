"""Feeds of a radar, of a saved search, and of the trending page (served by ``feeds.feed_urls``).

A radar's and a saved search's feeds are private: the URL carries a token
(``RadarDelivery.feed_token``, ``SavedSearch.feed_token``) because feed
readers cannot sign in. A radar's token is separate from its share link, so
stopping sharing does not break the owner's reader, and a new feed link
revokes the old one. Unknown tokens are 404.

Entries are what the matching page shows, in its order: the radar's window
ranked by ``radar.feed.feed_for`` without hiding what was seen (as the
radar's read-only page), the saved search's first page of
``search.engine.search``, the trending page's ``listing.trending_papers``.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from academichub.delivery.digest_models import RadarDelivery, SavedSearch
from academichub.delivery.feeds import LIMIT, PaperFeed, papers_in_order
from academichub.papers.models import Paper


class RadarFeed(PaperFeed):
    def get_object(self, request, token: str):
        return get_object_or_404(RadarDelivery.objects.select_related("radar"), feed_token=token).radar

    def title(self, radar) -> str:
        return _("AcademicHub radar: %(name)s") % {"name": radar.name}

    def link(self, radar) -> str:
        return reverse("radar:feed", args=[radar.pk])

    def description(self, radar) -> str:
        return _("The best papers of the last %(window)s for the radar “%(name)s”.") % {
            "window": radar.get_window_display().lower(), "name": radar.name}  # fmt: skip

    def papers(self, radar) -> list[Paper]:
        from academichub.radar.feed import feed_for

        page = feed_for(radar, window=radar.window, skip_seen=False)
        return papers_in_order([item.paper.pk for item in page.items])


def search_url(saved: SavedSearch) -> str:
    """The search page this saved search stands for."""
    return reverse("search:search") + "?" + urlencode({"q": saved.query, **saved.filters, "sort": saved.sort})


class SavedSearchFeed(PaperFeed):
    def get_object(self, request, token: str) -> SavedSearch:
        return get_object_or_404(SavedSearch, feed_token=token)

    def title(self, saved: SavedSearch) -> str:
        return _("AcademicHub search: %(name)s") % {"name": saved.name}

    def link(self, saved: SavedSearch) -> str:
        return search_url(saved)

    def description(self, saved: SavedSearch) -> str:
        return _("The first results of the saved search “%(name)s”.") % {"name": saved.name}

    def papers(self, saved: SavedSearch) -> list[Paper]:
        from academichub.search import engine

        result = engine.search(saved.query, filters=saved.filters, sort=saved.sort)
        return papers_in_order(result.ids)


class TrendingFeed(PaperFeed):
    def get_object(self, request):
        return None

    def title(self, _obj) -> str:
        return _("AcademicHub: trending papers")

    def link(self, _obj) -> str:
        return reverse("daily:trending")

    def description(self, _obj) -> str:
        return _("The papers with the most attention right now, as on the trending page.")

    def papers(self, _obj) -> list[Paper]:
        from academichub.daily import listing

        return papers_in_order(list(listing.trending_papers(limit=LIMIT).values_list("pk", flat=True)))


FEEDS = [
    ("trending", "trending", TrendingFeed),
    ("radar/<str:token>", "radar", RadarFeed),
    ("search/<str:token>", "search", SavedSearchFeed),
]
