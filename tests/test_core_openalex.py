"""parse_works on a real OpenAlex works page (../shared/fixtures/openalex, re-serialised by findpapers)."""

from __future__ import annotations

import json
from datetime import date

import pytest

from academichub import paths
from academichub.core.errors import ParseError
from academichub.core.http import PoliteClient
from academichub.core.openalex import (MAX_ABSTRACT_WORDS, build_works_params, find_arxiv_id, parse_works,
                                       rebuild_abstract, slug)  # fmt: skip
from academichub.core.records import Version
from tests.httpserver import Reply

PAGE = paths.shared_dir() / "fixtures" / "openalex" / "findpapers_works_search_ml_nlp_2020-2022_p50.json"


@pytest.fixture(scope="module")
def data() -> bytes:
    if not PAGE.is_file():
        pytest.fail(f"shared fixture missing: {PAGE}; set ACADEMICHUB_SHARED or put shared/ beside the repo")
    return PAGE.read_bytes()


@pytest.fixture(scope="module")
def body(data) -> dict:
    return json.loads(data)


def test_the_page(data):
    page = parse_works(data)
    assert len(page.records) == 50 and page.count == 65899 and page.skipped == []
    assert page.next_cursor is None  # the recording used page-based paging
    assert sum(1 for r in page.records if r.abstract) == 49  # as PROVENANCE.md counts them


def test_a_work_in_full(data):
    record = parse_works(data).records[0]
    assert record.doi == "10.3126/nelta.v27i1-2.53203"  # https://doi.org/ stripped
    assert record.title == "ELT in the Age of Arti\ufb01cial Intelligence (AI): Working with Machines"
    assert record.authors == ["Janpha Thadphoothon"] and record.affiliations == ["Dhurakij Pundit University"]
    assert record.venue == "Journal of NELTA" and record.issn == "2091-0487"
    assert record.versions == [Version(1, date(2022, 12, 31))]
    assert record.categories == ["openalex:technology-enhanced-education-studies"]
    assert record.source_ids == {"openalex": "W4327510205"}
    assert record.abs_url == "http://dx.doi.org/10.3126/nelta.v27i1-2.53203"
    assert record.pdf_url.endswith("/download/53203/39849")
    assert record.abstract.startswith("Since 2016, the development of arti\ufb01cial intelligence (AI)")
    assert record.abstract.endswith("existing roles of the ELT teachers.")


def test_the_abstract_is_the_inverted_index_in_order(body):
    index = body["results"][0]["abstract_inverted_index"]
    words = rebuild_abstract(index).split(" ")
    assert len(words) == sum(len(p) for p in index.values())
    for word, positions in index.items():
        assert all(words[p] == word for p in positions)


def test_arxiv_ids_come_from_locations(data):
    by_id = {r.source_ids["openalex"]: r for r in parse_works(data).records}
    journal = by_id["W4315645596"]  # a journal article with an arXiv copy among its locations
    assert (journal.doi, journal.arxiv_id) == ("10.18280/isi.270614", "2308.11589")
    preprint = by_id["W4313483589"]  # an arXiv preprint: DOI 10.48550/arxiv.2301.00236
    assert preprint.arxiv_id == "2301.00236" and preprint.venue == "arXiv (Cornell University)"
    assert sum(1 for r in by_id.values() if r.arxiv_id) == 2


def test_pmid_and_licence(data):
    records = parse_works(data).records
    with_pmid = [r for r in records if "pmid" in r.source_ids]
    assert with_pmid and all(r.source_ids["pmid"].isdigit() for r in with_pmid)
    assert {r.license for r in records} >= {"cc-by", "cc-by-nc-sa", ""}


def test_every_work_has_topics_as_categories(data):
    records = parse_works(data).records
    assert all(r.categories and all(c.startswith("openalex:") for c in r.categories) for r in records)
    assert all(c == c.lower() and " " not in c for r in records for c in r.categories)


def test_concepts_when_there_are_no_topics(body):
    work = {**body["results"][0], "topics": [], "primary_topic": None}
    page = parse_works(json.dumps({"meta": {}, "results": [work]}).encode())
    assert page.records[0].categories == ["openalex:grammar", "openalex:computer-science",
                                          "openalex:artificial-intelligence", "openalex:psychology",
                                          "openalex:linguistics"]  # Philosophy has score 0  # fmt: skip


def test_slug():
    assert slug("Technology-Enhanced Education Studies") == "technology-enhanced-education-studies"
    assert slug("Natural Language Processing (NLP) & AI") == "natural-language-processing-nlp-ai"


# -- the inverted index -----------------------------------------------------------------


@pytest.mark.parametrize(("index", "text"), [
    ({"b": [1], "a": [0], "c": [2]}, "a b c"),
    ({"a": [0], "c": [7]}, "a c"),  # a gap is closed
    ({"a": [0, 2], "b": [1]}, "a b a"),
    ({"a": [0], "b": [0]}, "a"),  # two words at one position: the first wins
    ({"a": [0], "b": ["1"], "c": [-3], "d": [True], "e": None, 5: [1]}, "a"),
    ({}, ""),
    (None, ""),
    ([["a", 0]], ""),
])
def test_rebuild_abstract_is_robust(index, text):
    assert rebuild_abstract(index) == text


def test_a_huge_index_is_cut_not_allocated():
    index = {f"w{i}": [i * 1_000_000_000] for i in range(MAX_ABSTRACT_WORDS + 500)}
    words = rebuild_abstract(index).split()
    assert len(words) == MAX_ABSTRACT_WORDS and words[0] == "w0"


