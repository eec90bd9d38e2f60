"""parse_esearch / parse_efetch on real E-utilities responses (../shared/fixtures/pubmed).

Formats covered: esearch JSON (findpapers) and XML (2020 and biopython), efetch
PubmedArticleSet in DTD 2025 (50 articles, and biopython's 2 with a Season
date and no abstract) and DTD 2019 (pretty-printed).
"""

from __future__ import annotations

import json
from datetime import date

import pytest

from academichub import paths
from academichub.core.errors import ParseError
from academichub.core.http import PoliteClient
from academichub.core.pubmed import abstract_text, build_esearch_params, parse_efetch, parse_esearch
from academichub.core.records import Version
from tests.httpserver import Reply

PUBMED = paths.shared_dir() / "fixtures" / "pubmed"
EFETCH_50 = "findpapers_efetch_pubmed_x50.xml"


def load(name: str) -> bytes:
    path = PUBMED / name
    if not path.is_file():
        pytest.fail(f"shared fixture missing: {path}; set ACADEMICHUB_SHARED or put shared/ beside the repo")
    return path.read_bytes()


@pytest.fixture(scope="module")
def fifty():
    return {r.source_ids["pmid"]: r for r in parse_efetch(load(EFETCH_50))}


# -- esearch -----------------------------------------------------------------------------


def test_esearch_json():
    ids, count, webenv, query_key = parse_esearch(load("findpapers_esearch_ml_nlp.json"))
    assert len(ids) == 50 and ids[0] == "36006759" and count == 1834
    assert webenv is None and query_key is None


@pytest.mark.parametrize(("name", "n", "count", "first"), [
    ("findpapers_legacy2020_esearch.xml", 50, 51, "32835308"),
    ("biopython_esearch1_biopython.xml", 20, 63, "41282813"),
])
def test_esearch_xml(name, n, count, first):
    result = parse_esearch(load(name))
    assert (len(result.ids), result.count, result.ids[0]) == (n, count, first)


def test_esearch_with_history():
    body = (b'{"header":{"type":"esearch","version":"0.3"},"esearchresult":{"count":"2","retmax":"2",'
            b'"retstart":"0","querykey":"1","webenv":"MCID_6672","idlist":["1","2"]}}')  # fmt: skip
    assert parse_esearch(body) == (["1", "2"], 2, "MCID_6672", "1")
    xml = (b"<eSearchResult><Count>2</Count><RetMax>2</RetMax><QueryKey>1</QueryKey><WebEnv>MCID_1</WebEnv>"
           b"<IdList><Id>1</Id><Id>2</Id></IdList></eSearchResult>")  # fmt: skip
    assert parse_esearch(xml) == (["1", "2"], 2, "MCID_1", "1")


def test_an_empty_search():
    assert parse_esearch(b'{"esearchresult":{"count":"0","idlist":[]}}') == ([], 0, None, None)


@pytest.mark.parametrize(("body", "message"), [
    (b'{"esearchresult": {"ERROR": "Invalid query"}}', "esearch rejected the query: Invalid query"),
    (b'{"error":"API rate limit exceeded","api-key":"1.2.3.4","count":"11","limit":"10"}', "slow down"),
    (b"<eSearchResult><ERROR>Empty term and query_key - nothing todo</ERROR></eSearchResult>", "nothing todo"),
    (b'{"header": {}}', "not an esearch response"),
    (b"<eFetchResult/>", "not an esearch response"),
    (b"", "empty"),
    (b"<html><body>NCBI is down</body></html>", "HTML page"),
    (b'{"esearchresult": {"count": "5", "idlist": ["1"', "cut short"),
    (b"<eSearchResult><Count>5</Count><IdList><Id>1</Id>", "cut short"),
])
def test_esearch_faults(body, message):
    with pytest.raises(ParseError, match=message) as caught:
        parse_esearch(body)
    assert caught.value.source == "PubMed E-utilities"


# -- efetch ----------------------------------------------------------------------------------


def test_fifty_articles(fifty):
    assert len(fifty) == 50
    assert all(r.title and r.abs_url == f"https://pubmed.ncbi.nlm.nih.gov/{p}/" for p, r in fifty.items())
    assert sum(1 for r in fifty.values() if r.doi) == 45  # the 45 with a doi ArticleId


def test_a_structured_abstract_and_authors(fifty):
    record = fifty["36427445"]
    assert record.title.startswith("Practice-Based Learning and Improvement: Improving Morbidity")
    assert record.doi == "10.1016/j.jss.2022.10.075" and record.venue == "The Journal of surgical research"
    assert record.issn == "1095-8673" and record.journal_ref == "J Surg Res 283:351-356 (2023)"
    paragraphs = record.abstract.split("\n\n")
    assert [p.split(":", 1)[0] for p in paragraphs] == ["INTRODUCTION", "METHODS", "RESULTS", "CONCLUSIONS"]
    assert "Copyright" not in record.abstract and "P < 0.0001" in record.abstract.replace("\xa0", " ")
    assert record.authors[0] == "Molly Kobritz" and record.authors[-1] == "Anthony C Antonacci"
    assert record.affiliations[2] == "City University of New York, Graduate School And University Center, New York, New York."
    # published in print March 2023, online (ArticleDate) 2022-11-22: the first appearance counts
    assert record.versions == [Version(1, date(2022, 11, 22))]


