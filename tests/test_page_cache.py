"""Caches for scale-out: the daily pages' shared part (daily.page_cache) and the radar feed's candidate
blocks (radar.feed, shared between processes). Both must show a new vote or paper at once and never
hand one reader's state to another."""

from __future__ import annotations

import os
import re
from datetime import date

import pytest
from django.core.cache import cache
from django.test import Client

from academichub.daily import page_cache
from academichub.daily.models import Pick
from academichub.radar import feed
from academichub.radar.tasks import warm_feed_candidates
from tests.daily_helpers import make_user, papers_on

pytestmark = pytest.mark.django_db
DAY = date(2026, 6, 30)
BUTTON = re.compile(r'<form class="vote"[^>]*action="/daily/vote/(\d+)/".*?</form>', re.S)


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    feed.clear_cache()
    yield
    cache.clear()
    feed.clear_cache()


def buttons(client: Client, url: str = "/") -> dict[int, str]:
    html = client.get(url).content.decode()
    assert "vote-slot" not in html and "\ue000" not in html
    return {int(m.group(1)): m.group(0) for m in BUTTON.finditer(html)}


def count_of(button: str) -> int:
    return int(re.search(r'class="vote-count">(\d+)<', button).group(1))


def csrf_client(user) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def test_a_vote_shows_at_once_and_only_its_reader_sees_it_as_theirs():
    paper, other = papers_on(DAY, count=2)
    ada, bob = make_user("ada"), make_user("bob")
    a, b = csrf_client(ada), csrf_client(bob)
    assert count_of(buttons(b)[paper.pk]) == 0  # bob's visit fills the shared cache
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', buttons(a)[paper.pk]).group(1)
    assert a.post(f"/daily/vote/{paper.pk}/", {"csrfmiddlewaretoken": token}).status_code == 302
    mine, theirs = buttons(a)[paper.pk], buttons(b)[paper.pk]
    assert count_of(mine) == count_of(theirs) == 1  # the count is never cached
    assert 'aria-pressed="true"' in mine and 'aria-pressed="false"' in theirs
    assert 'aria-pressed="false"' in buttons(a)[other.pk]
    # bob's buttons carry bob's CSRF token (ada's would be refused): his vote goes through
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', theirs).group(1)
    assert b.post(f"/daily/vote/{paper.pk}/", {"csrfmiddlewaretoken": token}).status_code == 302
    assert count_of(buttons(a)[paper.pk]) == 2


def test_the_shared_part_is_cached_and_a_new_paper_or_pick_shows_at_once(django_assert_max_num_queries):
    papers_on(DAY, count=3)
    client = Client()
    assert len(buttons(client, "/day/2026-06-30/")) == 3
    with django_assert_max_num_queries(3):  # newest id, counts, nothing else: no listing, no calendar
        assert len(buttons(client, "/day/2026-06-30/")) == 3
    (new,) = papers_on(DAY, count=1, start=50)
    assert new.pk in buttons(client, "/day/2026-06-30/")
    Pick.objects.create(day=DAY, paper=new, position=1, note="Read this first")
    assert "Read this first" in client.get("/day/2026-06-30/").content.decode()


def test_pages_are_cached_per_language():
    papers_on(DAY, count=1)
    client = Client()
    assert "Upvotes" in client.get("/day/2026-06-30/").content.decode()
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert "点赞" in client.get("/day/2026-06-30/").content.decode()


def test_a_cache_outage_only_costs_a_build(monkeypatch):
    papers_on(DAY, count=2)

    def down(*args, **kwargs):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(page_cache.cache, "get", down)
    monkeypatch.setattr(page_cache.cache, "set", down)
    assert len(buttons(Client(), "/day/2026-06-30/")) == 2


def test_candidate_blocks_are_shared_between_processes_and_follow_the_catalogue(monkeypatch):
    papers_on(DAY, count=3)
    assert warm_feed_candidates.call_local() == ["week", "day", "month"]  # the worker's warm-up
    built = []
    monkeypatch.setattr(feed, "build_candidates", lambda *a: built.append(a) or pytest.fail("rebuilt"))
    with feed._cache_lock:
        feed._cache.clear()  # another web process: empty memory, same shared cache
    start, end = feed.window_bounds("week")
    assert len(feed.candidates_for(start, end)) == 3 and not built
    monkeypatch.undo()
    papers_on(DAY, count=1, start=10)
    assert len(feed.candidates_for(start, end)) == 4  # a new paper changes the block's key


def test_the_feed_page_reads_the_radars_filters_once(django_assert_max_num_queries):
    from academichub.radar.chips import chips_for
    from academichub.radar.feed import followed_authors
    from academichub.radar.models import Radar

    papers_on(DAY, count=3, authors=["Ada Lovelace", "Alan Turing"])
    reader = make_user("mei")
    radar = Radar.objects.create(owner=reader, name="Agents", keywords="agent")
    client = Client()
    client.force_login(reader)
    client.post(f"/radars/{radar.pk}/chips/add/", {"kind": "author", "value": "Ada Lovelace"})
    assert [c.kind for c in chips_for(radar)].count("author") == 1 == len(followed_authors(radar))
    client.get(f"/radars/{radar.pk}/")  # builds the candidate block
    with django_assert_max_num_queries(15):  # 18 when the filters and the radar were read twice
        html = client.get(f"/radars/{radar.pk}/").content.decode()
    assert "Ada Lovelace" in html
    assert client.get(f"/radars/{radar.pk + 1}/").status_code == 404


def test_web_processes_cut_off_long_statements(monkeypatch):
    """`academichub serve` gives its processes a PostgreSQL statement timeout (libpq's PGOPTIONS)."""
    from academichub.commands import _limit_statements

    monkeypatch.delenv("PGOPTIONS", raising=False)
    monkeypatch.delenv("WEB_STATEMENT_TIMEOUT", raising=False)
    _limit_statements()
    assert os.environ["PGOPTIONS"] == "-c statement_timeout=15000"
    monkeypatch.setenv("PGOPTIONS", "-c work_mem=8MB")
    monkeypatch.setenv("WEB_STATEMENT_TIMEOUT", "2.5")
    _limit_statements()
    assert os.environ["PGOPTIONS"] == "-c work_mem=8MB -c statement_timeout=2500"
    monkeypatch.setenv("PGOPTIONS", "")
    monkeypatch.setenv("WEB_STATEMENT_TIMEOUT", "0")
    _limit_statements()
    assert os.environ["PGOPTIONS"] == ""
