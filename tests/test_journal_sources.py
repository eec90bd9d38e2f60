"""The new sources through the real HTTP client against a local server, plus their settings and schedule.

Bodies are the real recorded responses in ../shared/fixtures (bioRxiv,
medRxiv, Crossref, OpenAlex, PubMed; see PROVENANCE.md) or the built
fixtures in tests/fixtures (publisher feeds, Hugging Face). Where a test
needs paging the recorded data does not have, the recorded items are
served in several pages and only the paging fields are set (bioRxiv's
``messages``, OpenAlex's ``meta.next_cursor``, PubMed's ``WebEnv``); each
helper says what it changes.
"""

from __future__ import annotations

import gzip
import json
import re
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from academichub.core import biorxiv, crossref, hf_daily, openalex, publisher_rss, pubmed
from academichub.core.records import PaperRecord, Version
from academichub.papers.models import Merge, Paper, PaperSignal, Venue
from academichub.papers.storage import CatalogueWriter
from academichub.sources import registry, tasks
from academichub.sources.base import ConfigError
from academichub.sources.config import KNOWN_SOURCES, load_settings
from academichub.sources.models import Checkpoint, SourceConfig, SourceRun
from academichub.sources.status import collect_status, format_status
from tests.httpserver import Reply

pytestmark = pytest.mark.django_db
BUILT = Path(__file__).parent / "fixtures"
INTERVAL = ("2020-01-01", "2022-12-31")
JSON = {"Content-Type": "application/json"}


@pytest.fixture
def services(settings, local_server, monkeypatch):
    for name in ("OPENALEX_API_KEY", "NCBI_API_KEY", "CONTACT_EMAIL"):
        monkeypatch.delenv(name, raising=False)
    settings.BIORXIV_API_URL = local_server.url("")
    settings.CROSSREF_API_URL = local_server.url("")
    settings.OPENALEX_API_URL = local_server.url("")
    settings.PUBMED_EUTILS_URL = local_server.url("/eutils")
    settings.HF_API_URL = local_server.url("")
    settings.HTTP_MIN_INTERVAL = 0
    settings.CONTACT_EMAIL = "hub@example.org"
    settings.OPENALEX_API_KEY = "test-key"
    settings.NCBI_API_KEY = ""
    return local_server


def run(name: str, options=None, timeout: float = 1.0):
    with registry.make_client(backoff_base=1.0, max_retries=2, timeout=timeout) as client:
        return registry.run_source(registry.build_source(name, client), options or {})


def failing_run(name: str, options=None) -> tuple[SourceRun, Exception]:
    with pytest.raises(Exception) as caught:
        run(name, options)
    failed = SourceRun.objects.filter(source=name).first()
    assert failed.status == "failed" and failed.error
    return failed, caught.value


def checkpoint(name: str) -> dict:
    return Checkpoint.objects.get(key=f"source:{name}").value


# -- bioRxiv / medRxiv ---------------------------------------------------------------------------


def biorxiv_pages(fixtures_dir, server: str = "biorxiv", size: int = 25) -> dict[int, bytes]:
    """The recorded interval response's items served in pages of `size` (messages' cursor/count/total set)."""
    body = json.loads((fixtures_dir / f"{server}/findpapers_{server}_details_interval_2020-01-01_2022-12-31.json").read_text())
    items = body["collection"]
    pages = {}
    for cursor in range(0, len(items), size):
        chunk = items[cursor : cursor + size]
        message = {**body["messages"][0], "cursor": cursor, "count": len(chunk), "total": str(len(items))}
        pages[cursor] = json.dumps({"messages": [message], "collection": chunk}).encode()
    return pages


def serve_biorxiv(server, pages: dict[int, bytes], name: str = "biorxiv", replace: dict | None = None) -> None:
    for cursor, body in pages.items():
        reply = (replace or {}).get(cursor) or Reply(200, body=body, headers=JSON)
        server.script(f"/details/{name}/{INTERVAL[0]}/{INTERVAL[1]}/{cursor}", *(reply if isinstance(reply, tuple) else (reply,)))


def distinct(pages: dict[int, bytes], server: str = "biorxiv") -> set[str]:
    return {r.doi for body in pages.values() for r in biorxiv.parse_details(body, server).records}


BIORXIV_OPTIONS = {"from_date": INTERVAL[0], "until": INTERVAL[1]}


@pytest.mark.parametrize("server", ["biorxiv", "medrxiv"])
def test_biorxiv_and_medrxiv_page_through_an_interval(services, fixtures_dir, server):
    pages = biorxiv_pages(fixtures_dir, server)
    serve_biorxiv(services, pages, server)
    result = run(server, BIORXIV_OPTIONS)
    assert result.status == "ok" and result.new == Paper.objects.count() == len(distinct(pages, server))
    assert [r.path.rsplit("/", 1)[1] for r in services.requests] == ["0", "25"]
    state = checkpoint(server)
    assert state["done"] is True and state["seen"] == [0, 25] and state["window"] == list(INTERVAL)
    paper = Paper.objects.order_by("id").first()
    assert paper.doi.startswith("10.1101/") and paper.venue.name == ("bioRxiv" if server == "biorxiv" else "medRxiv")
    assert paper.source_badge.startswith(paper.venue.name + " (")
    again = run(server, BIORXIV_OPTIONS)
    assert (again.new, again.updated) == (0, 0) and Paper.objects.count() == len(distinct(pages, server))


