"""The day, week and month pages, curated picks, organisation pages and the JSON API."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from academichub.daily import organizations, votes
from academichub.daily.models import PaperOrganization, PaperStats, Pick
from tests.daily_helpers import make_user, papers_on

pytestmark = pytest.mark.django_db
MON, TUE, WED = date(2026, 6, 29), date(2026, 6, 30), date(2026, 7, 1)
ABSTRACT = ("Large models have shown great promise. However, they are slow. "
            "We propose FastThing, a method that makes them $10\\times$ faster.")  # fmt: skip


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()


def cards(html: str) -> list[str]:
    return re.findall(r'<article class="card" id="(paper-\d+)"', html)


def test_a_card_shows_rank_badge_date_authors_count_org_upvotes_and_tldr(client):
    authors = ["Ada Lovelace", "Alan Turing", "Grace Hopper", "Edsger Dijkstra", "Barbara Liskov", "Donald Knuth"]
    (paper,) = papers_on(TUE, count=1, abstract=ABSTRACT, authors=authors, categories=["cs.CV", "cs.LG"])
    organizations.attach(paper.pk, ["Università di Trieste"], PaperOrganization.Source.AFFILIATION)
    votes.toggle(make_user("ada"), paper.pk)
    html = client.get("/day/2026-06-30/").content.decode()
    card = html[html.index('<article class="card"'):html.index("</article>")]
    assert '<span class="num">01.</span>' in card
    assert '<span class="badge">arXiv (cs.CV)</span>' in card
    assert '<time datetime="2026-06-30">2026-06-30</time>' in card
    assert "Ada Lovelace, Alan Turing, Grace Hopper, Edsger Dijkstra …" in card and "6 authors" in card
    assert '<a class="org" href="/org/universita-di-trieste/">Università di Trieste</a>' in card
    assert '<span class="vote-count">1</span>' in card
    assert "<strong>TL;DR</strong> We propose FastThing, a method that makes them $10\\times$ faster." in card


def test_day_navigation_tabs_and_calendar(client):
    papers_on(MON, count=2)
    papers_on(WED, count=3, start=10)
    html = client.get("/day/2026-07-01/").content.decode()
    assert 'rel="prev" href="/day/2026-06-29/"' in html and 'rel="next"' not in html  # skips the empty Tuesday
    assert 'href="/week/2026-W27/"' in html and 'href="/month/2026-07/"' in html
    assert '<td class="current" aria-current="date"><a href="/day/2026-07-01/"' in html
    assert 'action="/jump/"' in html
    assert client.get("/jump/?date=2026-06-29").headers["Location"] == "/day/2026-06-29/"
    assert client.get("/jump/?date=someday").status_code == 400
    assert len(cards(client.get("/").content.decode())) == 3  # today = the latest day


def test_week_and_month_pages_list_their_papers_with_navigation(client):
    papers_on(date(2026, 6, 26), count=1, start=1)  # Friday of week 26
    papers_on(MON, count=2, start=10)
    papers_on(WED, count=2, start=20)
    week = client.get("/week/2026-W27/").content.decode()
    assert len(cards(week)) == 4 and "2026-W27 (06-29 – 07-05)" in week
    assert 'rel="prev" href="/week/2026-W26/"' in week and 'rel="next"' not in week
    month = client.get("/month/2026-06/").content.decode()
    assert len(cards(month)) == 3 and 'rel="next" href="/month/2026-07/"' in month
    assert len(cards(client.get("/month/2026-07/").content.decode())) == 2


@pytest.mark.parametrize("url, hint", [("/day/2026-13-01/", "YYYY-MM-DD"), ("/week/2026-27/", "YYYY-Www"),
                                       ("/month/June/", "YYYY-MM")])  # fmt: skip
def test_bad_periods_are_clear_400_pages(client, url, hint):
    papers_on(TUE, count=1)
    response = client.get(url)
    assert response.status_code == 400 and hint in response.content.decode()


def test_sorting_by_trending_upvotes_and_newest(client):
    first, second, third = papers_on(TUE, count=3)
    readers = [make_user(f"r{n}") for n in range(3)]
    for reader in readers:
        votes.toggle(reader, third.pk)
    votes.toggle(readers[0], second.pk)
    PaperStats.objects.create(paper=first, trending=5.0)  # as if the periodic task had scored it
    order = lambda sort: cards(client.get(f"/day/2026-06-30/?sort={sort}").content.decode())  # noqa: E731
    ids = lambda *papers: [f"paper-{p.pk}" for p in papers]  # noqa: E731
    assert order("upvotes") == ids(third, second, first)
    assert order("newest") == ids(third, second, first)  # same day: the latest stored first
    assert order("trending") == ids(first, third, second)  # score first, then points
    assert order("nonsense") == order("trending")


def test_curated_daily_comes_first_with_the_curators_order_and_notes(client):
    papers = papers_on(TUE, count=4)
    curator = make_user("editor", staff=True)
    Pick.objects.create(day=TUE, paper=papers[3], position=2, note="Clever trick.", curator=curator)
    Pick.objects.create(day=TUE, paper=papers[1], position=1, note="Read this first.", curator=curator)
    html = client.get("/day/2026-06-30/").content.decode()
    curated, community = html.split('<h2 class="community">')
    assert "Curated Daily" in curated
    assert cards(curated) == [f"paper-{papers[1].pk}", f"paper-{papers[3].pk}"]
    assert "Read this first." in curated and curated.index("Read this first.") < curated.index("Clever trick.")
    assert cards(community) == [f"paper-{papers[0].pk}", f"paper-{papers[2].pk}"]  # picks are not repeated
    assert "4 papers" in html


def test_curators_pick_order_and_annotate_on_their_page(client):
    papers = papers_on(TUE, count=3)
    client.force_login(make_user("editor", staff=True))
    page = client.get("/daily/curate/2026-06-30/")
    assert page.status_code == 200 and papers[0].title_text in page.content.decode()
    client.post("/daily/curate/2026-06-30/", {"add": papers[2].arxiv_id, "add_note": "Best of the day."})
    client.post("/daily/curate/2026-06-30/", {"add": str(papers[0].pk)})
    picks = list(Pick.objects.filter(day=TUE))
    assert [(p.paper_id, p.position, p.note) for p in picks] == [(papers[2].pk, 1, "Best of the day."),
                                                                 (papers[0].pk, 2, "")]  # fmt: skip
    first, second = picks
    client.post("/daily/curate/2026-06-30/", {f"position-{first.pk}": "5", f"position-{second.pk}": "1",
                                              f"note-{second.pk}": "Now first."})  # fmt: skip
    assert list(Pick.objects.filter(day=TUE).values_list("paper_id", "position", "note")) == [
        (papers[0].pk, 1, "Now first."), (papers[2].pk, 2, "Best of the day.")]
    response = client.post("/daily/curate/2026-06-30/", {"add": "2601.99999"}, follow=True)
    assert "submit it first" in response.content.decode()
    client.post("/daily/curate/2026-06-30/", {f"remove-{first.pk}": "1"})
    assert list(Pick.objects.values_list("paper_id", flat=True)) == [papers[0].pk]


def test_only_curators_may_curate(client):
    papers_on(TUE, count=1)
    assert client.get("/daily/curate/2026-06-30/").status_code == 302  # to sign in
    client.force_login(make_user("reader"))
    assert client.get("/daily/curate/2026-06-30/").status_code == 403
    assert client.post("/daily/curate/2026-06-30/", {"add": "1"}).status_code == 403
    assert not Pick.objects.exists()


def test_curators_can_pick_in_the_admin(client):
    (paper,) = papers_on(TUE, count=1)
    client.force_login(_superuser())
    response = client.post("/admin/daily/pick/add/", {"day": "2026-06-30", "paper": paper.pk, "position": 1,
                                                      "note": "From the admin."})  # fmt: skip
    assert response.status_code == 302
    pick = Pick.objects.get()
    assert pick.note == "From the admin." and pick.curator.username == "root"
    assert client.get("/admin/daily/pick/").status_code == 200


def _superuser():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_superuser("root", "root@example.org", None)


def test_organisation_pages_list_their_papers(client):
    papers = papers_on(TUE, count=3)
    for paper in papers[:2]:
        organizations.attach(paper.pk, ["Google DeepMind"], PaperOrganization.Source.HUGGING_FACE)
    html = client.get("/org/google-deepmind/").content.decode()
    assert "<h1>Google DeepMind</h1>" in html and "2 papers" in html
    assert sorted(cards(html)) == sorted(f"paper-{p.pk}" for p in papers[:2])
    assert client.get("/org/nobody/").status_code == 404


def test_submitted_by_is_shown(client):
    from academichub.daily.models import Submission

    (paper,) = papers_on(TUE, count=1)
    Submission.objects.create(paper=paper, user=make_user("hui"), identifier=paper.arxiv_id)
    assert "Submitted by hui" in client.get("/day/2026-06-30/").content.decode()


def test_the_page_is_translated(client):
    papers = papers_on(TUE, count=1)
    Pick.objects.create(day=TUE, paper=papers[0], position=1, note="Nice.")
    client.cookies["django_language"] = "zh-hans"
    html = client.get("/day/2026-06-30/").content.decode()
    for text in ("每日精选", "订阅每日热门论文", "热门", "点赞", "最新", "日历", "提交论文"):
        assert text in html, text


def test_a_page_costs_a_constant_number_of_queries(client):
    for day, count in ((MON, 3), (TUE, 40)):
        papers = papers_on(day, count=count, start=1 if day == MON else 101)
        for paper in papers[:3]:
            organizations.attach(paper.pk, ["MIT"], PaperOrganization.Source.AFFILIATION)
        Pick.objects.create(day=day, paper=papers[-1], position=1)
    client.force_login(make_user("ada"))
    client.get("/")  # the first request of a session creates the reader's profile
    counted, cached = {}, {}
    for url in ("/day/2026-06-29/", "/day/2026-06-30/", "/week/2026-W27/"):
        cache.clear()  # the shared part is built (daily.page_cache) ...
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counted[url] = len(queries.captured_queries)
        with CaptureQueriesContext(connection) as queries:  # ... then read from the cache
            assert client.get(url).status_code == 200
        cached[url] = len(queries.captured_queries)
    assert counted["/day/2026-06-29/"] == counted["/day/2026-06-30/"] <= 15
    assert counted["/week/2026-W27/"] <= 15
    assert set(cached.values()) == {5}, cached  # the reader (user, profile), newest id, counts, own votes


# -- JSON -------------------------------------------------------------------------------------


def test_api_day_week_month_and_trending(client):
    papers = papers_on(TUE, count=3, abstract=ABSTRACT)
    Pick.objects.create(day=TUE, paper=papers[2], position=1, note="Pick.")
    votes.toggle(make_user("ada"), papers[1].pk)
    body = client.get("/api/daily/day/2026-06-30?sort=upvotes").json()
    assert body["total"] == 3 and body["period"] == "2026-06-30"
    assert [c["id"] for c in body["curated"]] == [papers[2].pk] and body["curated"][0]["note"] == "Pick."
    assert [c["id"] for c in body["papers"]] == [papers[1].pk, papers[0].pk]
    assert body["papers"][0]["upvotes"] == 1 and body["papers"][0]["tldr"].startswith("We propose FastThing")
    assert body["papers"][0]["rank"] == 1 and body["papers"][0]["source"] == "arXiv (cs.DS)"
    assert client.get("/api/daily/week/2026-W27").json()["total"] == 3
    assert client.get("/api/daily/month/2026-06").json()["total"] == 3
    trending_now = client.get("/api/daily/trending?limit=5")
    assert trending_now.status_code == 200 and isinstance(trending_now.json(), list)


@pytest.mark.parametrize("url, status, code", [
    ("/api/daily/day/2026-13-40", 422, "bad_period"), ("/api/daily/year/2026", 404, "not_found"),
    ("/api/daily/day/2026-06-30?sort=best", 422, "bad_sort"), ("/api/daily/day/2026-06-30?page=9", 404, "no_such_page"),
    ("/api/daily/trending?limit=0", 422, "bad_limit"),
])  # fmt: skip
def test_api_errors_have_one_shape(client, url, status, code):
    papers_on(TUE, count=1)
    response = client.get(url)
    assert response.status_code == status and response.json()["error"]["code"] == code
