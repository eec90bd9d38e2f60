"""Cold start and saving: import a library, rate ten papers, save papers (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from academichub.core.records import PaperRecord, Version
from academichub.papers.storage import CatalogueWriter
from academichub.radar import coldstart
from academichub.radar.models import FollowedAuthor, Radar, Rating, SavedPaper, SeedPaper, TasteModel
from tests.radar_support import DAY, add_paper, hashing_vectors  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).with_name("fixtures")
HTMX = {"HTTP_HX_REQUEST": "true"}
MARCH = date(2025, 3, 18)
SAFE_AUTHORS = ["Moreno D'Incà", "Elia Peruzzo", "Xingqian Xu", "Humphrey Shi", "Nicu Sebe", "Massimiliano Mancini"]


@pytest.fixture
def reader(django_user_model, client):
    user = django_user_model.objects.create_user("lin", "lin@example.org", "pw-radar-1234")
    client.force_login(user)
    return user


@pytest.fixture
def library():
    """The three real arXiv papers of tests/fixtures/built_citations_zotero.* (ids, titles, authors as in shared/data)."""
    safe = add_paper(11742, "Safe Vision-Language Models via Unsafe Weights Manipulation", authors=SAFE_AUTHORS,
                     categories=["cs.CV", "cs.AI"], day=MARCH)  # fmt: skip
    making = add_paper(11750, "Making Every Step Effective: Jailbreaking Large Vision-Language Models Through "
                       "Hierarchical KV Equalization", authors=["Shuyang Hao", "Yiwei Wang", "Bryan Hooi"],
                       categories=["cs.CV", "cs.CR"], day=MARCH)  # fmt: skip
    rethink = add_paper(11780, "Rethinking Multi-modal Object Detection from the Perspective of Mono-Modality "
                        "Feature Learning", authors=["Tianyi Zhao", "Boyang Liu"], categories=["cs.CV"], day=MARCH)  # fmt: skip
    for n in range(1, 8):   # the rest of the month, so suggested keywords have papers to be specific against
        add_paper(n, f"Object tracking study {n}", abstract="We track objects in video frames.", categories=["cs.CV"],
                  day=MARCH - timedelta(days=n))  # fmt: skip
    return safe, making, rethink


def radar_of(user, **fields) -> Radar:
    return Radar.objects.create(owner=user, name=fields.pop("name", "Safety"), **fields)


# ------------------------------------------------------------------ import


@pytest.mark.parametrize("suffix", ["bib", "ris", "csv", "json"])
def test_upload_matches_by_id_doi_and_title_and_seeds_the_radar(client, reader, library, suffix):
    safe, making, rethink = library
    radar = radar_of(reader)
    path = FIXTURES / f"built_citations_zotero.{suffix}"
    upload = SimpleUploadedFile(path.name, path.read_bytes())
    response = client.post(reverse("radar:import", args=[radar.pk]), {"library": upload})
    assert response.status_code == 200
    report = response.context["report"]
    found = {m.paper.pk: m.how for m in report.matched}
    assert found[safe.pk] == "arxiv" and found[making.pk] == "arxiv"
    if suffix in ("bib", "ris"):                       # those two exports also carry the third paper, by title only
        assert found[rethink.pk] == "title"
    assert [m.work.title for m in report.unmatched] == ["The TeXbook"]
    assert set(SeedPaper.objects.filter(radar=radar).values_list("paper_id", flat=True)) == set(found)
    html = response.content.decode()
    assert "by arXiv id" in html and "The TeXbook" in html


def test_pasted_identifiers_match_dois_and_arxiv_dois(client, reader, library):
    safe, making, rethink = library
    CatalogueWriter("test").write([PaperRecord(doi="10.1145/3292500.3330701", title="A journal paper about graphs",
                                               authors=["Ada Lovelace"], versions=[Version(1, MARCH)])])  # fmt: skip
    radar = radar_of(reader)
    text = "10.1145/3292500.3330701\nhttps://doi.org/10.48550/arXiv.2503.11780\n2503.99999"
    report = client.post(reverse("radar:import", args=[radar.pk]), {"text": text}).context["report"]
    assert [(m.how, m.paper.title_text[:16]) for m in report.matched] == [("doi", "A journal paper "), ("arxiv", "Rethinking Multi")]
    assert [m.work.arxiv_id for m in report.unmatched] == ["2503.99999"]
    assert report.added == 2 and SeedPaper.objects.filter(radar=radar).count() == 2
    again = client.post(reverse("radar:import", args=[radar.pk]), {"text": text}).context["report"]
    assert again.added == 0 and SeedPaper.objects.filter(radar=radar).count() == 2     # importing twice adds nothing


def test_suggestions_are_offered_and_applied_only_when_ticked(client, reader, library):
    radar = radar_of(reader, keywords="agent")
    bib = (FIXTURES / "built_citations_zotero.bib").read_text(encoding="utf-8")
    library_text = bib + bib.replace("{dinca_safe_2025,", "{copy,").replace("2503.11742", "2503.11999")
    report = coldstart.import_library(radar, library_text)
    names = [a.name for a, _ in report.authors]
    assert "Moreno D'Incà" in names                                  # in two works of the library, and in the catalogue
    assert '"vision language"' in report.keywords                    # recurring title phrase, rare in the month
    assert all("object" not in k for k in report.keywords[:1])
    author = next(a for a, _ in report.authors if a.name == "Moreno D'Incà")
    response = client.post(reverse("radar:apply_suggestions", args=[radar.pk]),
                           {"author": [author.pk], "keyword": ['"vision language"']})  # fmt: skip
    assert response.status_code == 302
    radar.refresh_from_db()
    assert radar.keywords == 'agent "vision language"'
    assert list(FollowedAuthor.objects.filter(radar=radar).values_list("author__name", flat=True)) == ["Moreno D'Incà"]


def test_unreadable_input_explains_and_changes_nothing(client, reader, library):
    radar = radar_of(reader)
    response = client.post(reverse("radar:import", args=[radar.pk]), {"text": "just some words"})
    assert response.status_code == 400
    assert "No reference could be read" in response.content.decode()
    upload = SimpleUploadedFile("lib.json", b"[" * 50_000)
    response = client.post(reverse("radar:import", args=[radar.pk]), {"library": upload})
    assert response.status_code == 400 and "nested too deeply" in response.content.decode()
    assert not SeedPaper.objects.exists()
    client.post(reverse("accounts:set_language"), {"language": "zh-hans", "next": "/"})
    html = client.get(reverse("radar:import", args=[radar.pk])).content.decode()
    assert "导入论文" in html and "或粘贴 BibTeX" in html


def test_another_reader_cannot_import_rate_or_save_through_my_radar(client, reader, library, django_user_model):
    radar = radar_of(reader)
    other = django_user_model.objects.create_user("eve", "eve@example.org", "pw-eve-12345")
    client.force_login(other)
    assert client.get(reverse("radar:import", args=[radar.pk])).status_code == 404
    assert client.post(reverse("radar:import", args=[radar.pk]), {"text": "2503.11742"}).status_code == 404
    assert client.post(reverse("radar:apply_suggestions", args=[radar.pk]), {"keyword": "x"}).status_code == 404
    assert client.get(reverse("radar:onboarding", args=[radar.pk])).status_code == 404
    paper = library[0]
    assert client.post(reverse("radar:onboarding", args=[radar.pk]), {f"rating-{paper.pk}": "1"}).status_code == 404
    assert client.post(reverse("radar:save", args=[radar.pk, paper.pk]), {"saved": "1"}).status_code == 404
    assert client.post(f"/api/radars/{radar.pk}/import", json.dumps({"text": "2503.11742"}),
                       content_type="application/json").status_code == 404  # fmt: skip
    assert not SeedPaper.objects.exists() and not Rating.objects.exists() and not SavedPaper.objects.exists()
    radar.refresh_from_db()
    assert radar.keywords == ""


def test_import_api(client, reader, library):
    radar = radar_of(reader)
    url = f"/api/radars/{radar.pk}/import"
    body = {"text": (FIXTURES / "built_citations_zotero.ris").read_text(encoding="utf-8"), "filename": "zotero.ris"}
    response = client.post(url, json.dumps(body), content_type="application/json")
    data = response.json()
    assert response.status_code == 200 and data["format"] == "ris" and data["read"] == 4
    assert sorted(data["matched"]) == sorted(p.pk for p in library) and data["unmatched"] == ["The TeXbook"]
    assert data["added"] == 3
    response = client.post(url, json.dumps({"text": "@misc{broken"}), content_type="application/json")
    assert response.status_code == 422 and response.json()["error"]["code"] == "unreadable"


# ------------------------------------------------------------------ rate ten papers


def test_onboarding_offers_popular_recent_varied_papers_of_the_radar_categories(client, reader, hashing_vectors):
    for n in range(1, 13):
        add_paper(n, f"Vision paper {n} on topic {n}", abstract=f"subject{n} " * 5, categories=["cs.CV"],
                  day=DAY - timedelta(days=n))  # fmt: skip
    for n in range(13, 16):
        add_paper(n, f"Language paper {n}", categories=["cs.CL"], day=DAY)
    add_paper(16, "Old vision paper", categories=["cs.CV"], day=DAY - timedelta(days=60))
    radar = radar_of(reader, categories=["cs.CV"])
    Rating.objects.create(user=reader, paper_id=add_paper(17, "Rated vision", categories=["cs.CV"]).pk, value=1)
    response = client.get(reverse("radar:onboarding", args=[radar.pk]))
    papers = response.context["papers"]
    assert len(papers) == 10
    assert all(p.primary_category_id == "cs.CV" for p in papers)           # the radar's categories
    assert "Old vision paper" not in [p.title_text for p in papers]        # the last month only
    assert "Rated vision" not in [p.title_text for p in papers]            # not what was already rated
    assert 'name="rating-%d"' % papers[0].pk in response.content.decode()


def test_onboarding_answers_become_ratings_and_rank_the_feed(client, reader, hashing_vectors):
    web = [add_paper(n, f"Agent for web browsing {n}", abstract="browser web pages clicks navigation web agent",
                     categories=["cs.AI"]) for n in range(1, 7)]  # fmt: skip
    robots = [add_paper(n, f"Agent for robot grasping {n}", abstract="robot arm grasping objects manipulation agent",
                        categories=["cs.AI"]) for n in range(7, 13)]  # fmt: skip
    radar = radar_of(reader, keywords="agent", categories=["cs.AI"])
    answers = {f"rating-{p.pk}": "1" for p in web[:4]} | {f"rating-{p.pk}": "-1" for p in robots[:4]}
    answers |= {f"rating-{web[4].pk}": "", "rating-999999": "1", "rating-x": "1", "other": "1"}
    response = client.post(reverse("radar:onboarding", args=[radar.pk]), answers)
    assert response.status_code == 302
    assert Rating.objects.filter(user=reader).count() == 8 and TasteModel.objects.filter(user=reader).exists()
    page = client.get(reverse("radar:feed", args=[radar.pk])).context["page"]
    order = [i.paper.pk for i in page.items]
    assert page.learned and order.index(web[5].pk) < order.index(robots[5].pk)


# ------------------------------------------------------------------ save


def test_save_is_a_like_at_once_and_lists_per_reader(client, reader, hashing_vectors, django_user_model):
    web = [add_paper(n, f"Agent for web browsing {n}", abstract="browser web pages clicks navigation web agent")
           for n in range(1, 4)]  # fmt: skip
    robots = [add_paper(n, f"Agent for robot grasping {n}", abstract="robot arm grasping objects manipulation agent")
              for n in range(4, 7)]  # fmt: skip
    radar = radar_of(reader, keywords="agent")
    feed_url = reverse("radar:feed", args=[radar.pk])
    response = client.post(reverse("radar:save", args=[radar.pk, robots[0].pk]), {"saved": "1"}, **HTMX)
    assert response.status_code == 200 and response.templates[0].name == "radar/_feed.html"
    items = response.context["page"].items
    assert {i.paper.pk for i in items[:3]} == {p.pk for p in robots}       # look-alikes of the saved paper rise
    assert next(i for i in items if i.paper.pk == robots[0].pk).saved
    assert "★" in response.content.decode() and 'aria-pressed="true"' in response.content.decode()
    assert any("close to 1 paper you liked" in r for r in items[1].reasons)
    assert client.post(reverse("radar:save", args=[radar.pk, web[0].pk]), {"saved": "1"}).status_code == 302
    assert client.post(reverse("radar:save", args=[radar.pk, web[0].pk]), {"saved": "yes"}).status_code == 400
    assert client.get(reverse("radar:save", args=[radar.pk, web[0].pk])).status_code == 405
    listed = client.get(reverse("radar:saved"))
    assert [s.paper.pk for s in listed.context["page"]] == [web[0].pk, robots[0].pk]     # newest first
    assert "Agent for robot grasping 4" in listed.content.decode()
    other = django_user_model.objects.create_user("eve", "eve@example.org", "pw-eve-12345")
    client.force_login(other)
    assert list(client.get(reverse("radar:saved")).context["page"]) == []
    client.force_login(reader)
    assert client.post(reverse("radar:unsave", args=[robots[0].pk])).status_code == 302
    assert list(SavedPaper.objects.filter(user=reader).values_list("paper_id", flat=True)) == [web[0].pk]
    order = [i.paper.pk for i in client.get(feed_url).context["page"].items]
    assert {order[0], order[1], order[2]} == {p.pk for p in web}             # now the web papers lead


def test_saved_papers_train_the_taste_model_unless_rated_otherwise(reader, hashing_vectors):
    from academichub.radar.feed import save_paper, taste_examples

    papers = [add_paper(n, f"Paper {n}") for n in range(1, 5)]
    Rating.objects.create(user=reader, paper=papers[0], value=-1)
    for paper in papers[:3]:
        save_paper(reader, paper)
    assert sorted(taste_examples(reader.pk)) == sorted([(papers[0].pk, -1), (papers[1].pk, 1), (papers[2].pk, 1)])


def test_saved_api(client, reader, library):
    paper = library[0]
    radar = radar_of(reader)
    response = client.put(f"/api/saved/{paper.pk}", json.dumps({"radar_id": radar.pk}), content_type="application/json")
    assert response.status_code == 200 and response.json()["radar_id"] == radar.pk
    assert client.put(f"/api/saved/{paper.pk}", "{}", content_type="application/json").status_code == 200   # idempotent
    assert [s["paper_id"] for s in client.get("/api/saved").json()] == [paper.pk]
    feed = client.get(f"/api/radars/{radar.pk}/feed?window=month").json()
    assert all("saved" in item for item in feed["items"])
    assert client.delete(f"/api/saved/{paper.pk}").status_code == 204
    assert client.get("/api/saved").json() == []
    assert client.put("/api/saved/999999", "{}", content_type="application/json").status_code == 404
