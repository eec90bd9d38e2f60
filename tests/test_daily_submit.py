"""Community submissions by arXiv id, arXiv URL or DOI: from the catalogue, or fetched through the
sources from the local fixture server (recorded arXiv and Crossref responses; never the internet)."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.core.cache import cache

from academichub.daily.models import PaperOrganization, Submission
from academichub.papers.models import Paper, Provenance
from academichub.sources.models import SourceRun
from tests.conftest_http import Reply
from tests.daily_helpers import make_user, papers_on

pytestmark = pytest.mark.django_db
ARXIV_ID = "1605.08386"  # "Heat-bath random walks with Markov bases", v1 of Thursday 2016-05-26
DOI = "10.1155/2018/3804742"  # Crossref record with author affiliations (Università di Trieste)


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()


@pytest.fixture
def sources(settings, local_server, fixtures_dir):
    """arXiv's export API and Crossref, both played back by the local server."""
    settings.ARXIV_API_URL = local_server.url("/api/query")
    settings.CROSSREF_API_URL = local_server.url("/crossref")
    settings.HTTP_MIN_INTERVAL = 0
    recorded = json.loads((fixtures_dir / "arxiv_api/id_1605.08386_s0_m100_199195aa31ad.json").read_text())
    empty = json.loads((fixtures_dir / "arxiv_api/id_0000.0000_s0_m100_8b51d9633a68.json").read_text())

    def arxiv(request):
        known = request.param("id_list") == ARXIV_ID
        return Reply(200, body=(recorded if known else empty)["body"].encode("latin-1"))

    local_server.route("/api/query", arxiv)
    work = (fixtures_dir / "crossref/hepcrawl_works_2018.3804742.json").read_bytes()
    local_server.script(f"/crossref/works/{DOI}", Reply(200, body=work, headers={"Content-Type": "application/json"}))
    return local_server


@pytest.fixture
def reader(client):
    user = make_user("hui")
    client.force_login(user)
    return user


@pytest.mark.parametrize("typed", [ARXIV_ID, f"arXiv:{ARXIV_ID}v1", f"https://arxiv.org/abs/{ARXIV_ID}v1"])
def test_an_arxiv_paper_is_fetched_and_appears_on_its_day(client, sources, reader, typed):
    response = client.post("/daily/submit/", {"identifier": typed})
    paper = Paper.objects.get(arxiv_id=ARXIV_ID)
    assert paper.announced == date(2016, 5, 27)  # the mailing after its Thursday submission
    assert response.status_code == 302 and response["Location"] == f"/day/2016-05-27/#paper-{paper.pk}"
    submission = Submission.objects.get(paper=paper)
    assert submission.user == reader and submission.fetched and submission.identifier == typed
    assert sources.requests_for("/api/query")[0].param("id_list") == ARXIV_ID
    assert Provenance.objects.filter(paper=paper, source="daily-submit", action="created").exists()
    assert SourceRun.objects.get(source="daily-submit").new == 1
    html = client.get(response["Location"]).content.decode()
    assert "Heat-bath random walks with Markov bases" in html and "Submitted by hui" in html
    assert "is on the page of 2016-05-27" in html  # the confirmation message


def test_a_doi_is_fetched_from_crossref_with_its_organisations(client, sources, reader):
    response = client.post("/daily/submit/", {"identifier": f"https://doi.org/{DOI}"})
    paper = Paper.objects.get(doi__iexact=DOI)
    assert response.status_code == 302 and paper.announced is not None
    assert paper.announced.isoformat() in response["Location"]
    names = set(PaperOrganization.objects.filter(paper=paper).values_list("organization__name", flat=True))
    assert "Università di Trieste" in names
    html = client.get(response["Location"]).content.decode()
    assert "Università di Trieste" in html and "Submitted by hui" in html
    assert "Università di Trieste" in client.get("/org/universita-di-trieste/").content.decode()


def test_a_paper_in_the_catalogue_is_taken_from_there(client, sources, reader):
    (paper,) = papers_on(date(2026, 6, 30), count=1)
    response = client.post("/daily/submit/", {"identifier": paper.arxiv_id})
    assert response.status_code == 302 and response["Location"] == f"/day/2026-06-30/#paper-{paper.pk}"
    assert sources.requests == []  # nothing fetched
    assert not Submission.objects.get(paper=paper).fetched


def test_duplicates_are_refused_politely(client, sources, reader):
    (paper,) = papers_on(date(2026, 6, 30), count=1)
    client.post("/daily/submit/", {"identifier": paper.arxiv_id})
    client.force_login(make_user("bob"))
    response = client.post("/daily/submit/", {"identifier": f"https://arxiv.org/abs/{paper.arxiv_id}v1"})
    html = response.content.decode()
    assert response.status_code == 409
    assert "This paper is already here: hui submitted it on" in html and "You can upvote it." in html
    assert f'href="/day/2026-06-30/#paper-{paper.pk}"' in html
    assert Submission.objects.get(paper=paper).user.username == "hui"


@pytest.mark.parametrize("typed, status, says", [
    ("not a paper", 400, "neither an arXiv id or URL nor a DOI"),
    ("<script>alert(1)</script>", 400, "&lt;script&gt;"),
    ("2601.99999", 404, "No paper 2601.99999 was found"),
    ("10.9999/nothing-here", 404, "No paper 10.9999/nothing-here was found"),
])  # fmt: skip
def test_bad_or_unknown_identifiers_say_what_is_wrong(client, sources, reader, typed, status, says):
    sources.script("/crossref/works/10.9999/nothing-here", Reply(404, body=b"Resource not found."))
    response = client.post("/daily/submit/", {"identifier": typed})
    assert response.status_code == status and says in response.content.decode()
    assert not Submission.objects.exists()


def test_an_unreachable_source_is_a_clear_message(client, sources, reader):
    sources.route("/api/query", lambda request: Reply(503, body=b"busy", headers={"Retry-After": "0"}))
    response = client.post("/daily/submit/", {"identifier": "2601.00001"})
    assert response.status_code == 503 and "could not be reached just now" in response.content.decode()


def test_signing_in_is_needed(client, sources):
    response = client.post("/daily/submit/", {"identifier": ARXIV_ID})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert not Paper.objects.exists()


def test_a_catalogue_paper_without_a_day_is_submitted_to_its_own_page(client, sources, reader):
    from academichub.core.records import PaperRecord, Version
    from academichub.papers.storage import CatalogueWriter

    CatalogueWriter("test").write([PaperRecord(doi="10.1000/undated", title="An undated journal article",
                                               authors=["Ada Lovelace"], versions=[Version(1, None)])])  # fmt: skip
    response = client.post("/daily/submit/", {"identifier": "10.1000/undated"})
    paper = Paper.objects.get(doi="10.1000/undated")
    assert response.status_code == 302 and response["Location"] == f"/paper/{paper.pk}"
    assert Submission.objects.filter(paper=paper).exists() and sources.requests == []