def test_biorxiv_interrupted_resumes_at_its_cursor(services, fixtures_dir):
    pages = biorxiv_pages(fixtures_dir)
    serve_biorxiv(services, pages, replace={25: Reply(500, headers={"Retry-After": "0"})})
    failed, error = failing_run("biorxiv", BIORXIV_OPTIONS)
    assert "500" in str(error)
    stored = Paper.objects.count()
    assert stored == len(distinct({0: pages[0]}))
    assert checkpoint("biorxiv")["cursor"] == 25 and checkpoint("biorxiv")["seen"] == [0]
    services.requests.clear()
    serve_biorxiv(services, {25: pages[25]})
    assert run("biorxiv", BIORXIV_OPTIONS).status == "ok"
    assert [r.path.rsplit("/", 1)[1] for r in services.requests] == ["25"]
    assert Paper.objects.count() == len(distinct(pages))


def _page(body: bytes, **message) -> bytes:
    data = json.loads(body)
    data["messages"][0].update(message)
    return json.dumps(data).encode()


@pytest.mark.parametrize("fault, message", [
    (lambda p: Reply(200, body=p[25][: len(p[25]) // 2], headers=JSON), "cut short"),
    (lambda p: Reply(200, body=b"<html><body>Service Unavailable</body></html>"), "HTML page"),
    (lambda p: Reply(503, headers={"Retry-After": "0"}), "503"),
    (lambda p: Reply(200, body=p[25], delay=3), "did not answer within"),
    (lambda p: Reply(200, body=_page(b'{"messages": [{"status": "ok"}], "collection": []}', cursor=25, count=0,
                                     total="50"), headers=JSON), "is empty but the total is 50"),
    (lambda p: Reply(200, body=_page(p[25], cursor=0), headers=JSON), "already requested"),
], ids=["malformed-json", "html", "5xx-forever", "timeout", "empty-page", "cursor-loop"])
def test_biorxiv_faults_fail_clearly_and_keep_what_was_stored(services, fixtures_dir, fault, message):
    pages = biorxiv_pages(fixtures_dir)
    serve_biorxiv(services, pages, replace={25: fault(pages)})
    failed, error = failing_run("biorxiv", BIORXIV_OPTIONS)
    assert message.lower() in str(error).lower() and message.lower() in failed.error.lower()
    assert Paper.objects.count() >= len(distinct({0: pages[0]}))
    assert checkpoint("biorxiv")["done"] is False


def test_biorxiv_429_with_retry_after_is_retried(services, fixtures_dir):
    pages = biorxiv_pages(fixtures_dir)
    serve_biorxiv(services, pages, replace={0: (Reply(429, headers={"Retry-After": "1"}), Reply(200, body=pages[0], headers=JSON))})
    assert run("biorxiv", BIORXIV_OPTIONS).status == "ok"
    times = [r.at for r in services.requests if r.path.endswith("/0")]
    assert len(times) == 2 and times[1] - times[0] >= 0.9
    assert Paper.objects.count() == len(distinct(pages))


def test_biorxiv_default_window_is_recent_days(services):
    today = datetime.now(timezone.utc).date()
    path = f"/details/biorxiv/{today - timedelta(days=2)}/{today}/0"
    services.script(path, Reply(200, body=b'{"messages": [{"status": "no posts found"}], "collection": []}', headers=JSON))
    result = run("biorxiv")
    assert result.status == "ok" and result.fetched == 0 and services.requests[0].path == path
    assert checkpoint("biorxiv")["next_from"] == today.isoformat()


# -- Crossref ------------------------------------------------------------------------------------------


CROSSREF = "crossref/decoded/"
PEERJ = CROSSREF + "test_journals_works__0__journals_2167-8359_works_query_ecology_sort_score_order_asc.json"
CURSOR_0 = CROSSREF + "test_workscontainer_with_cursor__0__members_98_works_rows_5_cursor_2A.json"
CURSOR_1 = CROSSREF + "test_workscontainer_with_cursor__1__members_98_works_rows_5_cursor_next.json"


def crossref_bodies(fixtures_dir) -> dict[str, bytes]:
    """Recorded pages; "end" is the second cursor page with its items removed (Crossref's last page)."""
    second = json.loads((fixtures_dir / CURSOR_1).read_text())
    second["message"]["items"] = []
    return {"peerj": (fixtures_dir / PEERJ).read_bytes(), "c0": (fixtures_dir / CURSOR_0).read_bytes(),
            "c1": (fixtures_dir / CURSOR_1).read_bytes(), "end": json.dumps(second).encode()}  # fmt: skip


def crossref_responder(bodies: dict[str, bytes], faults: dict | None = None):
    """PeerJ (2167-8359): one page without a cursor. Nature (0028-0836): two cursor pages, then an empty one."""
    calls: dict[str, int] = {}
    pages_since_start: dict[str, int] = {}

    def answer(request) -> Reply:
        issn = re.search(r"issn:([\dX-]+)", request.param("filter") or "").group(1)
        calls[issn] = calls.get(issn, 0) + 1
        fault = (faults or {}).get((issn, calls[issn]))
        if fault is not None:
            return fault
        if issn == "2167-8359":
            return Reply(200, body=bodies["peerj"], headers=JSON)
        if request.param("cursor") == "*":
            pages_since_start[issn] = 0
            return Reply(200, body=bodies["c0"], headers=JSON)
        pages_since_start[issn] = pages_since_start.get(issn, 0) + 1
        return Reply(200, body=bodies["c1" if pages_since_start[issn] == 1 else "end"], headers=JSON)

    return answer


def crossref_expected(bodies) -> int:
    return len({r.doi.lower() for k in ("peerj", "c0", "c1") for r in crossref.parse_works(bodies[k]).records})


CROSSREF_OPTIONS = {"journals": ["2167-8359", "Nature"], "from_date": "2020-01-01", "until": "2020-12-31"}


def test_crossref_follows_journals_and_cursors(services, fixtures_dir):
    bodies = crossref_bodies(fixtures_dir)
    services.route("/works", crossref_responder(bodies))
    result = run("crossref", CROSSREF_OPTIONS)
    assert result.status == "ok" and not result.warning
    assert Paper.objects.count() == result.new == crossref_expected(bodies)
    first, nature = services.requests[0], services.requests[1]
    assert first.param("filter") == "issn:2167-8359,from-pub-date:2020-01-01,until-pub-date:2020-12-31"
    assert first.param("mailto") == "hub@example.org" and first.param("rows") == "100"
    assert nature.param("filter").startswith("issn:0028-0836") and nature.param("cursor") == "*"
    next_cursor = json.loads(bodies["c0"])["message"]["next-cursor"]
    assert [r.param("cursor") for r in services.requests[2:]] == [next_cursor, next_cursor]
    assert checkpoint("crossref")["done"] is True
    assert Venue.objects.filter(papers__isnull=False).exists()


def test_crossref_without_contact_email_warns(services, fixtures_dir, settings):
    settings.CONTACT_EMAIL = ""
    services.route("/works", crossref_responder(crossref_bodies(fixtures_dir)))
    result = run("crossref", CROSSREF_OPTIONS)
    assert result.status == "warning" and "CONTACT_EMAIL" in result.warning
    assert services.requests[0].param("mailto") is None


def test_crossref_cursor_loop_stops_and_keeps_the_pages(services, fixtures_dir):
    bodies = crossref_bodies(fixtures_dir)
    services.route("/works", crossref_responder(bodies, faults={("0028-0836", 2): Reply(200, body=bodies["c0"], headers=JSON)}))
    failed, error = failing_run("crossref", CROSSREF_OPTIONS)
    assert "looping" in str(error)
    peerj_and_first = {r.doi.lower() for k in ("peerj", "c0") for r in crossref.parse_works(bodies[k]).records}
    assert Paper.objects.count() == len(peerj_and_first)


def test_crossref_expired_cursor_restarts_the_journal(services, fixtures_dir):
    bodies = crossref_bodies(fixtures_dir)
    down = Reply(503, headers={"Retry-After": "0"})
    services.route("/works", crossref_responder(bodies, faults={("0028-0836", n): down for n in (2, 3, 4)}))
    failed, error = failing_run("crossref", CROSSREF_OPTIONS)
    assert "503 three times" in str(error)
    assert checkpoint("crossref")["journal"] == 1 and checkpoint("crossref")["cursor"] != "*"
    services.requests.clear()
    expired = Reply(404, body=b'{"status":"failed","message-type":"validation-failure","message":[{"type":"cursor",'
                              b'"value":"x","message":"Cursor has expired"}]}', headers=JSON)  # fmt: skip
    services.route("/works", crossref_responder(bodies, faults={("0028-0836", 1): expired}))
    result = run("crossref", CROSSREF_OPTIONS)
    assert result.status == "ok"
    assert [r.param("cursor") == "*" for r in services.requests][:2] == [False, True]
    assert Paper.objects.count() == crossref_expected(bodies)


def test_crossref_malformed_json_and_bad_journal_option(services, fixtures_dir):
    services.route("/works", lambda request: Reply(200, body=b'{"status": "ok", "message": {"items": [', headers=JSON))
    failed, error = failing_run("crossref", CROSSREF_OPTIONS)
    assert "cut short" in str(error)
    failed, error = failing_run("crossref", {"journals": ["Journal of Nothing"]})
    assert "give its ISSN" in str(error)


# -- OpenAlex -------------------------------------------------------------------------------------------


def openalex_pages(fixtures_dir, size: int = 25) -> dict[str, bytes]:
    """The recorded 50 works in pages of 25, chained by meta.next_cursor "c1", "c2"; "c2" is empty (the end)."""
    body = json.loads((fixtures_dir / "openalex/findpapers_works_search_ml_nlp_2020-2022_p50.json").read_text())
    works = body["results"]
    pages = {}
    for number, cursor in enumerate(("*", "c1", "c2")):
        chunk = works[number * size : (number + 1) * size]
        meta = {**body["meta"], "next_cursor": None if not chunk else f"c{number + 1}", "page": None}
        pages[cursor] = json.dumps({**body, "meta": meta, "results": chunk}).encode()
    return pages


OPENALEX_OPTIONS = {"sources": ["S4210172589"], "from_date": "2020-01-01", "until": "2022-12-31"}


def test_openalex_cursor_paging_with_the_api_key(services, fixtures_dir):
    pages = openalex_pages(fixtures_dir)
    services.route("/works", lambda r: Reply(200, body=pages[r.param("cursor")], headers=JSON))
    result = run("openalex", OPENALEX_OPTIONS)
    assert result.status == "ok" and [r.param("cursor") for r in services.requests] == ["*", "c1", "c2"]
    first = services.requests[0]
    assert first.param("api_key") == "test-key" and first.param("per-page") == "200"
    assert first.param("filter") == ("primary_location.source.id:S4210172589,"
                                     "from_publication_date:2020-01-01,to_publication_date:2022-12-31")
    expected = {r.doi or r.arxiv_id for body in pages.values() for r in openalex.parse_works(body).records}
    assert Paper.objects.count() == len(expected)


def test_openalex_without_an_api_key_fails_naming_the_setting(services, settings):
    settings.OPENALEX_API_KEY = ""
    failed, error = failing_run("openalex", OPENALEX_OPTIONS)
    assert "OPENALEX_API_KEY" in str(error) and "OPENALEX_API_KEY" in failed.error
    assert services.requests == []
    SourceConfig.objects.create(name="openalex", enabled=True, options={"sources": ["S1"]})
    assert any("OPENALEX_API_KEY" in w for w in collect_status()["warnings"])


def test_openalex_refused_key_and_cursor_loop(services, fixtures_dir):
    services.route("/works", lambda r: Reply(403, body=b'{"error": "Forbidden", "message": "bad api_key"}', headers=JSON))
    failed, error = failing_run("openalex", OPENALEX_OPTIONS)
    assert "OPENALEX_API_KEY" in str(error)
    pages = openalex_pages(fixtures_dir)
    looping = {"*": pages["*"], "c1": json.dumps({**json.loads(pages["c1"]), "meta": {"next_cursor": "c1"}}).encode()}
    services.route("/works", lambda r: Reply(200, body=looping[r.param("cursor")], headers=JSON))
    failed, error = failing_run("openalex", OPENALEX_OPTIONS)
    assert "looping" in str(error) and Paper.objects.count() == 50


def test_openalex_needs_something_to_follow(services):
    failed, error = failing_run("openalex", {})
    assert "sources, topics, institutions or filter" in str(error)


# -- PubMed ------------------------------------------------------------------------------------------------


def pubmed_bodies(fixtures_dir) -> dict[str, bytes]:
    """The recorded esearch JSON given a WebEnv/QueryKey (as with usehistory=y) and a count of 52;
    efetch pages: the recorded 50 articles, then biopython's recorded 2."""
    search = json.loads((fixtures_dir / "pubmed/findpapers_esearch_ml_nlp.json").read_text())
    search["esearchresult"].update({"count": "52", "webenv": "MCID_test_webenv", "querykey": "1"})
    return {"esearch": json.dumps(search).encode(),
            "0": (fixtures_dir / "pubmed/findpapers_efetch_pubmed_x50.xml").read_bytes(),
            "50": (fixtures_dir / "pubmed/biopython_pubmed1_efetch_12091962_9997.xml").read_bytes()}  # fmt: skip


PUBMED_OPTIONS = {"query": '"machine learning"[tiab]', "journals": ["Nature", "0028-0836"], "page_size": 50,
                  "from_date": "2020-01-01", "until": "2022-12-31"}  # fmt: skip


def serve_pubmed(server, bodies, efetch_faults: dict | None = None) -> None:
    server.script("/eutils/esearch.fcgi", Reply(200, body=bodies["esearch"], headers=JSON))
    faults = dict(efetch_faults or {})

    def efetch(request) -> Reply:
        fault = faults.pop(request.param("retstart"), None)
        return fault or Reply(200, body=bodies[request.param("retstart")], headers={"Content-Type": "text/xml"})

    server.route("/eutils/efetch.fcgi", efetch)


def pubmed_storable(bodies, *pages) -> int:
    return sum(1 for page in pages for r in pubmed.parse_efetch(bodies[page]) if r.doi)


def test_pubmed_esearch_history_then_efetch_pages(services, fixtures_dir):
    bodies = pubmed_bodies(fixtures_dir)
    serve_pubmed(services, bodies)
    result = run("pubmed", PUBMED_OPTIONS)
    assert result.status == "ok" and result.fetched == 52
    assert result.new == Paper.objects.count() == pubmed_storable(bodies, "0", "50")
    assert result.failed == 52 - result.new and {f["reason"] for f in result.failures} == {"no id or no title"}
    search = services.requests_for("/eutils/esearch.fcgi")[0]
    assert search.param("usehistory") == "y" and search.param("datetype") == "edat"
    assert search.param("term") == '(("machine learning"[tiab])) AND ("Nature"[ta] OR "0028-0836"[is])'
    assert search.param("mindate") == "2020/01/01" and search.param("api_key") is None
    fetches = services.requests_for("/eutils/efetch.fcgi")
    assert [(f.param("WebEnv"), f.param("retstart")) for f in fetches] == [("MCID_test_webenv", "0"),
                                                                          ("MCID_test_webenv", "50")]
    paper = Paper.objects.filter(venue__isnull=False).first()
    assert paper.venue.issns and paper.journal_ref


def test_pubmed_sends_the_ncbi_api_key(services, fixtures_dir, settings):
    settings.NCBI_API_KEY = "ncbi-key"
    serve_pubmed(services, pubmed_bodies(fixtures_dir))
    run("pubmed", PUBMED_OPTIONS)
    assert all(r.param("api_key") == "ncbi-key" for r in services.requests)


def test_pubmed_bad_xml_page_fails_and_resumes(services, fixtures_dir):
    bodies = pubmed_bodies(fixtures_dir)
    serve_pubmed(services, bodies, efetch_faults={"50": Reply(200, body=b"<PubmedArticleSet><PubmedArticle>")})
    failed, error = failing_run("pubmed", PUBMED_OPTIONS)
    assert "cut short" in str(error) or "not well-formed" in str(error)
    assert Paper.objects.count() == pubmed_storable(bodies, "0")
    assert checkpoint("pubmed")["retstart"] == 50
    services.requests.clear()
    serve_pubmed(services, bodies)
    run("pubmed", PUBMED_OPTIONS)
    assert [f.param("retstart") for f in services.requests_for("/eutils/efetch.fcgi")] == ["50"]
    assert Paper.objects.count() == pubmed_storable(bodies, "0", "50")


def test_pubmed_without_history_fetches_the_listed_ids(services, fixtures_dir):
    services.script("/eutils/esearch.fcgi", Reply(200, body=(fixtures_dir / "pubmed/findpapers_legacy2020_esearch.xml").read_bytes()))
    services.script("/eutils/efetch.fcgi", Reply(200, body=(fixtures_dir / "pubmed/findpapers_efetch_pubmed_x50.xml").read_bytes()))
    result = run("pubmed", {"query": "nlp"})
    assert result.status == "warning" and "fetched 50 of 51" in result.warning
    assert len(services.requests_for("/eutils/efetch.fcgi")[0].param("id").split(",")) == 50


def test_pubmed_needs_a_query(services):
    failed, error = failing_run("pubmed", {})
    assert "query" in str(error) and "sources.toml" in str(error)


# -- publisher feeds --------------------------------------------------------------------------------------


FEEDS = {"nature": ("built_publisher_rss_nature.xml", "Nature"), "prl": ("built_publisher_rss_aps_prl.xml", "Physical Review Letters"),
         "cell": ("built_publisher_rss_cell.xml", "Cell")}  # fmt: skip


def feed_options(server) -> dict:
    return {"feeds": [{"url": server.url(f"/{key}.rss"), "venue": venue} for key, (_, venue) in FEEDS.items()]}


def serve_feeds(server, replace: dict | None = None) -> None:
    for key, (name, _) in FEEDS.items():
        server.script(f"/{key}.rss", (replace or {}).get(key) or Reply(200, body=(BUILT / name).read_bytes()))


def test_publisher_feeds_store_journal_articles_with_their_venue(services):
    serve_feeds(services)
    result = run("publisher-rss", feed_options(services))
    assert result.status == "ok" and result.new == Paper.objects.count() == 16
    nature = Paper.objects.filter(venue__name="Nature").first()
    assert nature.source_badge == "Nature" and nature.doi.startswith("10.1038/")
    assert Paper.objects.filter(venue__badge="PRL").count() == 6
    assert run("publisher-rss", feed_options(services)).new == 0


def test_one_failing_feed_is_a_warning_all_failing_is_a_failure(services):
    serve_feeds(services, replace={"cell": Reply(503, headers={"Retry-After": "0"})})
    result = run("publisher-rss", feed_options(services))
    assert result.status == "warning" and "Cell" in result.warning and "503" in result.warning
    assert Paper.objects.count() == 12
    bad = Reply(200, body=b"<html><body>Are you a robot?</body></html>")
    serve_feeds(services, replace={key: bad for key in FEEDS})
    failed, error = failing_run("publisher-rss", feed_options(services))
    assert "every feed failed" in str(error) and "HTML page" in str(error)
    assert Paper.objects.count() == 12


@pytest.fixture(scope="module")
def nature_preprints(all_sample, tmp_path_factory) -> Path:
    """The arXiv records (from the shared 200k sample) of the articles in the built Nature feed."""
    dois = {r.doi.lower() for r in publisher_rss.parse_feed((BUILT / FEEDS["nature"][0]).read_bytes())}
    out = tmp_path_factory.mktemp("nature") / "nature-preprints.jsonl"
    with gzip.open(all_sample, "rb") as src, open(out, "wb") as dst:
        for line in src:
            if b"10.1038/nature" in line.lower():
                doi = ((json.loads(line).get("doi") or "").split() or [""])[0].rstrip(",").lower()
                if doi in dois:
                    dst.write(line)
    return out


def test_journal_feed_articles_join_their_arxiv_preprints(services, nature_preprints):
    from academichub.sources.importer import import_dump

    assert import_dump(nature_preprints).run.new == 6
    services.script("/nature.rss", Reply(200, body=(BUILT / FEEDS["nature"][0]).read_bytes()))
    result = run("publisher-rss", {"feeds": [{"url": services.url("/nature.rss"), "venue": "Nature"}]})
    assert (result.new, result.merged) == (0, 6)
    assert Paper.objects.count() == 6 and Merge.objects.count() == 6
    for paper in Paper.objects.all():
        assert paper.arxiv_id and paper.venue.name == "Nature" and paper.published_doi == paper.doi
        assert paper.source_badge.startswith("arXiv")


# -- Hugging Face Daily Papers ----------------------------------------------------------------------------


HF_DAY = "2026-06-30"


def test_hf_daily_signals_for_papers_in_the_catalogue_only(services):
    body = (BUILT / "built_hf_daily_papers_2026-06-30.json").read_bytes()
    items = hf_daily.parse_daily(body)
    CatalogueWriter("arxiv-rss").write([PaperRecord(arxiv_id=p.arxiv_id, title=p.title, versions=[Version(1, date(2026, 6, 29))])
                                        for p in items[:8]])  # fmt: skip
    services.script("/api/daily_papers", Reply(200, body=body, headers=JSON))
    result = run("hf-daily", {"from_date": HF_DAY, "until": HF_DAY})
    assert result.status == "ok" and (result.fetched, result.new, result.failed) == (12, 8, 0)
    assert Paper.objects.count() == 8 and PaperSignal.objects.count() == 8
    top = PaperSignal.objects.get(paper__arxiv_id=items[0].arxiv_id)
    assert (top.upvotes, top.comments, top.day, top.source) == (items[0].upvotes, items[0].num_comments, date(2026, 6, 30), "hf-daily")
    assert services.requests[0].param("date") == HF_DAY
    again = run("hf-daily", {"from_date": HF_DAY, "until": HF_DAY})
    assert (again.new, again.updated, again.unchanged) == (0, 0, 8)
    data = json.loads(body)
    data[0]["paper"]["upvotes"] += 5
    services.script("/api/daily_papers", Reply(200, body=json.dumps(data).encode(), headers=JSON))
    assert run("hf-daily", {"from_date": HF_DAY, "until": HF_DAY}).updated == 1
    assert PaperSignal.objects.get(paper__arxiv_id=items[0].arxiv_id).upvotes == items[0].upvotes + 5


@pytest.mark.parametrize("reply, message", [
    (Reply(200, body=b'{"error": "Invalid date"}', headers=JSON), "Invalid date"),
    (Reply(200, body=b"[{", headers=JSON), "cut short"),
    (Reply(502, headers={"Retry-After": "0"}), "502"),
], ids=["error-body", "malformed", "5xx"])
def test_hf_daily_faults(services, reply, message):
    services.script("/api/daily_papers", reply)
    failed, error = failing_run("hf-daily", {"from_date": HF_DAY, "until": HF_DAY})
    assert message in str(error)


# -- settings: defaults < sources.toml < admin --------------------------------------------------------------


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("ACADEMICHUB_HOME", str(tmp_path))
    return tmp_path


def test_defaults_follow_the_environment(home, settings):
    loaded = load_settings()
    assert list(loaded.sources) == list(KNOWN_SOURCES) and loaded.enabled() == ["arxiv-rss"]
    assert loaded.sources["arxiv-rss"].schedule == settings.ARXIV_SCHEDULE
    assert loaded.sources["crossref"].every == "every 1d"


def test_the_file_wins_over_defaults_and_the_admin_over_the_file(home):
    (home / "sources.toml").write_text(
        '[crossref]\nenabled = true\ninterval = "6h"\njournals = ["0028-0836", "Science"]\ndays_back = 3\n\n'
        '[publisher-rss]\nenabled = true\nfeeds = [{url = "https://example.org/feed.rss", venue = "Example"}]\n'
    )
    loaded = load_settings()
    crossref_conf = loaded.sources["crossref"]
    assert crossref_conf.enabled and crossref_conf.interval_minutes == 360 and crossref_conf.layers == ["defaults", "sources.toml"]
    assert crossref_conf.options == {"journals": ["0028-0836", "Science"], "days_back": 3}
    assert loaded.enabled() == ["arxiv-rss", "crossref", "publisher-rss"]
    SourceConfig.objects.create(name="crossref", enabled=False, options={"journals": ["2041-1723"]})
    SourceConfig.objects.create(name="hf-daily", enabled=True, interval_minutes=120)
    loaded = load_settings()
    assert loaded.sources["crossref"].enabled is False
    assert loaded.sources["crossref"].options == {"journals": ["2041-1723"], "days_back": 3}
    assert loaded.sources["crossref"].interval_minutes == 360  # not set in the admin: the file's
    assert loaded.sources["hf-daily"].every == "every 2h" and "admin" in loaded.sources["hf-daily"].layers


@pytest.mark.parametrize("text, message", [
    ("[crossref\nenabled = true\n", "fix the TOML syntax"),
    ("[crossref]\njournal = [\"0028-0836\"]\n", "unknown option 'journal' for crossref"),
    ("[crosref]\nenabled = true\n", "unknown source [crosref]"),
    ("[biorxiv]\ninterval = \"often\"\n", "use minutes (360) or 30m, 6h, 1d"),
    ("[arxiv-rss]\nschedule = \"25:00 Mars/Olympus daily\"\n", "schedule"),
], ids=["syntax", "option", "source", "interval", "schedule"])
def test_a_broken_file_is_reported_and_never_half_used(home, text, message):
    (home / "sources.toml").write_text(text)
    loaded = load_settings()
    assert message in loaded.errors[0] and str(home / "sources.toml") in loaded.errors[0]
    assert loaded.enabled() == ["arxiv-rss"]  # defaults only
    with pytest.raises(ConfigError, match=re.escape(message)):
        registry.run_sources(None, {})
    warnings = collect_status()["warnings"]
    assert any(message in w for w in warnings)


def test_admin_form_validation_names_the_problem():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="unknown option"):
        SourceConfig(name="crossref", options={"journal": []}).full_clean()
    with pytest.raises(ValidationError, match="unknown source"):
        SourceConfig(name="nope").full_clean()


def test_status_lists_every_configured_source_even_those_that_never_ran(home, services, fixtures_dir):
    (home / "sources.toml").write_text('[crossref]\nenabled = true\ninterval = "6h"\n')
    services.route("/works", crossref_responder(crossref_bodies(fixtures_dir)))
    run("crossref", CROSSREF_OPTIONS)
    figures = collect_status()
    rows = {row["source"]: row for row in figures["sources"]}
    assert set(KNOWN_SOURCES) <= set(rows)
    assert rows["biorxiv"]["status"] == "never ran" and rows["biorxiv"]["enabled"] is False
    assert rows["crossref"]["status"] == "ok" and rows["crossref"]["new"] > 0
    text = format_status(figures)
    assert "crossref (enabled, every 6h; settings: sources.toml): last run" in text
    assert "pubmed (disabled, every 1d; settings: defaults): never ran" in text
    assert "arxiv-rss (enabled, at " in text


def test_run_sources_applies_settings_and_command_line_options(home, services, fixtures_dir):
    (home / "sources.toml").write_text('[crossref]\nenabled = true\njournals = ["2167-8359", "Nature"]\n')
    services.route("/works", crossref_responder(crossref_bodies(fixtures_dir)))
    [result] = registry.run_sources(["crossref"], {"from_date": "2020-01-01", "until": "2020-12-31", "ids": None})
    assert result.status == "ok" and services.requests[0].param("filter").startswith("issn:2167-8359,from-pub-date:2020-01-01")


# -- the schedule -----------------------------------------------------------------------------------------------


def test_due_by_interval_and_by_schedule():
    from academichub.sources.config import SourceSettings

    now = datetime(2026, 6, 29, 0, 2, tzinfo=timezone.utc)  # Sun 20:02 in New York
    hourly = SourceSettings("crossref", enabled=True, interval_minutes=60)
    assert tasks.is_due(hourly, None, now)
    assert not tasks.is_due(hourly, now - timedelta(minutes=30), now)
    assert tasks.is_due(hourly, now - timedelta(minutes=61), now)
    assert not tasks.is_due(SourceSettings("crossref", enabled=False, interval_minutes=60), None, now)
    arxiv = SourceSettings("arxiv-rss", enabled=True, schedule="20:00 America/New_York sun-thu")
    assert tasks.is_due(arxiv, now - timedelta(hours=23), now)
    assert not tasks.is_due(arxiv, now - timedelta(minutes=1), now)  # ran after tonight's firing
    friday = datetime(2026, 6, 27, 1, 0, tzinfo=timezone.utc)  # Fri 21:00: Thursday's firing is the last
    assert not tasks.is_due(arxiv, datetime(2026, 6, 26, 0, 5, tzinfo=timezone.utc), friday)


def test_due_sources_skips_running_and_recent_runs(home):
    (home / "sources.toml").write_text('[crossref]\nenabled = true\ninterval = "1h"\n[biorxiv]\nenabled = true\n'
                                       '[hf-daily]\nenabled = true\ninterval = "30m"\n')  # fmt: skip
    now = datetime.now(timezone.utc)
    SourceRun.objects.create(source="crossref", started=now - timedelta(minutes=10), status="ok")
    SourceRun.objects.create(source="hf-daily", started=now - timedelta(minutes=5), status="running")
    SourceRun.objects.create(source="arxiv-rss", started=now, status="ok")
    assert tasks.due_sources(now) == ["biorxiv"]


def test_dispatch_queues_due_sources_and_a_held_lock_skips(home, monkeypatch):
    from huey.contrib.djhuey import HUEY

    (home / "sources.toml").write_text('[biorxiv]\nenabled = true\n[medrxiv]\nenabled = true\n')
    SourceRun.objects.create(source="arxiv-rss", status="ok")
    queued = []
    monkeypatch.setattr(tasks, "run_configured_source", queued.append)
    try:
        with HUEY.lock_task(tasks.lock_name("medrxiv")):
            tasks.dispatch_due_sources.call_local()
            assert queued == ["biorxiv"]
        monkeypatch.undo()
        monkeypatch.setenv("ACADEMICHUB_HOME", str(home))
        with HUEY.lock_task(tasks.lock_name("medrxiv")):
            assert tasks.run_configured_source.call_local("medrxiv") is None
        assert not SourceRun.objects.filter(source="medrxiv").exists()  # skipped: another run holds the lock
    finally:
        HUEY.flush_locks()


def test_runs_whose_worker_stopped_beating_are_closed_and_the_scheduled_ones_run_again(home, monkeypatch):
    from huey.contrib.djhuey import HUEY

    from academichub.sources.runs import DEAD_AFTER

    (home / "sources.toml").write_text('[crossref]\nenabled = true\ninterval = "1h"\n'
                                       '[biorxiv]\nenabled = true\ninterval = "1h"\n')  # fmt: skip
    now = datetime.now(timezone.utc)
    SourceRun.objects.create(source="arxiv-rss", started=now, status="ok")
    long_ago = now - DEAD_AFTER - timedelta(minutes=1)
    killed = SourceRun.objects.create(source="crossref", started=long_ago, heartbeat=long_ago, status="running",
                                      scheduled=True)  # fmt: skip
    one_off = SourceRun.objects.create(source="arxiv-oai", started=long_ago, status="running")
    slow = SourceRun.objects.create(source="biorxiv", started=now - timedelta(hours=2), status="running",
                                    heartbeat=now - timedelta(seconds=30))  # a long harvest, still beating
    queued = []
    monkeypatch.setattr(tasks, "run_configured_source", queued.append)
    try:
        for source in ("crossref", "biorxiv"):
            HUEY.put_if_empty(f"{HUEY.name}.lock.{tasks.lock_name(source)}", "1")  # HUEY.lock_task's key
        tasks.dispatch_due_sources.call_local()
        assert not HUEY.is_locked(tasks.lock_name("crossref")) and HUEY.is_locked(tasks.lock_name("biorxiv"))
    finally:
        HUEY.flush_locks()
    assert queued == ["crossref"]  # the one-off job comes back through the queue, the slow run goes on
    for run in (killed, one_off, slow):
        run.refresh_from_db()
    assert (killed.status, one_off.status, slow.status) == ("failed", "failed", "running")
    assert "no heartbeat" in killed.error and killed.finished is not None


def test_a_lock_left_by_a_killed_run_is_taken_over(home, services, fixtures_dir):
    """kill -9 leaves the run "running" and the lock held: the requeued job takes over once the heartbeat is old."""
    from huey.contrib.djhuey import HUEY
    from huey.exceptions import RetryTask

    from academichub.sources.runs import DEAD_AFTER

    (home / "sources.toml").write_text(f'[biorxiv]\nenabled = true\nfrom_date = "{INTERVAL[0]}"\nuntil = "{INTERVAL[1]}"\n')
    serve_biorxiv(services, biorxiv_pages(fixtures_dir))
    silent = datetime.now(timezone.utc) - DEAD_AFTER - timedelta(seconds=1)
    try:
        with HUEY.lock_task(tasks.lock_name("biorxiv")):  # what the killed worker left behind
            alive = SourceRun.objects.create(source="biorxiv", status="running")
            with pytest.raises(RetryTask):  # its worker still beats: try again later, never drop the request
                tasks.ingest_now.call_local(["biorxiv"])
            assert tasks.run_configured_source.call_local("biorxiv") is None  # a scheduled run is just skipped
            SourceRun.objects.filter(pk=alive.pk).update(started=silent, heartbeat=silent)
            [run_id] = tasks.ingest_now.call_local(["biorxiv"])
    finally:
        HUEY.flush_locks()
    assert SourceRun.objects.get(pk=run_id).status == "ok" and SourceRun.objects.get(pk=run_id).new > 0


@pytest.mark.django_db(transaction=True)
def test_a_running_source_beats_from_its_own_thread(monkeypatch):
    import time

    from academichub.sources import runs

    monkeypatch.setattr(runs, "HEARTBEAT_SECONDS", 0.05)
    with runs.recorded_run("crossref") as run:
        first = SourceRun.objects.get(pk=run.pk).heartbeat
        time.sleep(0.4)  # a long wait for a page: no batch is written, the thread still beats
        assert SourceRun.objects.get(pk=run.pk).heartbeat > first
    assert SourceRun.objects.get(pk=run.pk).status == "ok"


def test_a_scheduled_run_is_recorded_as_scheduled(home, services, fixtures_dir):
    (home / "sources.toml").write_text(f'[biorxiv]\nenabled = true\nfrom_date = "{INTERVAL[0]}"\nuntil = "{INTERVAL[1]}"\n')
    serve_biorxiv(services, biorxiv_pages(fixtures_dir))
    try:
        tasks.run_configured_source.call_local("biorxiv")
    finally:
        from huey.contrib.djhuey import HUEY

        HUEY.flush_locks()
    run_ = SourceRun.objects.get(source="biorxiv")
    assert run_.scheduled and run_.status == "ok" and run_.new > 0
