"""Delivery of radars, briefings and searches: private feeds (feedparser, bozo == 0, entries as on
the page), saved searches, the radar's delivery settings, tokens on the radar and briefing APIs,
webhooks per radar and per briefing (a real local HTTP server), and citation exports."""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta, timezone

import bibtexparser
import feedparser
import pytest
import rispy
from bibtexparser.middlewares import LatexDecodingMiddleware
from huey.contrib.djhuey import HUEY

from academichub.briefings.models import Briefing
from academichub.delivery import announce, digests, tokens
from academichub.delivery.digest_models import BriefingWebhook, RadarDelivery, SavedSearch
from academichub.delivery.webhook_models import Webhook
from academichub.papers.models import Paper
from academichub.radar.feed import save_paper
from academichub.radar.models import FeedImpression, Radar
from tests.delivery_helpers import Receiver, make_user, own_cache  # noqa: F401 (fixture)
from tests.radar_support import add_paper, hashing_vectors  # noqa: F401 (fixture)
from tests.test_delivery_feeds import check_atom, check_rss

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_cache", "hashing_vectors")]
DAY = date(2026, 6, 12)


@pytest.fixture
def papers():
    made = [add_paper(n, f"Graph neural networks for chemistry {n}", day=DAY,
                      abstract=f"We propose graph model {n} for molecules.") for n in range(1, 6)]  # fmt: skip
    made += [add_paper(n, f"Sorting networks {n}", day=DAY) for n in range(6, 9)]
    return made


@pytest.fixture
def owner(client):
    user = make_user("mei", "mei@example.org")
    client.force_login(user)
    return user


def fetch(client, url: str):
    response = client.get(url)
    assert response.status_code == 200, url
    parsed = feedparser.parse(response.content)
    assert parsed.bozo == 0, (url, parsed.get("bozo_exception"))
    (check_rss if url.endswith(".rss") else check_atom)(response.content)
    return parsed


def entry_ids(parsed) -> list[int]:
    paths = [re.search(r"/paper/([^/]+)$", e.link).group(1) for e in parsed.entries]
    return [Paper.objects.get(arxiv_id=p).pk for p in paths]


# -- radar feed ----------------------------------------------------------------------------------


def test_radar_feed_is_private_and_lists_the_radar_page(client, owner, papers):
    radar = Radar.objects.create(owner=owner, name="Graphs", keywords="graph", window="week")
    page = client.get(f"/radars/{radar.pk}/edit/").content.decode()
    assert "Create a private feed link" in page and "/feeds/radar/" not in page  # GET made nothing
    assert not RadarDelivery.objects.exists()
    assert client.get(f"/radars/{radar.pk}/feed-link/").status_code == 405
    client.post(f"/radars/{radar.pk}/feed-link/", {"action": "new"})
    token = RadarDelivery.objects.get(radar=radar).feed_token
    page = client.get(f"/radars/{radar.pk}/edit/").content.decode()
    assert f"/feeds/radar/{token}.rss" in page and f"/feeds/radar/{token}.atom" in page
    on_page = [item.paper.pk for item in client.get(f"/radars/{radar.pk}/").context["page"].items]
    assert len(on_page) == 5
    client.logout()  # feed readers have no session
    for fmt in ("rss", "atom"):
        parsed = fetch(client, f"/feeds/radar/{token}.{fmt}")
        assert entry_ids(parsed) == on_page
        assert parsed.feed.title == "AcademicHub radar: Graphs"
    FeedImpression.objects.create(radar=radar, paper_id=on_page[0], batch=1)  # seen on the page: still in the feed
    assert entry_ids(fetch(client, f"/feeds/radar/{token}.rss")) == on_page
    client.force_login(owner)
    client.post(f"/radars/{radar.pk}/feed-link/", {"action": "new"})
    assert client.get(f"/feeds/radar/{token}.rss").status_code == 404  # a new link revokes the old one
    client.post(f"/radars/{radar.pk}/feed-link/", {"action": "stop"})
    assert RadarDelivery.objects.get(radar=radar).feed_token is None


def test_another_readers_radar_settings_are_404(client, owner, papers):
    other = Radar.objects.create(owner=make_user("zed", "zed@example.org"), name="Zed's")
    assert client.post(f"/radars/{other.pk}/feed-link/", {"action": "new"}).status_code == 404
    assert client.post(f"/radars/{other.pk}/delivery/", {"frequency": "day", "hour": "7"}).status_code == 404
    assert client.get(f"/radars/{other.pk}/saved.bib").status_code == 404
    assert client.get("/feeds/radar/no-such-token.rss").status_code == 404


