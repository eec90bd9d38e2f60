"""parse_details on real bioRxiv/medRxiv ``details`` responses (../shared/fixtures/biorxiv, medrxiv).

The interval files were re-serialised by their collector and hold 50 of the
page's 100 items (``messages.count`` still says 100). The by-DOI files are a
list of ``{doi, api_url, metadata, raw_response}``; ``raw_response`` is the
full body of ``/details/{server}/{doi}``.
"""

from __future__ import annotations

import json
from datetime import date

import pytest

from academichub import paths
from academichub.core.biorxiv import (DetailsPage, build_details_url, build_doi_url, category_code, display_name,
                                      follow_cursor, parse_details)  # fmt: skip
from academichub.core.errors import ParseError
from academichub.core.http import PoliteClient
from academichub.core.records import Version
from tests.httpserver import Reply

FIXTURES = paths.shared_dir() / "fixtures"
BIORXIV_INTERVAL = "biorxiv/findpapers_biorxiv_details_interval_2020-01-01_2022-12-31.json"
MEDRXIV_INTERVAL = "medrxiv/findpapers_medrxiv_details_interval_2020-01-01_2022-12-31.json"
BIORXIV_BY_DOI = "biorxiv/findpapers_biorxiv_details_by_doi_x7.json"
MEDRXIV_BY_DOI = "medrxiv/findpapers_medrxiv_details_by_doi_x5.json"


def load(name: str) -> bytes:
    path = FIXTURES / name
    if not path.is_file():
        pytest.fail(f"shared fixture missing: {path}; set ACADEMICHUB_SHARED or put shared/ beside the repo")
    return path.read_bytes()


def by_doi_bodies(name: str) -> dict[str, bytes]:
    """DOI -> the raw ``details`` body recorded for it."""
    bodies = {}
    for entry in json.loads(load(name)):
        raw = entry["raw_response"]
        bodies[entry["doi"]] = (raw if isinstance(raw, str) else json.dumps(raw)).encode("utf-8")
    return bodies


def test_an_interval_page_merges_versions_of_one_doi():
    page = parse_details(load(BIORXIV_INTERVAL))
    assert (page.cursor, page.count, page.total) == (0, 100, 152918)
    assert page.next_cursor == 100 and not page.done and page.skipped == []
    assert len(page.records) == 40  # 50 items, 10 DOIs with two versions each
    assert len({r.doi for r in page.records}) == 40
    merged = next(r for r in page.records if r.doi == "10.1101/008326")
    assert merged.versions == [Version(3, date(2021, 4, 27)), Version(4, date(2021, 10, 1))]
    assert merged.abs_url == "https://www.biorxiv.org/content/10.1101/008326v4"
    assert merged.pdf_url == "https://www.biorxiv.org/content/10.1101/008326v4.full.pdf"
    assert merged.html_url == "https://www.biorxiv.org/content/10.1101/008326v4.full"


def test_a_record_from_the_interval_page():
    first = parse_details(load(BIORXIV_INTERVAL)).records[0]
    assert first.doi == "10.1101/001768" and first.venue == "bioRxiv"
    assert first.title.startswith("Characterization of cell-to-cell variation in nuclear transport")
    assert first.authors[:2] == ["L. Durrieu", "A. Bush"] and first.authors[4] == "D. L. I. Janzen"
    assert first.affiliations[-1] == "IFIByNE, DFBMC, FCEN, UBA, Buenos Aires, Argentine"
    assert set(first.affiliations[:-1]) == {""}
    assert first.categories == ["biorxiv:systems-biology"]
    assert first.published_doi == "10.1016/j.isci.2022.105906"
    assert first.license == "https://creativecommons.org/licenses/by-nc-nd/4.0/"
    assert first.source_ids == {"biorxiv": "10.1101/001768"}
    assert first.arxiv_id is None and first.abstract.startswith("Nuclear transport is an essential part")


def test_na_means_not_published():
    page = parse_details(load(BIORXIV_INTERVAL))
    assert sum(1 for r in page.records if not r.published_doi) >= 10
    assert all(r.published_doi != "NA" for r in page.records)


def test_medrxiv_interval_page():
    page = parse_details(load(MEDRXIV_INTERVAL), server="medrxiv")
    assert page.total == 47826 and len(page.records) == 49
    record = page.records[0]
    assert record.venue == "medRxiv" and record.abs_url.startswith("https://www.medrxiv.org/content/10.1101/")
    assert record.categories == ["medrxiv:epidemiology"] and record.source_ids == {"medrxiv": record.doi}
    psychiatry = [r for r in page.records if r.categories == ["medrxiv:psychiatry-and-clinical-psychology"]]
    assert len(psychiatry) == 4  # five items, one DOI posted twice


