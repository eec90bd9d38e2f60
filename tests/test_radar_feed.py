"""The radar feed page: reasons, another batch, chips, ratings, windows (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from academichub.radar.chips import chips_for
from academichub.radar.feed import feed_for
from academichub.radar.models import FeedImpression, Radar, Rating, TasteModel
from tests.radar_support import DAY, add_paper, hashing_vectors  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def reader(django_user_model, client):
    user = django_user_model.objects.create_user("mei", "mei@example.org", "pw-radar-1234")
    client.force_login(user)
    return user


def shown_ids(response) -> list[int]:
    return [item.paper.pk for item in response.context["page"].items]


def make_radar(owner, **fields) -> Radar:
    return Radar.objects.create(owner=owner, name=fields.pop("name", "Agents"), **fields)


def test_feed_shows_reasons_and_the_reference_chip(client, reader):
    add_paper(1, "Iterative Tool Usage Exploration for Multimodal Agents", authors=["Chenrui Shi", "Yuwei Wu"],
              categories=["cs.CV"])  # fmt: skip
    add_paper(2, "Protein design", abstract="An agent designs proteins.", authors=["Chenrui Wu", "Ada Lovelace"],
              categories=["q-bio.BM"])  # fmt: skip
    radar = make_radar(reader, keywords="agent")
    client.post(reverse("radar:add_chip", args=[radar.pk]), {"kind": "author", "value": "Chenrui Wu"})
    response = client.get(reverse("radar:feed", args=[radar.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "matches “agent” in the title" in html and "matches “agent” in the abstract" in html
    assert "by Chenrui Wu, whom you follow" in html
    cards = html.split('class="card radar-card')
    assert "Protein design" in cards[1]        # author + keyword ranks first
    client.post(reverse("accounts:set_language"), {"language": "zh-hans", "next": "/"})
    html = client.get(reverse("radar:feed", args=[radar.pk])).content.decode()
    assert "作者: Chenrui Wu" in html and "换一批" in html and "Chenrui Wu（您关注的作者）" in html


def test_another_batch_never_repeats_until_exhausted_then_says_so(client, reader):
    for n in range(1, 26):
        add_paper(n, f"Agent study {n}", abstract=f"topic {n} " * 3, day=DAY - timedelta(days=n % 5))
    radar = make_radar(reader, keywords="agent")
    url, more = reverse("radar:feed", args=[radar.pk]), reverse("radar:more", args=[radar.pk])
    seen: list[int] = []
    for expected in (10, 10, 5):
        response = client.get(url)
        batch = shown_ids(response)
        assert len(batch) == expected and not set(batch) & set(seen)
        assert response.context["page"].remaining == 25 - len(seen) - expected
        seen += batch
        assert client.post(more, {"shown": batch}).status_code == 302     # no-JS: redirect back
    response = client.get(url)
    assert shown_ids(response) == [] and response.context["page"].exhausted
    assert "You have seen every matching paper in this window" in response.content.decode()
    assert sorted(seen) == sorted(FeedImpression.objects.filter(radar=radar).values_list("paper_id", flat=True))
    assert sorted(FeedImpression.objects.values_list("batch", flat=True).distinct()) == [1, 2, 3]
    response = client.post(reverse("radar:reset", args=[radar.pk]), **HTMX)
    assert len(shown_ids(response)) == 10 and FeedImpression.objects.count() == 0


def test_another_batch_in_place_with_htmx_and_never_on_get(client, reader):
    for n in range(1, 16):
        add_paper(n, f"Agent paper {n}")
    radar = make_radar(reader, keywords="agent")
    first = shown_ids(client.get(reverse("radar:feed", args=[radar.pk])))
    response = client.post(reverse("radar:more", args=[radar.pk]), {"shown": first}, **HTMX)
    assert response.status_code == 200 and response.templates[0].name == "radar/_feed.html"
    assert 'id="radar-feed"' in response.content.decode() and "<html" not in response.content.decode()
    assert len(shown_ids(response)) == 5 and not set(first) & set(shown_ids(response))
    assert client.get(reverse("radar:more", args=[radar.pk])).status_code == 405
    assert client.get(reverse("radar:rate", args=[radar.pk, first[0]])).status_code == 405


def test_removing_a_chip_changes_the_feed(client, reader):
    add_paper(1, "Graph agents", authors=["Chenrui Wu"], categories=["cs.AI"])
    add_paper(2, "Vision transformers", authors=["Ada Lovelace"], categories=["cs.CV"])
    add_paper(3, "Speech", authors=["Grace Hopper"], categories=["cs.SD"])
    radar = make_radar(reader, keywords="transformer", categories=["cs.AI"])
    client.post(reverse("radar:add_chip", args=[radar.pk]), {"kind": "author", "value": "Chenrui Wu"})
    client.post(reverse("radar:add_chip", args=[radar.pk]), {"kind": "exclude", "value": "speech"})
    radar.refresh_from_db()
    kinds = [(c.kind, c.text) for c in chips_for(radar)]
    assert kinds == [("keyword", "transformer"), ("exclude", "speech"), ("author", "Chenrui Wu"), ("category", "cs.AI")]
    url = reverse("radar:feed", args=[radar.pk])
    titles = lambda r: sorted(i.paper.title_text for i in r.context["page"].items)  # noqa: E731
    assert titles(client.get(url)) == ["Graph agents", "Vision transformers"]
    followed = radar.followed.get()
    response = client.post(reverse("radar:remove_chip", args=[radar.pk]), {"kind": "author", "value": str(followed.pk)}, **HTMX)
    assert titles(response) == ["Graph agents", "Vision transformers"]       # still in cs.AI
    response = client.post(reverse("radar:remove_chip", args=[radar.pk]), {"kind": "category", "value": "cs.AI"}, **HTMX)
    assert titles(response) == ["Vision transformers"]
    assert "Author: Chenrui Wu" not in response.content.decode()
    response = client.post(reverse("radar:remove_chip", args=[radar.pk]), {"kind": "keyword", "value": "transformer"})
    assert response.status_code == 302
    radar.refresh_from_db()
    assert radar.keywords == "-speech" and radar.categories == []
    # no constraint left but an exclusion: every paper but the excluded one
    assert titles(client.get(url)) == ["Graph agents", "Vision transformers"]


def test_adding_a_bad_filter_explains_instead_of_crashing(client, reader):
    radar = make_radar(reader, keywords="agent")
    response = client.post(reverse("radar:add_chip", args=[radar.pk]), {"kind": "category", "value": "cs.NOPE"}, **HTMX)
    assert response.status_code == 200 and "is not a category" in response.content.decode()
    response = client.post(reverse("radar:add_chip", args=[radar.pk]), {"kind": "author", "value": "Nobody Atall"}, follow=True)
    assert "No author named" in response.content.decode()
    response = client.post(reverse("radar:rate", args=[radar.pk, 999999]), {"value": "1"})
    assert response.status_code == 404


def test_window_day_week_month(client, reader):
    add_paper(1, "Agent today", day=DAY)
    add_paper(2, "Agent last week", day=DAY - timedelta(days=5))
    add_paper(3, "Agent last month", day=DAY - timedelta(days=20))
    radar = make_radar(reader, keywords="agent")
    url = reverse("radar:feed", args=[radar.pk])
    count = lambda window: len(shown_ids(client.get(url, {"window": window})))  # noqa: E731
    assert (count("day"), count("week"), count("month"), count("bogus")) == (1, 2, 3, 2)


def test_thumbs_down_drops_similar_papers_and_learning_takes_over(client, reader, hashing_vectors):
    web = [add_paper(n, f"Agent for web browsing {n}", abstract="browser web pages clicks navigation web agent")
           for n in range(1, 7)]  # fmt: skip
    robots = [add_paper(n, f"Agent for robot grasping {n}", abstract="robot arm grasping objects manipulation agent")
              for n in range(7, 13)]  # fmt: skip
    radar = make_radar(reader, keywords="agent")
    url = reverse("radar:feed", args=[radar.pk])
    rate = lambda paper, value: client.post(reverse("radar:rate", args=[radar.pk, paper.pk]), {"value": value}, **HTMX)  # noqa: E731
    response = rate(web[0], "-1")
    order = shown_ids(response)
    assert web[0].pk not in order                                     # a disliked paper leaves the feed
    assert set(order[:6]) == {p.pk for p in robots}                   # its look-alikes sink below the rest
    for paper in robots[:4]:
        rate(paper, "-1")
    for paper in web[1:5]:
        rate(paper, "1")
    assert TasteModel.objects.filter(user=reader).exists()
    page = client.get(url).context["page"]
    assert page.learned
    order = [i.paper.pk for i in page.items]
    assert set(order[-2:]) == {robots[4].pk, robots[5].pk}            # the unrated robot papers come last
    assert order.index(web[5].pk) < order.index(robots[4].pk)         # the unrated web paper rises above them
    assert any("fits your ratings" in r for r in page.items[0].reasons)
    rate(web[1], "0")
    assert Rating.objects.filter(user=reader).count() == 8


def test_feed_for_is_the_one_entry_point_and_reads_no_state(reader):
    add_paper(1, "Agent one")
    radar = make_radar(reader, keywords="agent")
    before = FeedImpression.objects.count()
    page = feed_for(radar)
    assert [i.paper.title_text for i in page.items] == ["Agent one"] and FeedImpression.objects.count() == before
    assert page.items[0].reasons == ["matches “agent” in the title", "new on the latest day"]