def test_delivery_settings_are_saved_from_the_radar_edit_page(client, owner):
    radar = Radar.objects.create(owner=owner, name="Graphs", keywords="graph")
    mine = Webhook.objects.create(owner=owner, name="Lab Slack", kind="slack", url="https://hooks.slack.com/x")
    theirs = Webhook.objects.create(owner=make_user("zed", "zed@example.org"), name="Zed", kind="slack",
                                    url="https://hooks.slack.com/y")  # fmt: skip
    page = client.get(f"/radars/{radar.pk}/edit/").content.decode()
    assert "Lab Slack" in page and "Zed" not in page and 'name="notify_empty"' in page
    response = client.post(f"/radars/{radar.pk}/delivery/", {"frequency": "week", "hour": "18", "notify_empty": "on",
                                                             "webhook": str(mine.pk)}, follow=True)  # fmt: skip
    assert "Delivery settings saved." in response.content.decode()
    options = RadarDelivery.objects.get(radar=radar)
    assert (options.hour, options.notify_empty, options.webhook) == (18, True, mine)
    assert Radar.objects.get(pk=radar.pk).email_frequency == "week"
    bad = client.post(f"/radars/{radar.pk}/delivery/", {"frequency": "hourly", "hour": "25", "webhook": str(theirs.pk)},
                      follow=True)  # fmt: skip
    assert "Delivery settings not saved" in bad.content.decode()
    assert RadarDelivery.objects.get(radar=radar).webhook == mine  # unchanged


# -- saved searches ------------------------------------------------------------------------------


def test_a_search_is_saved_from_the_search_page_and_its_feed_lists_the_page(client, owner, papers):
    page = client.get("/search", {"q": "graph molecules", "sort": "date"}).content.decode()
    assert "Save this search" in page
    client.post("/searches/save/", {"q": "graph molecules", "sort": "date", "category": "cs.CL", "name": "GNN"})
    saved = SavedSearch.objects.get(user=owner)
    assert (saved.name, saved.query, saved.filters, saved.sort) == ("GNN", "graph molecules", {"category": "cs.CL"}, "date")
    listing = client.get("/settings/searches/").content.decode()
    assert f"/feeds/search/{saved.feed_token}.rss" in listing
    shown = [hit.paper.pk for hit in client.get("/search", {"q": "graph molecules", "category": "cs.CL", "sort": "date"})
             .context["result"].hits]  # fmt: skip
    assert len(shown) == 5
    client.logout()
    for fmt in ("rss", "atom"):
        assert entry_ids(fetch(client, f"/feeds/search/{saved.feed_token}.{fmt}")) == shown
    assert client.get("/search", {"q": "graph"}).content.decode().count("Save this search") == 0  # signed out
    client.force_login(owner)
    assert client.post("/searches/save/", {"q": "  "}).status_code == 400
    client.post(f"/settings/searches/{saved.pk}/delete/")
    assert client.get(f"/feeds/search/{saved.feed_token}.rss").status_code == 404


def test_trending_feed_lists_the_trending_page(client):
    from django.utils import timezone as dj_timezone

    from academichub.daily import scores, votes

    today = dj_timezone.now().date()  # the trending page's window ends now
    recent = [add_paper(n, f"Trending topic {n}", day=today - timedelta(days=n % 2)) for n in range(1, 5)]
    votes.toggle(make_user("ada", "ada@example.org"), recent[2].pk)
    scores.recompute()
    page = client.get("/trending/").content.decode()
    on_page = list(dict.fromkeys(int(pk) for pk in re.findall(r'id="paper-(\d+)"', page)))
    assert len(on_page) == 4 and on_page[0] == recent[2].pk  # the upvoted paper leads
    for fmt in ("rss", "atom"):
        assert entry_ids(fetch(client, f"/feeds/trending.{fmt}")) == on_page


# -- the radar and briefing APIs with personal access tokens ---------------------------------------


