"""Briefings of a radar: its own ranking over the window, only for its owner, by form, page, API and every week."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings as django_settings

from academichub.briefings import services
from academichub.briefings.models import Briefing
from academichub.papers.models import Paper
from academichub.radar import briefing_feed
from academichub.radar.feed import clear_cache, feed_for, mark_shown
from academichub.radar.models import Radar, Rating
from tests.test_briefing_app import LAST, alice, catalogue, setup, user  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db
WEEK = (LAST - timedelta(days=6), LAST)


@pytest.fixture(autouse=True)
def fresh_candidates():
    clear_cache()  # the feed caches candidate columns per window; each test has its own catalogue
    yield
    clear_cache()


@pytest.fixture
def radar(alice):
    return Radar.objects.create(owner=alice, name="Codes and games", categories=["cs.IT", "cs.GT"], keywords="channel")


@pytest.fixture
def bob():
    return user("bob")


def brief_radar(client, radar_id, **extra):
    data = {"scope_kind": "radar", "radar": radar_id, "window_kind": "week", "anchor": LAST.isoformat(),
            "language": "en", **extra}  # fmt: skip
    return client.post("/briefings/", data)


def test_the_setting_names_the_radar_feed():
    module, name = django_settings.BRIEFINGS_RADAR_FEED.split(":")
    assert (module, name) == ("academichub.radar.briefing_feed", "ranked_papers")


def test_ranked_papers_are_the_radars_own_ranking_of_the_window(radar, catalogue):
    papers = briefing_feed.ranked_papers(str(radar.pk), *WEEK)
    assert len(papers) >= 10 and len({p.pk for p in papers}) == len(papers)
    assert all(WEEK[0] <= p.announced <= WEEK[1] for p in papers)
    codes = {p.pk: set(p.paper_categories.values_list("category_id", flat=True)) for p in papers}
    assert all(codes[p.pk] & {"cs.IT", "cs.GT"} for p in papers)  # cs.RO is not this radar's
    # The feed page picks its batch (MMR) among the best of this same ranking.
    page = feed_for(radar, window="week", end=LAST, size=5, skip_seen=False)
    assert {i.paper.pk for i in page.items} <= {p.pk for p in papers[:25]}
    assert [p.pk for p in briefing_feed.ranked_papers(radar.pk, *WEEK, limit=3)] == [p.pk for p in papers[:3]]
    assert briefing_feed.ranked_papers("nope", *WEEK) == [] and briefing_feed.ranked_papers(radar.pk, None, None) == []
    assert briefing_feed.ranked_papers(radar.pk, LAST + timedelta(days=30), LAST + timedelta(days=36)) == []


def test_shown_papers_stay_and_disliked_ones_go(radar, catalogue):
    papers = briefing_feed.ranked_papers(radar.pk, *WEEK)
    mark_shown(radar, [papers[0].pk])  # the feed hides it; a briefing of the week still reads it
    Rating.objects.create(user=radar.owner, paper=papers[1], value=-1)
    after = [p.pk for p in briefing_feed.ranked_papers(radar.pk, *WEEK)]
    assert papers[0].pk in after and papers[1].pk not in after


def test_a_radar_briefing_by_form_is_grounded_in_the_radars_papers(client, radar, catalogue):
    assert radar.name in client.get("/briefings/").content.decode()  # the radar picker
    response = brief_radar(client, radar.pk)
    briefing = Briefing.objects.get()
    assert response.status_code == 302 and briefing.status == "done", briefing.error
    assert (briefing.scope_kind, briefing.scope_value) == ("radar", str(radar.pk))
    assert (briefing.window_start, briefing.window_end) == WEEK
    ranked = {p.pk for p in briefing_feed.ranked_papers(radar.pk, *WEEK)}
    assert briefing.citations and {c["paper_id"] for c in briefing.citations} <= ranked
    assert briefing.document["meta"]["previous_papers"] > 0
    page = client.get(f"/briefings/{briefing.pk}/").content.decode()
    assert "Codes and games" in page and f"/briefings/radar/{radar.pk}/" in page
    assert "Codes and games" in client.get("/briefings/").content.decode()


def test_a_radar_id_typed_as_the_value_works_too(client, radar, catalogue):
    response = client.post("/briefings/", {"scope_kind": "radar", "scope_value": str(radar.pk), "window_kind": "week",
                                           "anchor": LAST.isoformat(), "language": "zh-hans"})  # fmt: skip
    briefing = Briefing.objects.get()
    assert response.status_code == 302 and briefing.status == "done" and briefing.scope_value == str(radar.pk)
    assert "雷达“Codes and games”" in briefing.text  # the overview names the radar, not its id


def test_the_radar_page_briefs_its_week_and_lists_past_briefings(client, radar, catalogue):
    feed_page = client.get(f"/radars/{radar.pk}/").content.decode()
    assert f'action="/briefings/radar/{radar.pk}/"' in feed_page and "Brief this radar's week" in feed_page
    assert "No briefings of this radar yet." in client.get(f"/briefings/radar/{radar.pk}/").content.decode()
    response = client.post(f"/briefings/radar/{radar.pk}/", {"repeat_weekly": "on"})
    briefing = Briefing.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/briefings/{briefing.pk}/"
    assert briefing.status == "done" and (briefing.window_start, briefing.window_end) == WEEK and briefing.repeat_weekly
    listing = client.get(f"/briefings/radar/{radar.pk}/").content.decode()
    assert f'href="/briefings/{briefing.pk}/"' in listing and "2025-03-22 – 2025-03-28" in listing


def test_another_reader_never_gets_a_radar_that_is_not_theirs(client, radar, bob, catalogue):
    client.force_login(bob)
    assert "Codes and games" not in client.get("/briefings/").content.decode()
    bad = brief_radar(client, radar.pk)
    assert bad.status_code == 400 and "Select a valid choice" in bad.content.decode()
    typed = client.post("/briefings/", {"scope_kind": "radar", "scope_value": str(radar.pk), "window_kind": "week",
                                        "anchor": LAST.isoformat(), "language": "en"})  # fmt: skip
    assert typed.status_code == 400 and "You have no radar with this id" in typed.content.decode()
    assert client.get(f"/briefings/radar/{radar.pk}/").status_code == 404
    assert client.post(f"/briefings/radar/{radar.pk}/").status_code == 404
    api = client.post("/api/briefings/", {"scope": "radar", "value": radar.pk, "anchor": LAST.isoformat()},
                      content_type="application/json")  # fmt: skip
    assert api.status_code == 404 and api.json()["error"]["code"] == "not_found"
    assert not Briefing.objects.exists()


def test_a_stored_briefing_of_someone_elses_radar_is_never_written(radar, bob, catalogue):
    stolen = Briefing.objects.create(owner=bob, scope_kind="radar", scope_value=str(radar.pk), window_kind="week",
                                     window_start=WEEK[0], window_end=WEEK[1])  # fmt: skip
    services.generate(stolen)
    stolen.refresh_from_db()
    assert stolen.status == "failed" and "no radar with this id" in stolen.error and not stolen.citations


def test_the_api_briefs_your_radar(client, radar, catalogue):
    response = client.post("/api/briefings/", {"scope": "radar", "value": radar.pk, "window": "week",
                                               "anchor": LAST.isoformat(), "language": "zh"},
                           content_type="application/json")  # fmt: skip
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["status"] == "done" and body["scope"] == "radar" and body["value"] == str(radar.pk)
    ranked = {p.pk for p in briefing_feed.ranked_papers(radar.pk, *WEEK)}
    assert body["citations"] and {c["paper_id"] for c in body["citations"]} <= ranked and "## 概览" in body["markdown"]
    missing = client.post("/api/briefings/", {"scope": "radar", "value": "999999"}, content_type="application/json")
    assert missing.status_code == 404
    weekly = client.post("/api/briefings/", {"scope": "radar", "value": radar.pk, "anchor": LAST.isoformat(),
                                             "repeat_weekly": True}, content_type="application/json")  # fmt: skip
    assert weekly.status_code == 202 and weekly.json()["repeat_weekly"] is True
    listed = client.get("/api/briefings/", {"scope": "radar", "value": radar.pk}).json()["briefings"]
    assert [b["id"] for b in listed] == [weekly.json()["id"], body["id"]]
    assert client.get("/api/briefings/", {"scope": "category"}).json()["briefings"] == []


def test_weekly_briefings_repeat_a_radar_and_stop_when_it_is_deleted(client, radar, catalogue):
    from academichub.briefings.tasks import weekly_briefings

    brief_radar(client, radar.pk, repeat_weekly="on", anchor=(LAST - timedelta(days=7)).isoformat())
    assert weekly_briefings.call_local() == 1
    newest = Briefing.objects.order_by("-id").first()
    assert (newest.scope_kind, newest.scope_value, newest.status) == ("radar", str(radar.pk), "done"), newest.error
    assert (newest.window_start, newest.window_end) == WEEK and newest.citations
    assert weekly_briefings.call_local() == 0  # this week's is written already
    Briefing.objects.filter(pk=newest.pk).delete()
    radar.delete()
    assert weekly_briefings.call_local() == 0


def test_a_deleted_radar_fails_with_a_clear_message(radar, catalogue):
    briefing = Briefing.objects.create(owner=radar.owner, scope_kind="radar", scope_value=str(radar.pk),
                                       window_kind="week", window_start=WEEK[0], window_end=WEEK[1])  # fmt: skip
    radar.delete()
    services.generate(briefing)
    briefing.refresh_from_db()
    assert briefing.status == "failed" and "choose one of your radars" in briefing.error


def test_a_query_is_ranked_by_the_search_engine_within_the_window(catalogue):
    from academichub.search.engine import ranked_ids

    papers = services.query_papers("channel coding", *WEEK)
    window = {"after": (WEEK[0] - timedelta(days=14)).isoformat(), "before": (WEEK[1] + timedelta(days=1)).isoformat()}
    engine = [pid for pid in ranked_ids("channel coding", filters=window, depth=services.MAX_PAPERS)
              if WEEK[0] <= Paper.objects.get(pk=pid).announced <= WEEK[1]]  # fmt: skip
    assert papers and [p.pk for p in papers] == engine and all(WEEK[0] <= p.announced <= WEEK[1] for p in papers)
    first_day = [p for p in papers if p.announced == WEEK[0]]  # posted the day before the window: still in it
    assert first_day and all(p.published < WEEK[0] for p in first_day)
    top = (papers[0].title_text + papers[0].abstract_text).lower()
    assert "channel" in top or "coding" in top
    only_games = services.query_papers("cat:cs.GT equilibrium", *WEEK)
    assert only_games and all(p.paper_categories.filter(category_id="cs.GT").exists() for p in only_games)
    assert not [p for p in services.query_papers("channel coding", LAST + timedelta(days=1), LAST + timedelta(days=8))]


def test_radar_labels(radar):
    briefing = Briefing(owner=radar.owner, scope_kind="radar", scope_value=str(radar.pk), language="zh-hans")
    assert services.scope_label(briefing) == "雷达“Codes and games”"
    briefing.language = "en"
    assert services.scope_label(briefing) == "radar “Codes and games”"


def test_a_briefing_whose_worker_died_is_written_after_all(radar, catalogue):
    """kill -9 of the worker mid-briefing leaves it "running" with no job: the recovery job queues it again."""
    from django.utils import timezone

    from academichub.briefings.tasks import recover_briefings

    long_ago = timezone.now() - timedelta(hours=1)
    dead = Briefing.objects.create(owner=radar.owner, scope_kind="radar", scope_value=str(radar.pk),
                                   window_kind="week", window_start=WEEK[0], window_end=WEEK[1],
                                   status="running", progress="Clustering", heartbeat_at=long_ago)  # fmt: skip
    lost = Briefing.objects.create(owner=radar.owner, scope_kind="radar", scope_value=str(radar.pk),
                                   window_kind="week", window_start=WEEK[0], window_end=WEEK[1])  # fmt: skip
    Briefing.objects.filter(pk=lost.pk).update(created_at=long_ago)  # queued, then its job was lost
    alive = Briefing.objects.create(owner=radar.owner, scope_kind="radar", scope_value=str(radar.pk),
                                    window_kind="week", window_start=WEEK[0], window_end=WEEK[1],
                                    status="running", heartbeat_at=timezone.now())  # fmt: skip
    assert recover_briefings.call_local() == 2
    for briefing in (dead, lost):
        briefing.refresh_from_db()
        assert briefing.status == "done" and briefing.citations, briefing.error
    alive.refresh_from_db()
    assert alive.status == "running"  # its job is still writing it
    assert recover_briefings.call_local() == 0
