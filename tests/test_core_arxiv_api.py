"""parse_api on real arXiv Export API responses (../shared/fixtures/arxiv_api).

The ``.json`` fixtures wrap the body as ``{url, status_code, body}`` with the
body decoded as latin-1; ``load`` recovers the original UTF-8 bytes.
"""

from __future__ import annotations

import json
import re
from datetime import date

import pytest

from academichub import paths
from academichub.core.arxiv_api import build_query_params, parse_api
from academichub.core.errors import ParseError
from academichub.core.http import FetchError, PoliteClient
from academichub.core.records import Version
from tests.httpserver import Reply

API_DIR = paths.shared_dir() / "fixtures" / "arxiv_api"
ERROR_400 = "id_abc_s0_m100_b79c8dcf6bc3.json"


def load(name: str) -> bytes:
    """The response body exactly as arXiv sent it."""
    path = API_DIR / name
    if not path.is_file():
        pytest.fail(f"shared fixture missing: {path}; set ACADEMICHUB_SHARED or put shared/ beside the repo")
    if path.suffix == ".json":
        return json.loads(path.read_text(encoding="utf-8"))["body"].encode("latin-1")
    return path.read_bytes()


def status_of(name: str) -> int:
    return json.loads((API_DIR / name).read_text(encoding="utf-8"))["status_code"]


ALL_OK = sorted(p.name for p in API_DIR.glob("*") if p.name != ERROR_400 and p.suffix in (".json", ".xml"))


def test_one_paper_current_format():
    page = parse_api(load("id_1605.08386_s0_m100_199195aa31ad.json"))
    assert (page.total_results, page.start_index, page.items_per_page) == (1, 0, 100)
    (record,) = page.records
    assert record.arxiv_id == "1605.08386" and record.title == "Heat-bath random walks with Markov bases"
    assert record.authors == ["Caprice Stanley", "Tobias Windisch"]
    assert record.categories == ["math.CO", "math.ST"]
    assert record.comments == "20 pages, 3 figures"
    assert record.versions == [Version(1, date(2016, 5, 26))]
    assert record.abstract.startswith("Graphs on lattice points are studied")
    assert (record.abs_url, record.pdf_url) == ("https://arxiv.org/abs/1605.08386", "https://arxiv.org/pdf/1605.08386")
    assert record.doi is None and record.license == ""  # the API carries no licence


def test_old_style_id_with_journal_ref():
    (record,) = parse_api(load("id_astro-ph_0601001_s0_m100_3150dca9dc76.json")).records
    assert record.arxiv_id == "astro-ph/0601001" and record.categories == ["astro-ph"]
    assert record.journal_ref == "ActaAstron.56:1-50,2006"
    assert record.authors == ["Andrew Gould", "Susan Dorsher", "B. Scott Gaudi", "Andrzej Udalski"]
    assert record.comments.startswith("62 pages including 16 figures")
    assert "V_max<17.5" in record.abstract  # entities decoded


def test_versioned_old_style_query():
    (record,) = parse_api(load("id_quant-ph_0201082v1_s0_m100_86989fe779ef.json")).records
    assert record.arxiv_id == "quant-ph/0201082" and record.categories == ["quant-ph", "cs.PL"]


def test_latest_version_and_its_date():
    page = parse_api(load("findpapers_query_ml_nlp_2020-2022_m50.xml"))
    assert (page.total_results, len(page.records)) == (96778, 50)
    record = page.records[0]
    assert record.arxiv_id == "2301.00306" and record.latest_version == 4
    assert record.versions == [Version(1, date(2022, 12, 31)), Version(4, date(2025, 8, 24))]
    assert record.published == date(2022, 12, 31)


def test_legacy_2016_format_with_doi():
    (record,) = parse_api(load("legacy2016_id_list_1111.2011v2.xml")).records
    assert record.arxiv_id == "1111.2011" and record.doi == "10.1103/PhysRevB.85.115117"
    assert record.journal_ref == "Phys. Rev. B 85, 115117 (2012)"
    assert record.categories == ["cond-mat.str-el", "cond-mat.stat-mech"]
    assert record.title == ("Quantum Criticality for Extended Nodes on a Bethe Lattice in the Large "
                            "Connectivity Limit")  # fmt: skip
    assert record.versions == [Version(1, date(2011, 11, 8)), Version(2, date(2012, 4, 2))]


def test_legacy_2020_format_ignores_commented_out_elements():
    page = parse_api(load("findpapers_legacy2020_query_ml_nlp_m20.xml"))
    assert (page.total_results, len(page.records)) == (21, 20)
    # the collector edited <published> and kept the original in a comment; the element wins
    assert page.records[0].versions == [Version(1, date(2020, 8, 25))]
    assert page.records[0].categories == ["cs.SI", "cs.CL", "cs.LG"]


def test_primary_category_comes_first_even_when_listed_later():
    page = parse_api(load("q_testing_s0_m100_cfe7536492ca.json"))
    raw = load("q_testing_s0_m100_cfe7536492ca.json").decode("utf-8")
    primaries = re.findall(r'<arxiv:primary_category term="([^"]+)"', raw)
    assert [r.categories[0] for r in page.records] == primaries