def test_radar_and_briefing_apis_take_a_token_and_another_users_token_gets_404(client, papers):
    mei, zed = make_user("mei", "mei@example.org"), make_user("zed", "zed@example.org")
    _row, mine = tokens.issue(mei, "script")
    _row, theirs = tokens.issue(zed, "script")
    as_mei, as_zed = {"HTTP_AUTHORIZATION": f"Bearer {mine}"}, {"HTTP_AUTHORIZATION": f"Bearer {theirs}"}
    created = client.post("/api/radars", json.dumps({"name": "Graphs", "keywords": "graph"}),
                          content_type="application/json", **as_mei)  # fmt: skip
    assert created.status_code == 201, created.content
    radar_id = created.json()["id"]
    assert client.get(f"/api/radars/{radar_id}", **as_mei).json()["name"] == "Graphs"
    assert len(client.get(f"/api/radars/{radar_id}/feed", **as_mei).json()["items"]) == 5
    for url in (f"/api/radars/{radar_id}", f"/api/radars/{radar_id}/feed"):
        response = client.get(url, **as_zed)
        assert response.status_code == 404 and response.json()["error"]["code"]
    assert client.get("/api/radars", **as_zed).json() == []
    assert client.get("/api/radars").status_code == 401  # neither token nor session
    assert client.get("/api/radars", HTTP_AUTHORIZATION="Bearer ahp_not-a-token").status_code == 401
    briefing = Briefing.objects.create(owner=mei, scope_kind="category", scope_value="cs.CL", status="done")
    assert client.get(f"/api/briefings/{briefing.pk}", **as_mei).json()["id"] == briefing.pk
    assert [b["id"] for b in client.get("/api/briefings/", **as_mei).json()["briefings"]] == [briefing.pk]
    assert client.get(f"/api/briefings/{briefing.pk}", **as_zed).status_code == 404
    assert client.get("/api/briefings/", **as_zed).json()["briefings"] == []


# -- webhooks per radar and per briefing -------------------------------------------------------------


@pytest.fixture
def receiver(settings):
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    settings.SITE_URL = "https://hub.example.org"
    HUEY.immediate = True
    with Receiver() as server:
        yield server
    HUEY.immediate = False


def test_a_radars_new_papers_are_posted_to_its_webhook_once_per_period(receiver, papers, django_capture_on_commit_callbacks):
    owner = make_user("mei", "mei@example.org")
    hook = Webhook.objects.create(owner=owner, name="lab", kind="generic", url=receiver.url("/radar"), secret="whsec_t")
    radar = Radar.objects.create(owner=owner, name="Graphs", keywords="graph", email_enabled=False)
    RadarDelivery.objects.create(radar=radar, webhook=hook)
    now = datetime(2026, 6, 12, 12, tzinfo=timezone.utc)
    Radar.objects.filter(pk=radar.pk).update(created_at=now - timedelta(days=9))
    with django_capture_on_commit_callbacks(execute=True):
        run = digests.send_due(now=now)
    assert run.skipped == 1  # no email wanted, the webhook still gets the papers
    (request,) = receiver.received
    body = json.loads(request.body)
    assert body["event"] == "radar" and body["title"].startswith("“Graphs”: 5 new papers")
    assert sorted(item["title"] for item in body["items"]) == sorted(p.title_text for p in papers[:5])
    assert all(item["url"].startswith("https://hub.example.org/paper/") and item["reason"] for item in body["items"])
    with django_capture_on_commit_callbacks(execute=True):
        digests.send_due(now=now + timedelta(hours=1))
        digests.deliver(Radar.objects.get(pk=radar.pk), digests.period_of(radar_digest(radar)), now=now)
    assert len(receiver.received) == 1  # same period: never posted twice


def radar_digest(radar):
    from academichub.delivery.digest_models import Digest

    return Digest.objects.get(radar=radar)


def finished_briefing(owner, **fields) -> Briefing:
    paper = Paper.objects.order_by("id").first()
    return Briefing.objects.create(
        owner=owner, scope_kind="category", scope_value="cs.CL", status="done", window_start=DAY, window_end=DAY,
        document={"sections": [{"kind": "overview", "title": "Overview",
                                "sentences": [{"text": "Graph models dominate this week [1].", "cites": [1]}]}]},
        citations=[{"n": 1, "paper_id": paper.pk, "arxiv_id": paper.arxiv_id, "title": paper.title_text,
                    "url": f"/paper/{paper.arxiv_id}"}], **fields)  # fmt: skip


