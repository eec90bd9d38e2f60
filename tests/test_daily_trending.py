"""Trending scores recomputed by the periodic task: votes here and on Hugging Face, decay, falling off."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from academichub.core import trending
from academichub.daily import scores, tasks, votes
from academichub.daily.models import PaperOrganization, PaperStats
from academichub.papers.storage import CatalogueWriter, Signal
from tests.daily_helpers import make_user, papers_on

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 7, 1, 12, 0, tzinfo=timezone.utc)


def vote(paper, *names):
    for name in names:
        votes.toggle(make_user(name), paper.pk)


def test_recompute_scores_the_window_with_the_formula():
    (fresh,) = papers_on(date(2026, 7, 1), count=1, start=1)
    (older,) = papers_on(date(2026, 6, 29), count=1, start=2)
    vote(fresh, "a", "b")
    vote(older, "c", "d", "e", "f", "g")
    run = scores.recompute(now=NOW)
    assert run.scored == 2 and run.fell_off == 0
    stats = {s.paper_id: s for s in PaperStats.objects.all()}
    assert stats[fresh.pk].trending == pytest.approx(2 / (12 + 2) ** 1.8)
    assert stats[older.pk].trending == pytest.approx(5 / (60 + 2) ** 1.8)
    assert stats[fresh.pk].trending > stats[older.pk].trending  # fresher beats more votes
    assert stats[fresh.pk].trending_at == NOW


def test_votes_change_counts_at_once_but_the_order_only_at_the_next_run(client):
    first, second = papers_on(date(2026, 7, 1), count=2)
    vote(first, "a")
    scores.recompute(now=NOW)
    vote(second, "b", "c")
    assert PaperStats.objects.get(paper=second).upvotes == 2 and PaperStats.objects.get(paper=second).trending == 0
    scores.recompute(now=NOW)
    assert PaperStats.objects.get(paper=second).trending > PaperStats.objects.get(paper=first).trending


def test_hugging_face_upvotes_and_organisations_count(client):
    (paper,) = papers_on(date(2026, 7, 1), count=1)
    CatalogueWriter("hf-daily").write_signals([Signal(paper.arxiv_id, date(2026, 7, 1), upvotes=40, comments=3,
                                                      submitted_by="akhaliq", organization="google")])  # fmt: skip
    vote(paper, "a")
    scores.recompute(now=NOW)
    stats = PaperStats.objects.get(paper=paper)
    assert (stats.upvotes, stats.external_upvotes, stats.points) == (1, 40, 41)
    assert stats.trending == pytest.approx(trending.score(41, date(2026, 7, 1), NOW))
    html = client.get("/day/2026-07-01/").content.decode()
    assert 'href="/org/google/">google</a>' in html and "HF 40" in html
    scores.recompute(now=NOW)  # a second run changes nothing
    assert PaperStats.objects.get(paper=paper).points == 41


def test_papers_older_than_the_window_fall_off(client):
    (old,) = papers_on(date(2026, 6, 24), count=1, start=1)
    (new,) = papers_on(date(2026, 6, 30), count=1, start=2)
    vote(old, "a", "b", "c")
    vote(new, "d")
    scores.recompute(now=datetime(2026, 6, 25, 12, 0, tzinfo=timezone.utc))
    assert PaperStats.objects.get(paper=old).trending > 0
    run = scores.recompute(now=NOW)
    assert run.fell_off == 1
    assert PaperStats.objects.get(paper=old).trending == 0 and PaperStats.objects.get(paper=new).trending > 0
    from academichub.daily import listing

    assert [p.pk for p in listing.trending_papers(now=NOW)] == [new.pk]


def test_the_trending_page_and_api_show_the_last_computed_order(client):
    papers = papers_on(date.today(), count=3)
    vote(papers[2], "a", "b")
    vote(papers[0], "c")
    tasks.recompute_trending.call_local()
    html = client.get("/trending/").content.decode()
    assert html.index(f'id="paper-{papers[2].pk}"') < html.index(f'id="paper-{papers[0].pk}"') \
        < html.index(f'id="paper-{papers[1].pk}"')  # fmt: skip
    body = client.get("/api/daily/trending?limit=2").json()
    assert [c["id"] for c in body] == [papers[2].pk, papers[0].pk] and body[0]["trending"] > body[1]["trending"] > 0


def test_the_tasks_are_periodic():
    due = lambda task, moment: task.task_class().validate_datetime(moment)  # noqa: E731 (Huey's own check)
    assert due(tasks.recompute_trending, datetime(2026, 6, 29, 7, 30))
    assert not due(tasks.recompute_trending, datetime(2026, 6, 29, 7, 15))
    assert due(tasks.send_daily_digest, datetime(2026, 6, 29, 7, 0))  # Monday 07:00 UTC
    assert due(tasks.send_daily_digest, datetime(2026, 7, 3, 7, 0))  # Friday
    assert not due(tasks.send_daily_digest, datetime(2026, 7, 4, 7, 0))  # Saturday
    assert not due(tasks.send_daily_digest, datetime(2026, 6, 29, 8, 0))


def test_stored_author_affiliations_become_organisations_once():
    (paper,) = papers_on(date(2026, 7, 1), count=1, start=1, affiliations=[
        "Department of Computer Science, Tsinghua University, Beijing 100084, China", "", "Google DeepMind, London"])
    stored = list(paper.authorships.order_by("position").values_list("affiliation", flat=True))
    assert stored[0].startswith("Department of Computer Science, Tsinghua University") and stored[1] == ""
    scores.recompute(now=NOW)
    scores.recompute(now=NOW)  # the second run adds nothing
    links = PaperOrganization.objects.filter(paper=paper, source=PaperOrganization.Source.AFFILIATION)
    assert sorted(links.values_list("organization__name", flat=True)) == ["Google DeepMind", "Tsinghua University"]