def test_the_item_server_wins_over_the_callers_guess():
    page = parse_details(load(MEDRXIV_INTERVAL), server="biorxiv")
    assert {r.venue for r in page.records} == {"medRxiv"}


def test_by_doi_responses_carry_every_version_and_the_journal_doi():
    bodies = by_doi_bodies(MEDRXIV_BY_DOI)
    page = parse_details(bodies["10.1101/2021.12.11.21267504"], server="medrxiv")
    (record,) = page.records
    assert record.versions == [Version(1, date(2021, 12, 13)), Version(2, date(2021, 12, 15)),
                               Version(3, date(2022, 4, 7))]  # fmt: skip
    assert record.published == date(2021, 12, 13) and record.latest_version == 3
    assert record.published_doi == "10.1016/j.jbi.2022.104265"
    assert record.license == "https://creativecommons.org/licenses/by/4.0/"
    assert (page.cursor, page.total, page.next_cursor, page.done) == (None, None, None, True)


def test_all_by_doi_fixtures_parse_and_keep_their_published_links():
    published = 0
    for name, server in ((BIORXIV_BY_DOI, "biorxiv"), (MEDRXIV_BY_DOI, "medrxiv")):
        for doi, body in by_doi_bodies(name).items():
            (record,) = parse_details(body, server=server).records
            assert record.doi == doi
            published += bool(record.published_doi)
    assert published == 3 + 4  # as PROVENANCE.md counts them


def test_category_scheme():
    assert category_code("biorxiv", "Scientific Communication and Education") == \
        "biorxiv:scientific-communication-and-education"  # fmt: skip
    assert category_code("medrxiv", "  infectious   diseases ") == "medrxiv:infectious-diseases"


@pytest.mark.parametrize(("raw", "name"), [("Durrieu, L.", "L. Durrieu"), ("Janzen, D. L. I.", "D. L. I. Janzen"),
                                           ("COVID-19 Genomics UK Consortium", "COVID-19 Genomics UK Consortium"),
                                           ("  Hu,  W. ", "W. Hu")])  # fmt: skip
def test_display_name(raw, name):
    assert display_name(raw) == name


def test_an_empty_interval_is_an_empty_page():
    page = parse_details(b'{"messages":[{"status":"no posts found"}],"collection":[]}')
    assert page.records == [] and page.done


# -- paging --------------------------------------------------------------------------


def page_at(cursor: int, count: int, total: int, records: int = 1) -> DetailsPage:
    return DetailsPage(records=[object()] * records, cursor=cursor, count=count, total=total)  # type: ignore[list-item]


def test_follow_cursor_walks_to_the_end():
    seen: set[int] = set()
    assert follow_cursor(page_at(0, 100, 250), seen) == 100
    assert follow_cursor(page_at(100, 100, 250), seen) == 200
    assert follow_cursor(page_at(200, 50, 250), seen) is None
    assert seen == {0, 100, 200}


def test_a_repeated_cursor_is_a_loop():
    seen = {0, 100}
    with pytest.raises(ParseError, match="looping") as caught:
        follow_cursor(page_at(0, 100, 500), seen)
    assert caught.value.code == "cursor_loop"


def test_an_empty_page_before_the_total_stops_the_harvest():
    with pytest.raises(ParseError, match="empty but the total is 500") as caught:
        follow_cursor(DetailsPage(records=[], cursor=300, count=0, total=500), set())
    assert caught.value.code == "empty_page"


def test_a_page_with_count_zero_at_the_end_is_done():
    assert follow_cursor(DetailsPage(records=[], cursor=500, count=0, total=500), set()) is None


def test_paging_through_a_real_local_server(local_server):
    """Two pages served from 127.0.0.1; the second is the last (cursor + count >= total)."""
    first = json.loads(load(BIORXIV_INTERVAL))
    first["messages"][0].update(total="130")
    second = {"messages": [{"status": "ok", "cursor": 100, "count": 30, "total": "130"}],
              "collection": first["collection"][:3]}  # fmt: skip
    local_server.script("/details/biorxiv/2020-01-01/2022-12-31/0", Reply(200, body=json.dumps(first)))
    local_server.script("/details/biorxiv/2020-01-01/2022-12-31/100", Reply(200, body=json.dumps(second)))
    seen: set[int] = set()
    cursor, records = 0, []
    with PoliteClient(min_interval=0, sleep=lambda s: None) as http:
        while cursor is not None:
            url = build_details_url(local_server.url(""), "biorxiv", "2020-01-01", date(2022, 12, 31), cursor)
            page = parse_details(http.get(url).content)
            records += page.records
            cursor = follow_cursor(page, seen)
    assert seen == {0, 100} and len(records) == 40 + 3