def test_a_briefing_is_posted_to_the_chosen_webhook(client, owner, receiver, papers, django_capture_on_commit_callbacks):
    hook = Webhook.objects.create(owner=owner, name="Team chat", kind="slack", url=receiver.url("/services/T/B/x"))
    briefing = finished_briefing(owner)
    page = client.get(f"/briefings/{briefing.pk}/").content.decode()
    assert "Team chat" in page and f"/briefings/{briefing.pk}/citations.bib" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/briefings/{briefing.pk}/webhook/", {"webhook": str(hook.pk)})
    (request,) = receiver.received
    slack = json.loads(request.body)
    assert slack["text"].startswith("Briefing: cs.CL") and "Graph models dominate this week." in request.body.decode()
    assert f"https://hub.example.org/briefings/{briefing.pk}/" in request.body.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/briefings/{briefing.pk}/webhook/", {"webhook": str(hook.pk)})
        announce.post_finished_briefings()
    assert len(receiver.received) == 1  # once per briefing
    other = Webhook.objects.create(owner=make_user("zed", "zed@example.org"), name="x", kind="slack", url=receiver.url())
    assert client.post(f"/briefings/{briefing.pk}/webhook/", {"webhook": str(other.pk)}).status_code == 400


def test_a_briefing_still_being_written_is_posted_when_it_finishes(client, owner, receiver, papers,
                                                                  django_capture_on_commit_callbacks):  # fmt: skip
    hook = Webhook.objects.create(owner=owner, name="generic", kind="generic", url=receiver.url("/b"), secret="whsec_x")
    briefing = finished_briefing(owner, repeat_weekly=True)
    Briefing.objects.filter(pk=briefing.pk).update(status="running")
    client.post(f"/briefings/{briefing.pk}/webhook/", {"webhook": str(hook.pk)})
    assert receiver.received == []
    briefing.refresh_from_db()
    briefing.status = "done"
    with django_capture_on_commit_callbacks(execute=True):
        assert announce.briefing_finished(briefing) == 1  # what the briefing job calls when it ends
    body = json.loads(receiver.received[0].body)
    assert body["event"] == "briefing" and body["intro"] == "Graph models dominate this week."
    assert body["items"][0]["url"].startswith("https://hub.example.org/paper/")
    next_week = finished_briefing(owner, repeat_weekly=True)  # the weekly repeat goes to the same place
    with django_capture_on_commit_callbacks(execute=True):
        announce.briefing_finished(next_week)
    assert len(receiver.received) == 2 and BriefingWebhook.objects.count() == 1


# -- exports -----------------------------------------------------------------------------------------


def parse_bibtex(text: str):
    return bibtexparser.parse_string(text, append_middleware=[LatexDecodingMiddleware()])


def test_a_radars_saved_papers_export_and_round_trip(client, owner, papers):
    radar = Radar.objects.create(owner=owner, name="Graphs", keywords="graph")
    assert client.get(f"/radars/{radar.pk}/saved.bib").status_code == 404  # nothing saved yet: says so
    save_paper(owner, papers[0], radar)
    save_paper(owner, papers[2], radar)
    save_paper(owner, papers[6])  # saved elsewhere: not this radar's
    assert f"/radars/{radar.pk}/saved.ris" in client.get(f"/radars/{radar.pk}/edit/").content.decode()
    bib = client.get(f"/radars/{radar.pk}/saved.bib")
    assert bib["Content-Type"].startswith("application/x-bibtex")
    entries = parse_bibtex(bib.content.decode()).entries
    assert [e["title"] for e in entries] == [papers[2].title_text, papers[0].title_text]  # newest saved first
    assert entries[0]["eprint"] == papers[2].arxiv_id
    records = rispy.loads(client.get(f"/radars/{radar.pk}/saved.ris").content.decode())
    assert [r["title"] for r in records] == [papers[2].title_text, papers[0].title_text]
    csl = json.loads(client.get(f"/radars/{radar.pk}/saved.json").content)
    assert [item["title"] for item in csl] == [papers[2].title_text, papers[0].title_text]
    assert client.get(f"/radars/{radar.pk}/saved.docx").status_code == 404


def test_a_briefings_citations_export_and_round_trip(client, owner, papers):
    briefing = finished_briefing(owner)
    cited = Paper.objects.get(pk=briefing.citations[0]["paper_id"])
    entries = parse_bibtex(client.get(f"/briefings/{briefing.pk}/citations.bib").content.decode()).entries
    assert [(e["title"], e["eprint"]) for e in entries] == [(cited.title_text, cited.arxiv_id)]
    assert rispy.loads(client.get(f"/briefings/{briefing.pk}/citations.ris").content.decode())[0]["title"] == cited.title_text
    client.logout()
    assert client.get(f"/briefings/{briefing.pk}/citations.bib").status_code == 302  # sign in first
    briefing.share()
    shared = client.get(f"/briefings/s/{briefing.share_token}/citations.json")
    assert json.loads(shared.content)[0]["title"] == cited.title_text
    client.force_login(make_user("zed", "zed@example.org"))
    assert client.get(f"/briefings/{briefing.pk}/citations.bib").status_code == 404
