"""parse_works / parse_work on real Crossref responses (../shared/fixtures/crossref).

The habanero VCR cassettes keep their 200 bodies gzip+base64; the decoded
copies in ``crossref/decoded/`` are used here. Their error bodies (404/400)
were stored as plain text, so ``cassette_body`` reads them from the YAML.
The hepcrawl files are single-work responses from 2017-2018.
"""

from __future__ import annotations

import json
import re
from datetime import date

import pytest

from academichub import paths
from academichub.core.crossref import (DEFAULT_JOURNALS, build_works_params, date_from_parts, jats_to_text,
                                       load_json, parse_work, parse_work_response, parse_works)  # fmt: skip
from academichub.core.errors import ParseError
from academichub.core.http import FetchError, PoliteClient
from academichub.core.records import Version
from tests.httpserver import Reply

CROSSREF = paths.shared_dir() / "fixtures" / "crossref"
DECODED = CROSSREF / "decoded"
ECOLOGY = "test_works_field_queries__0__works_query_ecology_query.author_carl_boettiger.json"
CURSOR_0 = "test_workscontainer_with_cursor__0__members_98_works_rows_5_cursor_2A.json"
CURSOR_1 = "test_workscontainer_with_cursor__1__members_98_works_rows_5_cursor_next.json"
PEERJ = "test_journals_works__0__journals_2167-8359_works_query_ecology_sort_score_order_asc.json"


def decoded(name: str) -> bytes:
    path = DECODED / name
    if not path.is_file():
        pytest.fail(f"shared fixture missing: {path}; set ACADEMICHUB_SHARED or put shared/ beside the repo")
    return path.read_bytes()


def hepcrawl(name: str) -> bytes:
    return (CROSSREF / name).read_bytes()


def cassette_body(name: str) -> bytes:
    """The plain-text response body of a one-interaction cassette (YAML single-quoted or plain)."""
    text = (CROSSREF / name).read_text(encoding="utf-8")
    raw = re.search(r"\n    body:\n      string: (.*?)\n    headers:", text, re.DOTALL).group(1)
    if raw.startswith("'"):
        raw = " ".join(line.strip() for line in raw[1:-1].splitlines()).replace("''", "'")
    return raw.encode("utf-8")


def work_of(name: str, doi: str):
    return next(r for r in parse_works(decoded(name)).records if r.doi == doi)


# -- pages -----------------------------------------------------------------------------


def test_a_cursor_page():
    page = parse_works(decoded(CURSOR_0))
    assert len(page.records) == 4 and page.total_results == 138567 and page.items_per_page == 5
    assert page.next_cursor.startswith("DnF1ZXJ5VGhlbkZldGNo")
    assert page.skipped == ["10.1002/humu.2018.39.issue-6: no title (a journal issue or a bare DOI deposit)"]
    following = parse_works(decoded(CURSOR_1))
    assert following.next_cursor and {r.doi for r in page.records}.isdisjoint(r.doi for r in following.records)


def test_a_page_without_cursor_paging_has_no_next_cursor():
    page = parse_works(decoded(PEERJ))
    assert page.next_cursor is None and page.total_results == 203 and len(page.records) == 20
    assert {r.venue for r in page.records} == {"PeerJ"} and {r.issn for r in page.records} == {"2167-8359"}


@pytest.mark.parametrize("name", sorted(p.name for p in DECODED.glob("*works*.json")
                                         if "content_negotiation" not in p.name) if DECODED.is_dir() else [])
def test_every_recorded_works_response_parses(name):
    body = json.loads(decoded(name))
    if body["message-type"] == "work-list":
        page = parse_works(decoded(name))
        assert len(page.records) + len(page.skipped) == len(body["message"]["items"])
        assert all(s.endswith("no title (a journal issue or a bare DOI deposit)") for s in page.skipped)
        assert all(r.doi and r.title for r in page.records)
    else:
        assert parse_work_response(decoded(name)).doi == body["message"]["DOI"]


