"""Upvotes: one per reader per paper, toggled with htmx or a plain form, rate-limited, exact under concurrency."""

from __future__ import annotations

import random
from datetime import date

import pytest
from django.core.cache import cache
from django.test import Client

from academichub.daily import votes
from academichub.daily.models import PaperStats, Upvote
from tests.daily_helpers import in_parallel, make_user, papers_on, sqlite_file_database

DAY = date(2026, 6, 30)


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def vote_url(paper) -> str:
    return f"/daily/vote/{paper.pk}/"


@pytest.mark.django_db
def test_plain_form_toggles_and_goes_back_to_the_page(client):
    paper, other = papers_on(DAY, count=2)
    client.force_login(make_user("ada"))
    response = client.post(vote_url(paper), {"next": "/day/2026-06-30/?sort=upvotes"})
    assert response.status_code == 302
    assert response["Location"] == f"/day/2026-06-30/?sort=upvotes#paper-{paper.pk}"
    assert PaperStats.objects.get(paper=paper).upvotes == 1
    html = client.get("/day/2026-06-30/").content.decode()
    assert 'aria-pressed="true"' in html and 'aria-pressed="false"' in html  # mine, and the other paper
    client.post(vote_url(paper))
    assert PaperStats.objects.get(paper=paper).upvotes == 0
    assert not Upvote.objects.exists()


@pytest.mark.django_db
def test_htmx_gets_the_new_button(client):
    (paper,) = papers_on(DAY, count=1)
    client.force_login(make_user("ada"))
    response = client.post(vote_url(paper), {"next": "/"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.startswith('<form class="vote"') and 'aria-pressed="true"' in html
    assert '<span class="vote-count">1</span>' in html
    html = client.post(vote_url(paper), {"next": "/"}, HTTP_HX_REQUEST="true").content.decode()
    assert 'aria-pressed="false"' in html and '<span class="vote-count">0</span>' in html


@pytest.mark.django_db
def test_one_vote_per_reader_and_counts_add_up(client):
    (paper,) = papers_on(DAY, count=1)
    readers = [make_user(f"r{n}") for n in range(3)]
    for reader in readers:
        votes.toggle(reader, paper.pk)
    votes.toggle(readers[0], paper.pk)  # takes it back
    assert PaperStats.objects.get(paper=paper).upvotes == 2 == Upvote.objects.filter(paper=paper).count()
    assert votes.state(readers[1], paper.pk).voted and not votes.state(readers[0], paper.pk).voted


@pytest.mark.django_db
def test_signed_out_readers_are_sent_to_sign_in(client):
    (paper,) = papers_on(DAY, count=1)
    response = client.post(vote_url(paper), {"next": "/day/2026-06-30/"})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=")
    response = client.post(vote_url(paper), {"next": "/day/2026-06-30/"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 204 and response["HX-Redirect"].startswith("/accounts/login/")
    assert not Upvote.objects.exists()


@pytest.mark.django_db
def test_get_changes_nothing_and_unknown_papers_are_404(client):
    (paper,) = papers_on(DAY, count=1)
    client.force_login(make_user("ada"))
    assert client.get(vote_url(paper)).status_code == 405
    assert client.post("/daily/vote/999999/").status_code == 404
    assert not Upvote.objects.exists()


@pytest.mark.django_db
def test_rate_limited_per_reader(client):
    (paper,) = papers_on(DAY, count=1)
    client.force_login(make_user("ada"))
    from academichub.daily.views import VOTE_LIMIT

    for _ in range(VOTE_LIMIT.attempts):
        assert client.post(vote_url(paper)).status_code == 302
    response = client.post(vote_url(paper))
    assert response.status_code == 429 and int(response["Retry-After"]) == VOTE_LIMIT.window
    assert PaperStats.objects.get(paper=paper).upvotes == VOTE_LIMIT.attempts % 2
    other = Client()
    other.force_login(make_user("bob"))
    assert other.post(vote_url(paper)).status_code == 302  # someone else is not limited


@pytest.fixture
def concurrent_db(transactional_db, tmp_path):
    with sqlite_file_database(tmp_path / "concurrent.sqlite3"):
        yield


def test_fifty_parallel_toggles_leave_an_exact_count(concurrent_db, expected_vendor):
    """50 readers toggle one paper at once (half had voted already); some double-click (two toggles at once)."""
    from django.db import connection

    assert connection.vendor == expected_vendor
    (paper,) = papers_on(DAY, count=1)
    readers = [make_user(f"reader{n}") for n in range(50)]
    for reader in readers[:25]:
        votes.toggle(reader, paper.pk)
    rng = random.Random(6)
    clicks = [reader for reader in readers for _ in range(2 if rng.random() < 0.2 else 1)]

    def signed_in(reader) -> Client:  # before the barrier: the parallel part is the votes alone
        browser = Client()
        browser.force_login(reader)
        browser.get("/healthz")
        return browser

    def click(browser: Client):
        return lambda: browser.post(vote_url(paper), HTTP_HX_REQUEST="true").status_code

    statuses = in_parallel([click(signed_in(reader)) for reader in clicks])
    assert statuses == [200] * len(clicks), statuses
    voted = [r for r in readers if Upvote.objects.filter(user=r, paper=paper).exists()]
    expected = [r for r in readers if (r in readers[:25]) != (clicks.count(r) % 2 == 1)]
    assert voted == expected
    assert PaperStats.objects.get(paper=paper).upvotes == len(voted) == Upvote.objects.filter(paper=paper).count()
    page = Client().get("/api/daily/day/2026-06-30").json()
    assert page["papers"][0]["upvotes"] == len(voted)