# -- URLs ------------------------------------------------------------------------------


def test_build_details_url():
    url = build_details_url("https://api.biorxiv.org/", "medRxiv", date(2024, 1, 1), "2024-01-31", 200)
    assert url == "https://api.biorxiv.org/details/medrxiv/2024-01-01/2024-01-31/200"
    assert build_doi_url(server="biorxiv", doi="https://doi.org/10.1101/2020.06.11.145425") == \
        "https://api.biorxiv.org/details/biorxiv/10.1101/2020.06.11.145425"  # fmt: skip


@pytest.mark.parametrize("kwargs", [
    {"server": "arxiv", "from_date": "2024-01-01", "until": "2024-01-02"},
    {"from_date": "2024-02-01", "until": "2024-01-01"},
    {"from_date": "2024-01-01", "until": None},
    {"from_date": "2024-13-01", "until": "2024-01-01"},
    {"from_date": "2024-01-01", "until": "2024-01-02", "cursor": -100},
])
def test_build_details_url_refuses_bad_arguments(kwargs):
    with pytest.raises(ValueError):
        build_details_url(**kwargs)


# -- faults -------------------------------------------------------------------------


@pytest.mark.parametrize(("body", "message"), [
    (b"", "empty"),
    (b"<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>", "HTML page"),
    (b'{"messages": [{"status": "ok"}], "collection": [', "cut short"),
    (b'{"messages": [{"status": "ok"}], "collection": [}', "not valid JSON"),
    (b'{"messages": [{"status": "ok"}], "collection": {"doi": "x"}}', "no 'collection' list"),
    (b'[1, 2]', "no 'collection' list"),
    (b"Error: interval not recognized", "text instead of JSON"),
    (b'{"messages":[{"status":"interval not recognized"}],"collection":[]}', "interval not recognized"),
])
def test_bad_bodies_raise_parse_errors(body, message):
    with pytest.raises(ParseError, match=message) as caught:
        parse_details(body)
    assert caught.value.source == "bioRxiv API"


def test_a_real_body_cut_in_half():
    data = load(BIORXIV_INTERVAL)
    with pytest.raises(ParseError, match="cut short"):
        parse_details(data[: len(data) // 2])


def test_items_without_doi_or_with_a_bad_version_are_skipped_not_fatal():
    body = json.loads(load(BIORXIV_INTERVAL))
    body["collection"][0]["doi"] = ""
    body["collection"][1]["version"] = "two"
    page = parse_details(json.dumps(body).encode())
    assert len(page.records) == 38 and len(page.skipped) == 2
    assert any("bad version 'two'" in s for s in page.skipped)


def test_unknown_server_is_refused():
    with pytest.raises(ValueError, match="server must be one of"):
        parse_details(load(BIORXIV_INTERVAL), server="chemrxiv")


# -- hostile bodies (found by tests/fuzzing.py) --------------------------------------


@pytest.mark.parametrize("odd", [["10.1101/x"], {"doi": "10.1101/x"}, 10.1101, True, None])
def test_a_doi_of_the_wrong_type_skips_the_item(odd):
    """bare_doi got a list and raised AttributeError: a type-confused DOI is no DOI."""
    body = json.loads(load(BIORXIV_INTERVAL))
    body["collection"][0]["doi"] = odd
    page = parse_details(json.dumps(body).encode())
    assert len(page.records) == 39 and page.skipped == ["item 0: no DOI"]


def test_fields_of_the_wrong_type_read_as_absent():
    body = json.loads(load(BIORXIV_INTERVAL))
    odd, huge = body["collection"][0], body["collection"][1]
    odd.update(title=["x"], abstract={"a": 1}, authors=5, category=None, license=[], published=7,
               date=2020, server={"x": 1}, author_corresponding_institution=3)  # fmt: skip
    huge["version"] = "9" * 5000  # int() of it raises ValueError (over 4,300 digits)
    body["messages"][0].update(cursor=[], count="9" * 5000, total=None)
    page = parse_details(json.dumps(body).encode())
    assert (page.cursor, page.count, page.total) == (None, None, None)
    assert any(s.startswith(huge["doi"]) and "bad version" in s for s in page.skipped)
    record = next(r for r in page.records if r.doi == odd["doi"])
    assert (record.title, record.abstract, record.authors, record.categories, record.license) == ("", "", [], [], "")
    assert record.published_doi == "" and record.versions[0].date is None and record.venue == "bioRxiv"