def test_inline_markup_becomes_text(fifty):
    titled = [r for r in fifty.values() if r.title.startswith("MTTLm6A")]
    assert titled and titled[0].title.startswith("MTTLm6A: A multi-task transfer learning approach")
    assert all("<" not in r.title and "<sup>" not in r.abstract for r in fifty.values())


def test_ids_come_from_the_article_not_its_references(fifty):
    record = fifty["38799249"]
    assert record.source_ids == {"pmid": "38799249", "pmcid": "PMC11114038"}
    assert record.html_url == "https://pmc.ncbi.nlm.nih.gov/articles/PMC11114038/"
    assert record.doi == "10.1177/0739456x21995890"


def test_a_proceedings_paper_without_doi(fifty):
    record = fifty["37128372"]
    assert record.title == "HealthPrompt: A Zero-shot Learning Paradigm for Clinical Natural Language Processing."
    assert record.doi is None and record.authors == ["Sonish Sivarajkumar", "Yanshan Wang"]
    assert record.journal_ref == "AMIA Annu Symp Proc 2022:972-981 (2022)"


def test_a_season_date_and_a_missing_abstract():
    old, chromatium = parse_efetch(load("biopython_pubmed1_efetch_12091962_9997.xml"))
    assert old.source_ids == {"pmid": "12091962"} and old.abstract == "" and old.doi is None
    assert old.versions == [Version(1, date(1990, 3, 1))]  # 1990 Spring
    assert old.authors == ["J Michael Olivero"] and old.issn == "1043-1578"
    assert chromatium.doi == "10.1016/0005-2795(76)90109-4"


def test_the_2019_dtd_pretty_printed():
    (record,) = parse_efetch(load("findpapers_legacy2020_efetch_32835308.xml"))
    assert record.title.startswith("Harvesting Patterns from Textual Web Sources")
    assert record.doi == "10.1016/j.patter.2020.100053" and record.source_ids["pmcid"] == "PMC7318947"
    assert record.venue == "Patterns (New York, N.Y.)"


def article(inner: str) -> bytes:
    return (f"<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID Version='1'>1</PMID><Article>"
            f"<Journal><Title>J</Title></Journal><ArticleTitle>T</ArticleTitle>{inner}</Article>"
            f"</MedlineCitation></PubmedArticle></PubmedArticleSet>").encode()  # fmt: skip


@pytest.mark.parametrize(("medline_date", "day"), [
    ("1998 Dec-1999 Jan", date(1998, 12, 1)), ("2000 Spring", date(2000, 3, 1)),
    ("2001", date(2001, 1, 1)), ("Winter 2001", None),
])
def test_medline_dates(medline_date, day):
    body = article("").replace(b"<Title>J</Title>", f"<JournalIssue><PubDate><MedlineDate>{medline_date}"
                               f"</MedlineDate></PubDate></JournalIssue><Title>J</Title>".encode())  # fmt: skip
    assert parse_efetch(body)[0].versions == [Version(1, day)]


def test_collective_names_suffixes_and_invalid_authors():
    body = article("<AuthorList><Author><LastName>Smith</LastName><ForeName>John</ForeName><Suffix>Jr</Suffix>"
                   "<AffiliationInfo><Affiliation>A</Affiliation></AffiliationInfo>"
                   "<AffiliationInfo><Affiliation>B</Affiliation></AffiliationInfo></Author>"
                   "<Author><CollectiveName>COVID-19 Genomics UK (COG-UK) Consortium</CollectiveName></Author>"
                   "<Author ValidYN='N'><LastName>Wrong</LastName></Author>"
                   "<Author><LastName>Lee</LastName><Initials>K</Initials></Author></AuthorList>")  # fmt: skip
    (record,) = parse_efetch(body)
    assert record.authors == ["John Smith Jr", "COVID-19 Genomics UK (COG-UK) Consortium", "K Lee"]
    assert record.affiliations == ["A; B", "", ""]


def test_abstract_text_labels():
    from lxml import etree

    element = etree.fromstring(b"<Abstract><AbstractText Label='BACKGROUND'>x <i>y</i></AbstractText>"
                               b"<AbstractText>z</AbstractText></Abstract>")  # fmt: skip
    assert abstract_text(element) == "BACKGROUND: x y\n\nz"


def test_an_empty_set_is_valid_and_books_are_skipped():
    assert parse_efetch(b"<PubmedArticleSet></PubmedArticleSet>") == []
    assert parse_efetch(b"<PubmedArticleSet><PubmedBookArticle/></PubmedArticleSet>") == []