def test_a_journal_article_in_full():
    record = work_of(ECOLOGY, "10.1002/ece3.2314")
    assert record.title == ("After the games are over: life\u2010history trade\u2010offs drive dispersal "
                            "attenuation following range expansion")  # fmt: skip
    assert record.authors == ["T. Alex Perkins", "Carl Boettiger", "Benjamin L. Phillips"]
    assert record.affiliations[1] == "Department of Environmental Science, Policy, & Management University of " \
                                     "California, Berkeley Berkeley California"  # fmt: skip
    assert record.venue == "Ecology and Evolution" and record.issn == "2045-7758"
    assert record.versions == [Version(1, date(2016, 8, 18))]  # "published" (online) before print (2016-09)
    assert record.journal_ref == "Ecology and Evolution 6(18), 6425-6434 (2016)"
    assert record.license == "http://creativecommons.org/licenses/by/4.0/"
    assert record.abs_url == "https://onlinelibrary.wiley.com/doi/10.1002/ece3.2314"
    assert record.pdf_url == "https://onlinelibrary.wiley.com/doi/pdf/10.1002/ece3.2314"
    assert record.abstract.startswith("Increased dispersal propensity") and "<" not in record.abstract
    assert record.source_ids == {"preprint_doi": "10.1101/014852"} and record.arxiv_id is None


def test_a_posted_preprint_takes_its_server_as_venue():
    record = work_of(ECOLOGY, "10.1101/014852")
    assert record.venue == "bioRxiv" and record.versions == [Version(1, date(2015, 2, 4))]
    assert record.journal_ref == "" and record.abstract.startswith("Increased dispersal")


def test_titles_lose_markup_and_indentation():
    titles = {r.doi: r.title for r in parse_works(decoded(PEERJ)).records}
    assert titles["10.7717/peerj.3162"].startswith("The genomic sequence of Exiguobacterium chiriqhucha str.")
    assert all("<" not in t and "  " not in t and "\n" not in t for t in titles.values())


def test_single_work_responses_from_hepcrawl():
    record = parse_work_response(hepcrawl("hepcrawl_works_sample_crossref_record.json"))
    assert record.doi == "10.1103/physrevd.93.016005"
    assert record.title == "Perturbative renormalization of neutron-antineutron operators"
    assert record.venue == "Physical Review D" and record.journal_ref == "Phys. Rev. D 93(1), 016005 (2016)"
    assert record.versions == [Version(1, date(2016, 1, 11))]
    erratum = parse_work_response(hepcrawl("hepcrawl_works_PhysRevB.33.3547.2.json"))
    assert erratum.title.startswith("Erratum: Polaronic behavior") and erratum.published == date(1986, 3, 1)


def test_a_book_chapter_has_no_journal_ref():
    record = parse_work_response(hepcrawl("hepcrawl_works_9781316535783.011.json"))
    assert record.venue == "The Philosophy Of Cosmology" and record.journal_ref == "" and record.issn == ""


def test_full_text_links_and_licence():
    record = parse_work_response(decoded("test_works_with_many_ids__2__works_10.1038_srep16696.json"))
    assert record.pdf_url == "https://www.nature.com/articles/srep16696.pdf"
    assert record.license == "https://creativecommons.org/licenses/by/4.0"
    assert record.issn == "2045-2322" and record.venue == "Scientific Reports"


# -- relations ------------------------------------------------------------------------


def _with_relation(relation: dict) -> dict:
    message = json.loads(decoded(ECOLOGY))["message"]["items"][0]
    return {**message, "relation": relation}


def test_an_arxiv_preprint_sets_the_arxiv_id():
    record = parse_work(_with_relation({"has-preprint": [
        {"id-type": "doi", "id": "10.48550/arXiv.2305.02329", "asserted-by": "subject"}]}))
    assert record.arxiv_id == "2305.02329" and "preprint_doi" not in record.source_ids