def test_find_arxiv_id_ignores_other_hosts():
    work = {"locations": [{"landing_page_url": "https://example.org/papers/2308.11589"}],
            "ids": {}, "doi": "https://doi.org/10.1000/2301.00236"}  # fmt: skip
    assert find_arxiv_id(work) is None
    assert find_arxiv_id({"ids": {"arxiv": "arXiv:2101.00001v2"}}) == "2101.00001"


# -- errors and parameters -----------------------------------------------------------------


@pytest.mark.parametrize(("body", "message"), [
    (b"", "empty"),
    (b"<!DOCTYPE html><html><body>Bad gateway</body></html>", "HTML page"),
    (b'{"meta": {"count": 3}, "results": [{"id": "https://openalex.org/W1"', "cut short"),
    (b'{"meta": {"count": 3}, "results": [}', "not valid JSON"),
    (b'{"meta": {"count": 3}}', "no 'results' array"),
    (b'{"error": "Invalid query parameters error.", "message": "filter is not a valid field"}',
     "Invalid query parameters error. filter is not a valid field"),
    (b'{"error": "Forbidden", "message": "An api_key is required"}', "check the api_key"),
])
def test_bad_bodies(body, message):
    with pytest.raises(ParseError, match=message) as caught:
        parse_works(body)
    assert caught.value.source == "OpenAlex"


def test_a_real_page_cut_short(data):
    with pytest.raises(ParseError, match="cut short"):
        parse_works(data[: len(data) // 3])


def test_an_empty_page_and_broken_works():
    page = parse_works(b'{"meta": {"count": 0, "next_cursor": null}, "results": []}')
    assert page.records == [] and page.count == 0 and page.next_cursor is None
    page = parse_works(b'{"meta": {}, "results": [{"id": "https://openalex.org/W9", "title": ""}, 7]}')
    assert page.records == [] and page.skipped == ["https://openalex.org/W9: no title", "work without id: no OpenAlex id"]


def test_build_works_params():
    params = build_works_params({"from_publication_date": date(2026, 6, 1), "primary_location.source.issn": "1476-4687"},
                                per_page=100, api_key="k3y", mailto="ops@example.org")  # fmt: skip
    assert params == {"per-page": "100", "cursor": "*", "api_key": "k3y", "mailto": "ops@example.org",
                      "filter": "from_publication_date:2026-06-01,primary_location.source.issn:1476-4687"}  # fmt: skip
    assert build_works_params("type:article", cursor="IlsxNjA5", api_key="k")["filter"] == "type:article"


@pytest.mark.parametrize("kwargs", [{}, {"api_key": "  "}, {"api_key": "k", "per_page": 201},
                                    {"api_key": "k", "per_page": 0}, {"api_key": "k", "filter": {"a,b": "c"}}])
def test_build_works_params_refuses(kwargs):
    with pytest.raises(ValueError):
        build_works_params(**kwargs)


def test_cursor_paging_through_a_real_local_server(local_server, body):
    first = {**body, "meta": {**body["meta"], "next_cursor": "IlsxNjA5NDU2MDAwMDAwLCAnVzQzMjc1MTAyMDUnXSI="}}
    last = {"meta": {"count": 65899, "next_cursor": None}, "results": body["results"][:2]}
    local_server.route("/works", lambda request: Reply(
        200, body=json.dumps(first if request.param("cursor") == "*" else last), headers={"Content-Type": "application/json"}))
    pages, cursor = [], "*"
    with PoliteClient(min_interval=0, sleep=lambda s: None) as http:
        while cursor:
            page = parse_works(http.get(local_server.url("/works"), params=build_works_params(cursor=cursor, api_key="k")).content)
            pages.append(page)
            cursor = page.next_cursor
    assert [len(p.records) for p in pages] == [50, 2]
    assert all(r.param("api_key") == "k" for r in local_server.requests)


# -- hostile bodies (found by tests/fuzzing.py) ------------------------------------------


def test_fields_of_the_wrong_type_read_as_absent():
    """``(work.get("ids") or {}).get`` raised on a list; a string score compared with 0 raised TypeError."""
    work = {"id": "https://openalex.org/W1", "title": "A title", "ids": ["x"], "best_oa_location": [1],
            "primary_location": "x", "locations": {"a": 1}, "topics": 5, "concepts": [{"display_name": "ML",
            "score": "0.9"}, {"display_name": "AI", "score": 0.5}], "authorships": [{"author": [],
            "raw_author_name": "A. B", "institutions": "MIT", "raw_affiliation_strings": "MIT"}],
            "publication_date": 2020, "doi": ["10.1/x"], "abstract_inverted_index": []}  # fmt: skip
    page = parse_works(json.dumps({"meta": {"count": "9" * 5000}, "results": [work]}).encode())
    (record,) = page.records
    assert record.categories == ["openalex:ai"] and record.authors == ["A. B"] and record.affiliations == []
    assert (record.doi, record.pdf_url, record.abs_url, record.versions[0].date) == (None, "", "", None)
    assert record.source_ids == {"openalex": "W1"} and page.count is None


def test_a_numeric_mag_id_is_kept():
    work = {"id": "https://openalex.org/W1", "title": "T", "ids": {"mag": 2741809807, "pmid": True}}
    (record,) = parse_works(json.dumps({"results": [work]}).encode()).records
    assert record.source_ids == {"openalex": "W1", "mag": "2741809807"}