@pytest.mark.parametrize(("body", "message"), [
    (b"", "empty"),
    (b"<!DOCTYPE html><html><body>Service unavailable</body></html>", "HTML page"),
    (b"<PubmedArticleSet><PubmedArticle><MedlineCitation>", "cut short"),
    (b"<PubmedArticleSet><PubmedArticle></PubmedArticleSet>", "not well-formed"),
    (b"<eFetchResult><ERROR>Cannot retrieve history data.</ERROR></eFetchResult>", "Cannot retrieve history data"),
    (b'{"error": "json?"}', "not well-formed"),
])
def test_efetch_faults(body, message):
    with pytest.raises(ParseError, match=message):
        parse_efetch(body)


def test_a_real_efetch_cut_short():
    data = load(EFETCH_50)
    with pytest.raises(ParseError, match="cut short"):
        parse_efetch(data[: len(data) // 2])


def test_external_entities_are_not_resolved():
    hostile = (b"<?xml version='1.0'?><!DOCTYPE PubmedArticleSet [<!ENTITY x SYSTEM 'file:///etc/passwd'>]>"
               + article("").split(b"?>", 1)[-1].replace(b"<ArticleTitle>T", b"<ArticleTitle>T&x;"))  # fmt: skip
    (record,) = parse_efetch(hostile)
    assert "root:" not in record.title


# -- parameters and the HTTP path ----------------------------------------------------------


def test_build_esearch_params():
    params = build_esearch_params('"deep learning"[tiab]', "2020-01-01", date(2022, 12, 31), retmax=50, api_key="k")
    assert params == {"db": "pubmed", "term": '"deep learning"[tiab]', "retmode": "json", "retmax": "50",
                      "usehistory": "y", "tool": "academichub", "datetype": "pdat", "mindate": "2020/01/01",
                      "maxdate": "2022/12/31", "api_key": "k"}  # fmt: skip
    with pytest.raises(ValueError):
        build_esearch_params("  ")
    with pytest.raises(ValueError):
        build_esearch_params("x", retmax=10_001)


def test_esearch_then_efetch_through_a_real_local_server(local_server):
    local_server.script("/esearch.fcgi", Reply(200, body=load("findpapers_esearch_ml_nlp.json"),
                                               headers={"Content-Type": "application/json"}))  # fmt: skip
    local_server.script("/efetch.fcgi", Reply(200, body=load(EFETCH_50), headers={"Content-Type": "text/xml"}))
    with PoliteClient(min_interval=0, sleep=lambda s: None) as http:
        ids, count, _, _ = parse_esearch(http.get(local_server.url("/esearch.fcgi"),
                                                  params=build_esearch_params("nlp", retmax=50)).content)  # fmt: skip
        records = parse_efetch(http.get(local_server.url("/efetch.fcgi"),
                                        params={"db": "pubmed", "id": ",".join(ids), "retmode": "xml"}).content)  # fmt: skip
    assert count == 1834 and {r.source_ids["pmid"] for r in records} == set(ids)


# -- hostile bodies (found by tests/fuzzing.py) ----------------------------------------------


@pytest.mark.parametrize(("idlist", "ids"), [
    (1.5, []), ({"1": 2}, []), ("12345", []), (None, []),  # a string is not a list of its digits
    ([1, "2", 3.0, None, [4], "²", "١٢", " 5 "], ["1", "2", "5"]),
])
def test_esearch_idlist_of_the_wrong_type(idlist, ids):
    """result.get("idlist") was iterated whatever it was: a float raised TypeError."""
    body = json.dumps({"esearchresult": {"count": [], "idlist": idlist, "webenv": 3, "querykey": None}})
    assert parse_esearch(body.encode()) == (ids, None, None, None)


def test_esearch_xml_ids_are_ascii_digits():
    xml = "<eSearchResult><Count>9999999999999999999999</Count><IdList><Id>²</Id><Id>7</Id></IdList></eSearchResult>"
    assert parse_esearch(xml.encode()) == (["7"], None, None, None)


@pytest.mark.parametrize("inner", [
    "<Year>99999999999999999999</Year><Month>1</Month>",  # date() raised OverflowError
    "<Year>2020</Year><Month>²</Month><Day>99999999999999999999</Day>",  # int("²") raised ValueError
    "<Year>2020</Year><Month>4</Month><Day>" + "9" * 5000 + "</Day>",  # int() of 5,000 digits raises
])
def test_impossible_dates_are_read_as_far_as_they_go(inner):
    body = article("").replace(b"<Title>J</Title>", f"<JournalIssue><PubDate>{inner}</PubDate></JournalIssue>"
                               "<Title>J</Title>".encode())  # fmt: skip
    (record,) = parse_efetch(body)
    assert record.versions[0].date in (None, date(2020, 1, 1), date(2020, 4, 1))


def test_a_pmid_in_other_digits_is_not_a_pmid():
    assert parse_efetch(article("").replace(b">1</PMID>", ">\u00b2</PMID>".encode())) == []