def test_an_arxiv_relation_given_as_arxiv_id():
    record = parse_work(_with_relation({"has-preprint": [{"id-type": "arxiv", "id": "arXiv:1506.00647v2"}]}))
    assert record.arxiv_id == "1506.00647"


def test_a_preprint_names_its_journal_version():
    record = parse_work(_with_relation({"is-preprint-of": [{"id-type": "doi", "id": "https://doi.org/10.1002/ECE3.2314"}]}))
    assert record.published_doi == "10.1002/ECE3.2314"


# -- dates -----------------------------------------------------------------------------


@pytest.mark.parametrize(("parts", "day"), [
    ({"date-parts": [[2020]]}, date(2020, 1, 1)),
    ({"date-parts": [[2020, 5]]}, date(2020, 5, 1)),
    ({"date-parts": [[2020, 5, 17]]}, date(2020, 5, 17)),
    ({"date-parts": [[2021, 2, 30]]}, date(2021, 2, 1)),
    ({"date-parts": [["2019", "11"]]}, date(2019, 11, 1)),
    ({"date-parts": [[None]]}, None),
    ({"date-parts": []}, None),
    (None, None),
])
def test_partial_date_parts(parts, day):
    assert date_from_parts(parts) == day


def test_a_year_only_work_gets_january_first():
    message = {**_with_relation({}), "published": {"date-parts": [[2020]]}}
    assert parse_work(message).versions == [Version(1, date(2020, 1, 1))]


# -- JATS ----------------------------------------------------------------------------------


def test_jats_abstract_to_text():
    fragment = ("<jats:title>Abstract</jats:title>\n  <jats:sec><jats:title>Background</jats:title>"
                "<jats:p>We study H<jats:sub>2</jats:sub>O at 10<jats:sup>5</jats:sup> Pa in "
                "<jats:italic>E. coli</jats:italic> &amp; yeast.</jats:p></jats:sec>"
                "<jats:p>Second\n      paragraph with <mml:math><mml:mi>x</mml:mi></mml:math>.</jats:p>")  # fmt: skip
    assert jats_to_text(fragment) == ("Background\n\nWe study H2O at 105 Pa in E. coli & yeast."
                                      "\n\nSecond paragraph with x.")  # fmt: skip


@pytest.mark.parametrize("fragment", ["<jats:p>unclosed <jats:italic>tag", "a < b and c > d", "<<<>>>",
                                      "<jats:p>&bogus; &#xZZ;</jats:p>", "", None, "\x00\x01<p>x</p>"])
def test_jats_to_text_never_raises_and_never_keeps_tags(fragment):
    text = jats_to_text(fragment)
    assert isinstance(text, str) and "<jats" not in text and "<p>" not in text


def test_jats_scripts_are_dropped():
    assert jats_to_text("<p>Fine <script>alert(1)</script>text</p>") == "Fine text"


def test_real_abstracts_keep_paragraphs():
    records = parse_works(decoded(ECOLOGY)).records
    multi = [r for r in records if "\n\n" in r.abstract]
    assert multi and all("<" not in r.abstract for r in records)


# -- errors ------------------------------------------------------------------------------


def test_unknown_doi_plain_text_404():
    body = cassette_body("test_works_bad_id_warn.yaml")
    assert body == b"Resource not found."
    with pytest.raises(ParseError, match="'Resource not found.'"):
        parse_work_response(body)


def test_invalid_cursor_json_404():
    with pytest.raises(ParseError, match="Cursor specified but it is invalid") as caught:
        parse_works(cassette_body("test_cursor_fails_cursor_value.yaml"))
    assert caught.value.code == "cursor-invalid" and "cursor=*" in str(caught.value)


def test_bad_rows_json_400():
    with pytest.raises(ParseError, match="must be a positive integer less than or equal to 1000") as caught:
        parse_works(cassette_body("test_journals_fail_limit.yaml"))
    assert caught.value.code == "integer-not-valid" and "validation-failure" in str(caught.value)


