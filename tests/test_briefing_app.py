"""The briefings app: request, generate (Huey), read, share, export, API, privacy."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from academichub.briefings import services
from academichub.briefings.models import Briefing
from academichub.papers.models import Paper
from academichub.core.records import Version
from academichub.papers.storage import CatalogueWriter
from tests.briefing_data import records
from tests.openai_server import Answer, FakeOpenAI

pytestmark = pytest.mark.django_db
LAST = date(2025, 3, 28)


@pytest.fixture(autouse=True)
def setup(monkeypatch):
    from huey.contrib.djhuey import HUEY

    monkeypatch.setenv("ACADEMICHUB_EMBEDDER", "hashing:256")  # the app's plumbing; the pipeline is tested with MiniLM
    was, HUEY.immediate = HUEY.immediate, True
    yield
    HUEY.immediate = was


@pytest.fixture
def catalogue():
    """Real papers of two fields spread over two weeks ending on LAST (this week and the one before)."""
    found = records("arxiv-cs-2025-2026.jsonl.gz", 40, ("cs.IT", "cs.GT", "cs.RO"))
    for i, record in enumerate(found):
        record.announced = LAST - timedelta(days=i % 14)
        record.versions = [Version(1, record.announced - timedelta(days=1))]  # posted the day before, as on arXiv
    CatalogueWriter("test").write(found)
    return found


def user(name):
    return get_user_model().objects.create_user(name, password="pw-123456789")


@pytest.fixture
def alice(client):
    account = user("alice")
    client.force_login(account)
    return account


def request_week(client, **extra):
    data = {"scope_kind": "category", "scope_value": "cs.IT", "window_kind": "week", "anchor": LAST.isoformat(),
            "language": "en", **extra}  # fmt: skip
    return client.post("/briefings/", data)


def test_a_week_of_a_category_becomes_a_grounded_briefing(client, alice, catalogue):
    response = request_week(client)
    briefing = Briefing.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/briefings/{briefing.pk}/"
    assert briefing.status == "done", briefing.error
    assert (briefing.window_start, briefing.window_end) == (LAST - timedelta(days=6), LAST)
    page = client.get(response["Location"]).content.decode()
    links = re.findall(r'<a class="cite" href="([^"]+)"[^>]*data-n="(\d+)">\[(\d+)\]</a>', page)
    assert links and all(n == shown for _, n, shown in links)
    by_n = {c["n"]: c for c in briefing.citations}
    for href, n, _ in links:  # each [n] opens the right paper
        paper = Paper.objects.get(pk=by_n[int(n)]["paper_id"])
        assert href == reverse("web:paper", kwargs={"identifier": paper.arxiv_id}) and client.get(href).status_code == 200
        assert LAST - timedelta(days=6) <= paper.announced <= LAST
    g = briefing.grounding
    assert g["citations"] > 0 and g["unresolved_removed"] == 0 and g["uncited_share"] <= 0.1
    assert "Cross-domain links" in page and briefing.model == "offline" and briefing.papers_in >= 2
    assert briefing.document["meta"]["previous_papers"] > 0  # compared with the week before


def test_chinese_briefing(client, alice, catalogue):
    request_week(client, language="zh-hans")
    briefing = Briefing.objects.get()
    page = client.get(f"/briefings/{briefing.pk}/").content.decode()
    assert "概览" in page and "跨领域关联" in page and 'class="cite"' in page


def test_briefings_are_private_until_shared(client, alice, catalogue):
    request_week(client)
    briefing = Briefing.objects.get()
    own = [f"/briefings/{briefing.pk}/", f"/briefings/{briefing.pk}/status/", f"/briefings/{briefing.pk}/export.md"]
    assert all(client.get(url).status_code == 200 for url in own)
    assert client.get(f"/api/briefings/{briefing.pk}").status_code == 200
    client.logout()
    assert all(client.get(url).status_code == 302 for url in own)  # to the sign-in page
    client.force_login(user("bob"))
    assert all(client.get(url).status_code == 404 for url in own)
    assert client.get(f"/api/briefings/{briefing.pk}").status_code == 404
    assert client.post(f"/briefings/{briefing.pk}/share/").status_code == 404
    assert client.get("/api/briefings/").json() == {"briefings": []}
    assert "cs.IT" not in client.get("/briefings/").content.decode()

    client.force_login(alice)
    client.post(f"/briefings/{briefing.pk}/share/")
    token = Briefing.objects.get().share_token
    client.force_login(get_user_model().objects.get(username="bob"))
    shared = client.get(f"/briefings/s/{token}/")
    assert shared.status_code == 200 and "read-only" in shared.content.decode()
    assert "Stop sharing" not in shared.content.decode()
    assert client.get(f"/api/briefings/shared/{token}").json()["id"] == briefing.pk
    assert client.get(f"/briefings/s/{token}/export.md").status_code == 200
    client.force_login(alice)
    client.post(f"/briefings/{briefing.pk}/share/", {"action": "unshare"})
    assert client.get(f"/briefings/s/{token}/").status_code == 404


def test_exports(client, alice, catalogue, settings):
    settings.SITE_URL = "https://hub.example.org"
    request_week(client)
    briefing = Briefing.objects.get()
    markdown = client.get(f"/briefings/{briefing.pk}/export.md")
    text = markdown.content.decode()
    assert markdown["Content-Type"].startswith("text/markdown") and text.startswith("## ")
    assert re.search(r"\[\d+\] arXiv:\S+ .+ <https://hub\.example\.org/paper/\S+>", text)
    html = client.get(f"/briefings/{briefing.pk}/export.html").content.decode()
    assert 'href="https://hub.example.org/paper/' in html and "<!doctype html>" in html
    assert client.get(f"/briefings/{briefing.pk}/export.pdf").status_code == 404


@pytest.mark.parametrize("data, message", [
    ({"scope_value": "not-a-category"}, "is not an arXiv category"),
    ({"window_kind": "custom", "start": "2025-03-20", "end": "2025-03-01"}, "the start first"),
    ({"scope_kind": "query", "scope_value": "?"}, "at least one word"),
    ({"scope_kind": "papers", "scope_value": "9999.99999"}, "at least two papers"),
])  # fmt: skip
def test_bad_requests_are_explained(client, alice, data, message):
    response = request_week(client, **data)
    assert response.status_code == 400 and message in response.content.decode()
    assert not Briefing.objects.exists()


def test_an_empty_window_fails_with_a_clear_message(client, alice, catalogue):
    request_week(client, anchor="2020-01-01")
    briefing = Briefing.objects.get()
    assert briefing.status == "failed" and "widen the window" in briefing.error
    assert "widen the window" in client.get(f"/briefings/{briefing.pk}/").content.decode()


def test_query_and_paper_set_scopes(client, alice, catalogue):
    ids = "\n".join(r.arxiv_id for r in catalogue[:12])
    client.post("/briefings/", {"scope_kind": "papers", "scope_value": ids, "window_kind": "week", "language": "en"})
    chosen = Briefing.objects.get()
    assert chosen.status == "done" and chosen.papers_in == 12 and chosen.window_start is None
    papers = services.query_papers("channel coding", LAST - timedelta(days=13), LAST)  # the search engine's ranking
    assert papers and any(w in (papers[0].title_text + papers[0].abstract_text).lower() for w in ("channel", "coding"))


def test_api_creates_and_reads(client, alice, catalogue):
    response = client.post("/api/briefings/", {"scope": "category", "value": "cs.GT", "window": "week",
                                               "anchor": LAST.isoformat(), "language": "zh"}, content_type="application/json")
    assert response.status_code == 202, response.content
    created = response.json()
    assert created["status"] == "done" and created["language"] == "zh-hans"
    body = client.get(f"/api/briefings/{created['id']}").json()
    assert body["grounding"]["unresolved_removed"] == 0 and body["citations"] and "## 概览" in body["markdown"]
    bad = client.post("/api/briefings/", {"scope": "category", "value": "nope"}, content_type="application/json")
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "bad_request"
    client.logout()
    assert client.post("/api/briefings/", {"scope": "category", "value": "cs.GT"}, content_type="application/json").status_code == 401


def test_with_an_llm_configured_tokens_and_model_are_stored(client, alice, catalogue, monkeypatch, tmp_path):
    def answer(body):
        numbers = re.findall(r"\[(\d+)\]", body["messages"][-1]["content"])
        return Answer(f"This theme moves fast [{numbers[0]}]. An invented finding about it [31337].")

    with FakeOpenAI(responder=answer) as server:
        monkeypatch.setenv("ACADEMICHUB_LLM_BASE_URL", server.base_url)
        monkeypatch.setenv("ACADEMICHUB_LLM_MODEL", "tiny")
        monkeypatch.setenv("ACADEMICHUB_LLM_PRICE_IN", "1")
        monkeypatch.setenv("ACADEMICHUB_HOME", str(tmp_path))
        request_week(client)
    briefing = Briefing.objects.get()
    assert briefing.status == "done" and briefing.model == "tiny" and briefing.prompt_tokens > 0 and briefing.cost > 0
    assert briefing.grounding["unresolved_removed"] >= 1 and "31337" not in briefing.text


def test_with_the_llm_down_the_briefing_is_still_written(client, alice, catalogue, monkeypatch):
    with FakeOpenAI() as server:
        server.script(Answer(status=500))
        monkeypatch.setenv("ACADEMICHUB_LLM_BASE_URL", server.base_url)
        monkeypatch.setenv("ACADEMICHUB_LLM_MODEL", "tiny")
        monkeypatch.setenv("ACADEMICHUB_LLM_MAX_RETRIES", "0")
        request_week(client)
    briefing = Briefing.objects.get()
    assert briefing.status == "done" and briefing.grounding["llm_errors"]
    assert "Cross-domain links" in client.get(f"/briefings/{briefing.pk}/").content.decode()


def test_weekly_briefings_repeat_the_scopes_asked_for(client, alice, catalogue):
    from academichub.briefings.tasks import weekly_briefings

    request_week(client, repeat_weekly="on", anchor=(LAST - timedelta(days=7)).isoformat())
    request_week(client, scope_value="cs.GT")  # not repeated
    assert weekly_briefings.call_local() == 1
    newest = Briefing.objects.filter(scope_value="cs.IT").order_by("-id").first()
    assert (newest.window_start, newest.window_end) == (LAST - timedelta(days=6), LAST) and newest.status == "done"
    assert weekly_briefings.call_local() == 0  # this week's is written already


def test_stored_search_vectors_are_used_and_the_rest_embedded_alike(catalogue):
    import numpy as np

    from academichub.search.models import PaperEmbedding
    from academichub.search.vectors import current_model_id, to_blob

    first, second = Paper.objects.order_by("id")[:2]
    marker = np.zeros(256, dtype=np.float32)
    marker[7] = 1.0
    PaperEmbedding.objects.create(paper=first, model_id=current_model_id(), dim=256, vector=to_blob(marker))
    rows = services.vectors(services.brief_papers([first, second]))
    assert rows.shape == (2, 256) and np.array_equal(rows[0], marker) and not np.array_equal(rows[1], marker)
    assert np.linalg.norm(rows[1]) == pytest.approx(1.0, abs=1e-5)
