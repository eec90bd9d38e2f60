"""parse_oai on real arXiv OAI-PMH responses (../shared/fixtures/arxiv_oai).

Where a case has no recording (deleted records, old-style ids, OAI errors, the
last page of a list) the test edits a real page in the way OAI-PMH specifies,
so the rest of the document stays real.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import date

import pytest

from academichub import paths
from academichub.core.arxiv_oai import (
    build_get_record_params,
    build_list_records_params,
    first_doi,
    parse_oai,
    split_authors,
)
from academichub.core.errors import ParseError
from academichub.core.records import Version

RAW_PAGE = "scirate_ListRecords_arXivRaw_2014-01-16_token_496549-95001.xml"
ARXIV_PAGE = "scirate_ListRecords_arXivRaw_2013-05-24_token_436115-95001.xml"  # arXiv format despite its name


def fixture(name: str) -> bytes:
    path = paths.shared_dir() / "fixtures" / "arxiv_oai" / name
    if not path.is_file():
        pytest.fail(f"shared fixture missing: {path}; set ACADEMICHUB_SHARED or put shared/ beside the repo")
    return path.read_bytes()


@pytest.fixture(scope="module")
def raw_page():
    return parse_oai(fixture(RAW_PAGE))


def by_id(page, arxiv_id):
    return next(r for r in page.records if r.arxiv_id == arxiv_id)


def test_a_full_arxivraw_page(raw_page):
    assert len(raw_page.records) == 1000 and raw_page.skipped == [] and raw_page.deleted == 0
    assert raw_page.resumption_token == "496549|96001" and not raw_page.done
    assert (raw_page.complete_list_size, raw_page.cursor) == (907096, 95000)
    assert raw_page.response_date.date() == date(2014, 1, 16)
    assert raw_page.last_datestamp == date(2014, 1, 14)  # a harvest with an expired token restarts here


def test_arxivraw_record_fields(raw_page):
    record = raw_page.records[0]
    assert record.arxiv_id == "0811.3648"
    assert record.title == "Revisiting Norm Estimation in Data Streams"
    assert record.authors == ["Daniel M. Kane", "Jelani Nelson", "David P. Woodruff"]
    assert record.categories == ["cs.DS", "cs.CC"]  # primary first
    assert record.versions == [Version(1, date(2008, 11, 21)), Version(2, date(2009, 4, 9))]
    assert record.published == date(2008, 11, 21) and record.latest_version == 2
    assert record.license == "http://arxiv.org/licenses/nonexclusive-distrib/1.0/"
    assert record.comments.startswith("added content; modified L_0 algorithm -- ParityLogEstimator in version 1")
    assert record.abstract.startswith("The problem of estimating the pth moment")
    assert "x_i <-- x_i + v" in record.abstract  # entities decoded, text otherwise as arXiv sent it
    assert (record.abs_url, record.pdf_url) == ("https://arxiv.org/abs/0811.3648", "https://arxiv.org/pdf/0811.3648")


def test_doi_journal_ref_and_many_versions(raw_page):
    record = by_id(raw_page, "0811.3799")
    assert record.doi == "10.1214/10-AOP586"
    assert record.journal_ref == "Annals of Probability 2011, Vol. 39, No. 4, 1468-1501"
    assert [v.number for v in record.versions] == [1, 2, 3]
    assert by_id(raw_page, "0811.3693").latest_version == 18


def test_several_dois_keep_the_first_without_its_comma(raw_page):
    dois = [r.doi for r in raw_page.records if r.doi]
    assert len(dois) == 468 and all("," not in d and " " not in d for d in dois)
    assert first_doi("10.1143/JPSJ.78.053704, 10.1143/JPSJ.78.118002") == "10.1143/JPSJ.78.053704"
    assert first_doi("") is None


def test_free_text_authors_lose_affiliations(raw_page):
    assert by_id(raw_page, "0811.3654").authors == [
        "A. Baldi", "W. Forman", "C. Jones", "P. Nulsen", "L. David", "R. Kraft", "A. Simionescu"]  # fmt: skip
    assert by_id(raw_page, "0811.3680").authors == ["Quirino M. Sugon Jr.", "Carlo B. Fernandez", "Daniel J. McNamara"]
    assert all(a and "(" not in a and ")" not in a for r in raw_page.records for a in r.authors)


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("C. D. Batista, G. Ortiz, and A. A. Aligia", ["C. D. Batista", "G. Ortiz", "A. A. Aligia"]),
        ("M. Bauer, S. Casagrande, L. Gruender, U. Haisch and M. Neubert\n  (Johannes Gutenberg University Mainz)",
         ["M. Bauer", "S. Casagrande", "L. Gruender", "U. Haisch", "M. Neubert"]),
        ("Shin Watanabe (1 and 2), Rie Sato (1) ((1)ISAS/JAXA, (2)University of Tokyo)", ["Shin Watanabe", "Rie Sato"]),
        ("M.T. Beltran (1), R.\n  Cesaroni (5) ((1) Universitat de Barcelona-CSIC (5) INAF))", ["M.T. Beltran", "R. Cesaroni"]),
        ("H.E.S.S. Collaboration: F. Aharonian, et al", ["H.E.S.S. Collaboration: F. Aharonian"]),
        ("G. Laveissi\\`ere, for the Jefferson Lab Hall A Collaboration (164\n  authors)",
         ["G. Laveissi\\`ere", "Jefferson Lab Hall A Collaboration"]),
        ("Alexander Anderson", ["Alexander Anderson"]),
        ("", []),
    ],
)
def test_split_authors_on_real_author_strings(text, names):
    assert split_authors(text) == names


def test_the_arxiv_format_page(raw_page):
    page = parse_oai(fixture(ARXIV_PAGE))
    assert len(page.records) == 1000 and page.resumption_token == "436115|96001"
    # the two scirate pages are the same slice of the harvest in the two formats
    assert [r.arxiv_id for r in page.records] == [r.arxiv_id for r in raw_page.records]
    assert [r.title for r in page.records] == [r.title for r in raw_page.records]
    first = page.records[0]
    assert first.authors == ["Daniel M. Kane", "Jelani Nelson", "David P. Woodruff"]
    assert first.versions == [Version(1, date(2008, 11, 21))]  # created; "updated" has no version number
    # <created> is arXiv's (Eastern) day; arXivRaw's v1 date is GMT, so it may be a day later
    for structured, raw in zip(page.records, raw_page.records):
        delta = (raw.versions[0].date - structured.versions[0].date).days
        assert delta in (0, 1), structured.arxiv_id


def test_getrecord_in_arxiv_format():
    page = parse_oai(fixture("hepcrawl_GetRecord_arXiv_1401.2122.xml"))
    (record,) = page.records
    assert page.done and page.resumption_token is None and page.complete_list_size is None
    assert record.arxiv_id == "1401.2122" and record.authors == ["A. Sergyeyev"]
    assert record.categories == ["math.AP", "hep-th", "math-ph", "math.DG", "math.MP", "nlin.SI"]
    assert record.doi == "10.1007/s11005-017-1013-4"
    assert record.journal_ref == "Lett. Math. Phys. 108 (2018), no. 2, 359-376"
    assert record.versions == [Version(1, date(2014, 1, 9))]


@pytest.mark.parametrize("name", sorted(p.name for p in (paths.shared_dir() / "fixtures" / "arxiv_oai").glob("hepcrawl_*.xml")))
def test_every_hepcrawl_response_parses(name):
    page = parse_oai(fixture(name))
    assert len(page.records) == (3 if "ListRecords" in name else 1) and page.skipped == []
    for record in page.records:
        assert record.arxiv_id and record.title and record.authors and record.categories and record.abstract
        assert record.versions[0].number == 1 and record.versions[0].date is not None


def test_deleted_records_are_skipped_and_counted():
    data = fixture(RAW_PAGE)
    start = data.index(b"<record>")
    end = data.index(b"</record>", start) + len(b"</record>")
    deleted = (b"<record>\n<header status='deleted'>\n <identifier>oai:arXiv.org:0811.3648</identifier>\n"
               b" <datestamp>2014-01-15</datestamp>\n <setSpec>cs</setSpec>\n</header>\n</record>")  # fmt: skip
    page = parse_oai(data[:start] + deleted + data[end:])
    assert (len(page.records), page.deleted, page.deleted_ids) == (999, 1, ["0811.3648"])
    assert all(r.arxiv_id != "0811.3648" for r in page.records)


def test_old_style_identifiers():
    data = fixture(RAW_PAGE).replace(b"0811.3648", b"hep-th/9901001")
    record = parse_oai(data).records[0]
    assert record.arxiv_id == "hep-th/9901001"
    assert record.abs_url == "https://arxiv.org/abs/hep-th/9901001"
    deleted = data.replace(b"<header>", b"<header status='deleted'>", 1)
    assert parse_oai(deleted).deleted_ids == ["hep-th/9901001"]


def test_a_record_without_an_id_is_skipped_not_fatal():
    data = fixture(RAW_PAGE).replace(b"<id>0811.3648</id>", b"<id></id>", 1)
    page = parse_oai(data)
    assert len(page.records) == 999
    assert page.skipped == ["oai:arXiv.org:0811.3648: not an arXiv id: ''"]


def test_the_last_page_has_an_empty_token():
    data = fixture(RAW_PAGE).replace(b">496549|96001</resumptionToken>", b"></resumptionToken>")
    page = parse_oai(data)
    assert page.done and page.resumption_token is None and page.complete_list_size == 907096


def oai_error(code: str, message: str) -> bytes:
    """An OAI-PMH error response as the protocol (and arXiv) shapes it."""
    head = fixture(RAW_PAGE).split(b"<ListRecords>")[0]
    return head + f'<error code="{code}">{message}</error>\n</OAI-PMH>\n'.encode()


def test_no_records_match_is_an_empty_page():
    page = parse_oai(oai_error("noRecordsMatch", "No records match"))
    assert page.records == [] and page.error_code == "noRecordsMatch" and page.done


@pytest.mark.parametrize("code", ["badResumptionToken", "badArgument", "badVerb", "cannotDisseminateFormat"])
def test_other_oai_errors_raise_with_their_code(code):
    with pytest.raises(ParseError) as caught:
        parse_oai(oai_error(code, "The value of the resumptionToken argument is invalid or expired."))
    assert caught.value.code == code and caught.value.source == "arXiv OAI-PMH"
    assert code in str(caught.value)


def test_malformed_xml():
    with pytest.raises(ParseError, match="not well-formed"):
        parse_oai(b"<OAI-PMH xmlns='http://www.openarchives.org/OAI/2.0/'><ListRecords></OAI-PMH>")


def test_a_page_cut_mid_document():
    data = fixture(RAW_PAGE)
    with pytest.raises(ParseError, match="cut short"):
        parse_oai(data[: len(data) // 2])


def test_an_html_error_page():
    html = b"<!DOCTYPE html>\n<html><head><title>503 Service Unavailable</title></head><body><p>Retry later<br></body></html>"
    with pytest.raises(ParseError, match="HTML page"):
        parse_oai(html)


@pytest.mark.parametrize("body", [b"", b"   \n", b"<rss version='2.0'><channel/></rss>"])
def test_empty_or_foreign_bodies(body):
    with pytest.raises(ParseError):
        parse_oai(body)


def test_list_records_params():
    assert build_list_records_params(date(2026, 6, 1), "2026-06-30", "cs", "arXivRaw") == {
        "verb": "ListRecords", "metadataPrefix": "arXivRaw", "from": "2026-06-01", "until": "2026-06-30", "set": "cs"}  # fmt: skip
    assert build_list_records_params(metadata_prefix="arXiv") == {"verb": "ListRecords", "metadataPrefix": "arXiv"}


def test_a_resumption_request_carries_only_the_token():
    params = build_list_records_params("2026-06-01", "2026-06-30", "cs", "arXivRaw", resumption_token="496549|96001")
    assert params == {"verb": "ListRecords", "resumptionToken": "496549|96001"}


@pytest.mark.parametrize(("start", "end"), [("2026-07-01", "2026-06-01"), ("June 1st", None), ("2026-13-01", None)])
def test_bad_dates_are_refused(start, end):
    with pytest.raises(ValueError):
        build_list_records_params(start, end)


def test_get_record_params():
    assert build_get_record_params("hep-th/9901001v2") == {
        "verb": "GetRecord", "identifier": "oai:arXiv.org:hep-th/9901001", "metadataPrefix": "arXivRaw"}  # fmt: skip
    with pytest.raises(ValueError):
        build_get_record_params("not an id")


def test_core_parsers_do_not_import_django():
    """core/ must stay importable without Django (checked in a clean interpreter)."""
    modules = ", ".join(f"academichub.core.{m}" for m in ("http", "errors", "arxiv_rss", "arxiv_oai", "arxiv_api"))
    code = f"import sys, {modules}; sys.exit('django' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], cwd=paths.REPO_ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