@pytest.mark.parametrize(("body", "message"), [
    (b"", "empty"),
    (b"   \n", "empty"),
    (b"<html><head><title>503</title></head><body>Service Unavailable</body></html>", "HTML page"),
    (b'{"status":"ok","message-type":"work-list","message":{"items":[{"DOI":"10.1/x"', "cut short"),
    (b'{"status":"ok",,}', "not valid JSON"),
    (b'{"status":"ok","message-type":"journal","message":{}}', "expected a 'work-list'"),
    (b'{"status":"ok","message-type":"work-list","message":{"items":{}}}', "no 'items' array"),
    (b'["not", "an", "object"]', "not a Crossref response"),
    (b"<?xml version='1.0'?><doi_records/>", "XML instead of JSON"),
    (b"\xff\xfe\x00garbage", "not UTF-8"),
])
def test_bad_bodies(body, message):
    with pytest.raises(ParseError, match=message) as caught:
        parse_works(body)
    assert caught.value.source == "Crossref"


def test_a_real_page_cut_in_half():
    data = decoded(PEERJ)
    with pytest.raises(ParseError, match="cut short"):
        parse_works(data[: len(data) // 2])


def test_an_empty_page_is_valid():
    page = parse_works(b'{"status":"ok","message-type":"work-list","message":{"items":[],"total-results":0}}')
    assert page.records == [] and page.total_results == 0 and page.next_cursor is None


def test_items_without_doi_are_skipped():
    body = json.loads(decoded(CURSOR_0))
    del body["message"]["items"][0]["DOI"]
    page = parse_works(json.dumps(body).encode())
    assert len(page.records) == 3 and page.skipped[0] == "item without DOI: no DOI"


def test_load_json_wants_bytes():
    with pytest.raises(TypeError):
        load_json("{}", source="x")  # type: ignore[arg-type]


# -- request parameters and the HTTP path ----------------------------------------------------


def test_build_works_params():
    params = build_works_params("1476-4687", date(2026, 6, 1), "2026-06-30", rows=200, mailto="ops@example.org")
    assert params == {"rows": "200", "cursor": "*", "mailto": "ops@example.org",
                      "filter": "issn:1476-4687,from-pub-date:2026-06-01,until-pub-date:2026-06-30"}  # fmt: skip
    assert build_works_params(cursor="AoJ3", rows=5)["cursor"] == "AoJ3"


@pytest.mark.parametrize("kwargs", [{"rows": 0}, {"rows": 1001}, {"issn": "14764687"}, {"issn": "1476-46870"},
                                    {"from_date": "2026-07-01", "until": "2026-06-01"}, {"mailto": "nobody"}])
def test_build_works_params_refuses_bad_values(kwargs):
    with pytest.raises(ValueError):
        build_works_params(**kwargs)


def test_cursor_paging_through_a_real_local_server(local_server):
    """Page 1 (cursor=*) then page 2 (its next-cursor), from 127.0.0.1, then a bad cursor's 404."""
    first, second = decoded(CURSOR_0), decoded(CURSOR_1)
    next_cursor = json.loads(first)["message"]["next-cursor"]
    local_server.route("/works", lambda request: Reply(
        200, body=first if request.param("cursor") == "*" else second, headers={"Content-Type": "application/json"}))
    with PoliteClient(min_interval=0, sleep=lambda s: None) as http:
        page = parse_works(http.get(local_server.url("/works"), params=build_works_params(rows=5)).content)
        again = parse_works(http.get(local_server.url("/works"),
                                     params=build_works_params(cursor=page.next_cursor, rows=5)).content)  # fmt: skip
    assert local_server.requests[-1].param("cursor") == next_cursor
    assert len(page.records) + len(page.skipped) + len(again.records) + len(again.skipped) == 10

    local_server.script("/bad", Reply(404, body=cassette_body("test_cursor_fails_cursor_value.yaml")))
    with PoliteClient(min_interval=0) as http, pytest.raises(FetchError) as caught:
        http.get(local_server.url("/bad"), params=build_works_params(cursor="thing"))
    with pytest.raises(ParseError, match="invalid"):
        parse_works(caught.value.body)


# -- the journal list ---------------------------------------------------------------------------


def _issn_check_digit_ok(issn: str) -> bool:
    digits = issn.replace("-", "")
    total = sum(int(c) * w for c, w in zip(digits[:7], range(8, 1, -1)))
    check = (11 - total % 11) % 11
    return digits[7] == ("X" if check == 10 else str(check))


def test_default_journals():
    names = [j.name for j in DEFAULT_JOURNALS]
    assert len(DEFAULT_JOURNALS) >= 25 and len(set(names)) == len(names)
    for wanted in ("Nature", "Science", "Cell", "New England Journal of Medicine", "The Lancet",
                   "Physical Review Letters", "Journal of the American Chemical Society", "Nature Physics",
                   "Nature Methods", "Nature Machine Intelligence", "Nature Communications", "Science Advances",
                   "Cell Reports", "JAMA", "BMJ", "Angewandte Chemie International Edition", "Physical Review X",
                   "Nature Biotechnology", "Neuron"):  # fmt: skip
        assert wanted in names
    issns = [i for j in DEFAULT_JOURNALS for i in j.issns]
    assert len(issns) == len(set(issns)) and all(_issn_check_digit_ok(i) for i in issns)
    nature = DEFAULT_JOURNALS[0]
    assert (nature.issn_print, nature.issn_electronic, nature.name_zh) == ("0028-0836", "1476-4687", "自然")


def test_default_journal_issns_agree_with_the_recorded_responses():
    """Scientific Reports' ISSN as Crossref reports it in a recorded work."""
    record = parse_work_response(decoded("test_works_with_many_ids__2__works_10.1038_srep16696.json"))
    assert record.issn in next(j for j in DEFAULT_JOURNALS if j.name == "Scientific Reports").issns


# -- hostile bodies (found by tests/fuzzing.py) ------------------------------------------


@pytest.mark.parametrize(("parts", "day"), [
    ({"date-parts": [[2**63, 1, 1]]}, None),  # date() raised OverflowError, which is not a ValueError
    ({"date-parts": [[2020, 2**63, 1]]}, date(2020, 1, 1)),
    ({"date-parts": [[2020, 5, 2**63]]}, date(2020, 5, 1)),
    ({"date-parts": [["9" * 5000]]}, None),  # int() of over 4,300 digits raises
    ({"date-parts": [[2020.5, 1]]}, None),
    ({"date-parts": [[True]]}, None),
    ({"date-parts": [[2020, 0, 5]]}, date(2020, 1, 5)),  # a 0 month reads as absent, as before
])
def test_impossible_date_parts(parts, day):
    assert date_from_parts(parts) == day


def test_fields_of_the_wrong_type_read_as_absent():
    """An ISSN sent as a string was split into characters; a number where a list belongs raised."""
    work = {"DOI": "10.1/x", "title": ["A title"], "ISSN": "1234-5678", "issn-type": 5, "license": "cc-by",
            "link": {"URL": "x"}, "author": "Smith", "container-title": 3, "relation": [], "abstract": ["x"],
            "published": {"date-parts": [[2**63]]}, "created": {"date-parts": [[2021, 3, 4]]}}  # fmt: skip
    record = parse_work(work)
    assert (record.issn, record.license, record.pdf_url, record.authors, record.venue) == ("", "", "", [], "")
    assert record.abstract == "" and record.versions == [Version(1, date(2021, 3, 4))]


def test_json_nested_too_deeply_is_a_parse_error():
    """json.loads raised RecursionError (not a ValueError) on "[[[[…" thousands deep."""
    with pytest.raises(ParseError, match="nested too deeply"):
        parse_works(b"[" * 100_000)
