"""RSS and Atom feeds: valid for feedparser (bozo == 0), spec basics, entries as on the page."""

from __future__ import annotations

import re
from datetime import date
from xml.etree import ElementTree

import feedparser
import pytest

from academichub.papers.models import Paper
from tests.delivery_helpers import own_cache  # noqa: F401 (fixture)
from tests.factories import XSS_ABSTRACT, make_papers

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_cache")]
ATOM = "{http://www.w3.org/2005/Atom}"


def fetch(client, url: str):
    response = client.get(url)
    assert response.status_code == 200, url
    feed = feedparser.parse(response.content)
    assert feed.bozo == 0, (url, feed.get("bozo_exception"))
    return response, feed


def entry_ids(feed) -> list[int]:
    paths = [re.search(r"/paper/([^/]+)$", e.link).group(1) for e in feed.entries]
    return [Paper.objects.get(arxiv_id=p).pk for p in paths]


def page_ids(client, url: str) -> list[int]:
    html = client.get(url).content.decode()
    return [int(pk) for pk in re.findall(r'<article class="card" id="paper-(\d+)"', html)]


def check_rss(body: bytes) -> None:
    """RSS 2.0 essentials: channel title/link/description; each item a title, link, guid and pubDate."""
    channel = ElementTree.fromstring(body).find("channel")
    for name in ("title", "link", "description"):
        assert (channel.findtext(name) or "").strip(), name
    for item in channel.findall("item"):
        for name in ("title", "link", "guid", "pubDate", "description"):
            assert (item.findtext(name) or "").strip(), name


def check_atom(body: bytes) -> None:
    """Atom (RFC 4287) essentials: feed id/title/updated; entries with id, title, updated, author, alternate link."""
    root = ElementTree.fromstring(body)
    for name in ("id", "title", "updated"):
        assert (root.findtext(ATOM + name) or "").strip(), name
    for entry in root.findall(ATOM + "entry"):
        for name in ("id", "title", "updated"):
            assert (entry.findtext(ATOM + name) or "").strip(), name
        assert entry.find(f"{ATOM}author/{ATOM}name") is not None
        assert entry.find(ATOM + "link").get("rel") == "alternate"


@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_day_feeds_list_the_day_page_in_its_order(client, fmt):
    make_papers(date(2026, 6, 11), count=2)
    make_papers(date(2026, 6, 12), count=4, start=10)
    from academichub.daily.models import Pick  # the curators' picks lead the page and the feed

    picked = Paper.objects.get(arxiv_id="2606.00012")
    Pick.objects.create(day=date(2026, 6, 12), paper=picked, position=0, note="Read this")
    response, feed = fetch(client, f"/feeds/day/2026-06-12.{fmt}")
    (check_rss if fmt == "rss" else check_atom)(response.content)
    shown = page_ids(client, "/day/2026-06-12/")
    assert len(shown) == 4 and shown[0] == picked.pk
    assert entry_ids(feed) == shown
    _today_response, today = fetch(client, f"/feeds/today.{fmt}")
    assert entry_ids(today) == page_ids(client, "/") == shown
    assert feed.entries[0].title == picked.title_text
    assert feed.entries[0].author.startswith("Chenrui Wu, Yuwei Wu")


@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_category_feeds_match_the_papers_api(client, fmt):
    make_papers(date(2026, 6, 11), count=3, categories=["cs.CL", "cs.AI"])
    make_papers(date(2026, 6, 12), count=2, start=10, categories=["cs.CV", "cs.CL"])
    make_papers(date(2026, 6, 12), count=2, start=20, categories=["cs.CV"])
    response, feed = fetch(client, f"/feeds/category/cs.CL.{fmt}")
    (check_rss if fmt == "rss" else check_atom)(response.content)
    listed = client.get("/api/papers", {"category": "cs.CL", "limit": 100}).json()["items"]
    assert entry_ids(feed) == [item["id"] for item in listed] and len(listed) == 5
    assert {tag.term for tag in feed.entries[0].tags} == {"cs.CV", "cs.CL"}


def test_descriptions_escape_text_from_outside(client):
    make_papers(date(2026, 6, 12), count=1, abstract=XSS_ABSTRACT, title="<b>Bold</b> & claim")
    for fmt in ("rss", "atom"):
        response, feed = fetch(client, f"/feeds/today.{fmt}")
        entry = feed.entries[0]
        assert entry.title == "<b>Bold</b> & claim"
        assert "<script" not in entry.summary and "&lt;script&gt;" in entry.summary
        assert "<img" not in entry.summary and b"<script" not in response.content


def test_unknown_categories_and_bad_days_are_404(client):
    assert client.get("/feeds/category/zz.ZZ.rss").status_code == 404
    assert client.get("/feeds/day/yesterday.atom").status_code == 404


def test_empty_catalogue_still_gives_a_valid_feed(client):
    for fmt in ("rss", "atom"):
        _response, feed = fetch(client, f"/feeds/today.{fmt}")
        assert feed.entries == []
