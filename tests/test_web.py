"""Today's page and the paper page, rendered by Django's test client."""

from __future__ import annotations

from datetime import date

import pytest

from tests.factories import XSS_ABSTRACT, make_papers

pytestmark = pytest.mark.django_db


def test_today_shows_latest_announcement_day_as_numbered_cards(client):
    make_papers(date(2026, 6, 11), count=2)
    make_papers(date(2026, 6, 12), count=3, start=10)
    html = client.get("/").content.decode()
    assert "2026-06-12" in html
    assert html.count('class="card"') == 3
    assert "01." in html and "03." in html
    assert "arXiv (cs.DS)" in html
    assert "Chenrui Wu, Yuwei Wu, Ana María López" in html
    assert 'rel="prev" href="/day/2026-06-11/"' in html


def test_day_navigation_and_bad_dates(client):
    make_papers(date(2026, 6, 11), count=1)
    assert client.get("/day/2026-06-11/").status_code == 200
    response = client.get("/day/not-a-date/")
    assert response.status_code == 400
    assert "YYYY-MM-DD" in response.content.decode()


def test_empty_catalogue_explains_what_to_do(client):
    html = client.get("/").content.decode()
    assert "academichub import" in html


def test_paper_page_by_any_id_form(client):
    (arxiv_id,) = make_papers(date(2026, 6, 12), count=1)
    for form in (arxiv_id, f"{arxiv_id}v1", f"arXiv:{arxiv_id}"):
        response = client.get(f"/paper/{form}")
        assert response.status_code == 200, form
    html = client.get(f"/paper/{arxiv_id}").content.decode()
    assert '<meta name="citation_arxiv_id" content="' + arxiv_id in html
    assert "Ana María López" in html


def test_unknown_paper_is_a_404_page_and_json_for_api_clients(client):
    assert client.get("/paper/2601.99999").status_code == 404
    response = client.get("/paper/2601.99999", HTTP_ACCEPT="application/json")
    assert response.status_code == 404
    assert "error" in response.json()


def test_html_from_feeds_is_escaped(client):
    (arxiv_id,) = make_papers(date(2026, 6, 12), count=1, abstract=XSS_ABSTRACT, title="<b>Bold</b> claim")
    for url in ("/", f"/paper/{arxiv_id}"):
        html = client.get(url).content.decode()
        assert "<script>window.__xss" not in html
        assert "&lt;script&gt;" in html
        assert "<img src=x" not in html
        assert "&lt;b&gt;Bold&lt;/b&gt;" in html


def test_security_headers(client):
    response = client.get("/")
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