@pytest.mark.parametrize("name", ALL_OK)
def test_every_recorded_response_parses(name):
    page = parse_api(load(name))
    assert page.skipped == [] and len(page.records) <= (page.items_per_page or 0)
    for record in page.records:
        assert record.arxiv_id and not re.search(r"v\d+$", record.arxiv_id)  # versions live in .versions
        assert record.title and record.authors and record.categories and record.abstract
        assert record.versions[0].number == 1 and record.versions[0].date is not None
        assert record.doi is None or ("," not in record.doi and " " not in record.doi)


def test_pages_of_one_query_agree():
    everything = [r.arxiv_id for r in parse_api(load("q_testing_s0_m100_cfe7536492ca.json")).records]
    for path in API_DIR.glob("q_testing_s*_m1?_*.json"):
        start = int(re.search(r"_s(\d+)_", path.name).group(1))
        page = parse_api(load(path.name))
        assert page.start_index == start
        assert [r.arxiv_id for r in page.records] == everything[start : start + len(page.records)]


@pytest.mark.parametrize("name", ["id_0000.0000_s0_m100_8b51d9633a68.json", "id_0808.05394_s0_m100_7b0c7d0a7cdd.json"])
def test_no_results_is_an_empty_page(name):
    page = parse_api(load(name))
    assert page.records == [] and page.total_results == 0


def test_an_invalid_id_next_to_a_valid_one_is_silently_dropped_by_arxiv():
    (record,) = parse_api(load("id_0808.05394_1707.08567_s0_m100_42e5aa0ec3af.json")).records
    assert record.arxiv_id == "1707.08567" and len(record.authors) == 34


def test_the_400_error_entry_raises_with_arxivs_message():
    assert status_of(ERROR_400) == 400
    with pytest.raises(ParseError) as caught:
        parse_api(load(ERROR_400))
    assert caught.value.code == "incorrect_id_format_for_abc" and caught.value.source == "arXiv API"
    assert "incorrect id format for abc" in str(caught.value)


def test_fetch_then_parse_through_a_real_local_server(local_server):
    """The whole path: PoliteClient gets real recorded bodies from 127.0.0.1, parse_api reads them."""
    local_server.script("/api/query", Reply(503, headers={"Retry-After": "0"}),
                        Reply(200, body=load("id_1605.08386_s0_m100_199195aa31ad.json"),
                              headers={"Content-Type": "application/atom+xml; charset=UTF-8"}))  # fmt: skip
    with PoliteClient(min_interval=0, sleep=lambda s: None) as http:
        response = http.get(local_server.url("/api/query"), params=build_query_params(id_list=["1605.08386"]))
    assert parse_api(response.content).records[0].arxiv_id == "1605.08386"
    assert local_server.requests_for("/api/query")[-1].param("id_list") == "1605.08386"

    local_server.script("/api/bad", Reply(400, body=load(ERROR_400)))
    with PoliteClient(min_interval=0) as http, pytest.raises(FetchError) as caught:
        http.get(local_server.url("/api/bad"), params=build_query_params(id_list="abc"))
    assert (caught.value.status, caught.value.retryable) == (400, False)
    with pytest.raises(ParseError, match="incorrect id format for abc"):
        parse_api(caught.value.body)  # the 400 body explains the failure


def test_malformed_xml():
    with pytest.raises(ParseError, match="not well-formed"):
        parse_api(b"<feed xmlns='http://www.w3.org/2005/Atom'><entry><id>x</entry></feed>")


def test_a_body_cut_mid_document():
    data = load("q_testing_s0_m10_bc5a6c384fe9.json")
    with pytest.raises(ParseError, match="cut short"):
        parse_api(data[: len(data) * 2 // 3])


def test_an_html_error_page():
    with pytest.raises(ParseError, match="HTML page"):
        parse_api(b"<html><head><title>Rate exceeded</title></head><body>Slow down<hr></body></html>")


@pytest.mark.parametrize("body", [b"", b"<rss version='2.0'><channel/></rss>"])
def test_empty_or_foreign_bodies(body):
    with pytest.raises(ParseError):
        parse_api(body)


def test_query_params():
    assert build_query_params(id_list=["1605.08386", "astro-ph/0601001v1"]) == {
        "start": "0", "max_results": "100", "id_list": "1605.08386,astro-ph/0601001v1"}  # fmt: skip
    assert build_query_params(search_query="all:testing", start=10, max_results=10, sort_by="submittedDate",
                              sort_order="descending") == {
        "start": "10", "max_results": "10", "search_query": "all:testing",
        "sortBy": "submittedDate", "sortOrder": "descending"}  # fmt: skip
    assert build_query_params(id_list="1605.08386, 1707.08567")["id_list"] == "1605.08386,1707.08567"


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"search_query": "  "}, {"id_list": []}, {"search_query": "x", "start": -1},
     {"search_query": "x", "max_results": 0}, {"search_query": "x", "max_results": 2001},
     {"search_query": "x", "sort_by": "date"}, {"search_query": "x", "sort_order": "up"}],
)
def test_bad_query_params_are_refused(kwargs):
    with pytest.raises(ValueError):
        build_query_params(**kwargs)
