"""same_work / normalise_title on real pairs from the shared fixtures.

Real pairs used:

- an arXiv preprint and its journal version: Granville, "Proof in the time of
  machines", arXiv 2305.02329 (2023) and Bull. AMS 10.1090/bull/1826 (2024),
  both cited in semanticscholar/Paper.json;
- HealthPrompt: arXiv 2203.05061 (semanticscholar search fixture) and its
  AMIA proceedings version in PubMed (pubmed efetch fixture, no DOI);
- a bioRxiv preprint and its journal article, both in one Crossref response:
  10.1101/014852 and 10.1002/ece3.2314 (``relation.has-preprint``);
- a journal article with an arXiv copy among its OpenAlex locations;
- one bioRxiv paper seen in two runs (two versions, two bodies);
- Crossref's "Table of Contents" item and the Oxford Bibliographies' short
  titles ("Fire Ecology", "Soil Ecology" …), for titles that must never
  match on their own.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

import pytest

from academichub import paths
from academichub.core import biorxiv, crossref, openalex, pubmed
from academichub.core.dedup import (arxiv_id_from_doi, bare_doi, doi_key, is_generic_title, normalise_title,
                                    same_work, title_key)  # fmt: skip
from academichub.core.records import PaperRecord, Version

FIXTURES = paths.shared_dir() / "fixtures"


def load(name: str) -> bytes:
    path = FIXTURES / name
    if not path.is_file():
        pytest.fail(f"shared fixture missing: {path}; set ACADEMICHUB_SHARED or put shared/ beside the repo")
    return path.read_bytes()


def from_s2(paper: dict) -> PaperRecord:
    """A Semantic Scholar paper as the arXiv or journal record it stands for."""
    ids = paper.get("externalIds") or {}
    return PaperRecord(
        arxiv_id=ids.get("ArXiv"),
        doi=None if ids.get("ArXiv") else ids.get("DOI"),  # an arXiv record has no journal DOI of its own
        title=paper["title"],
        authors=[a["name"] for a in paper["authors"]],
        versions=[Version(1, date.fromisoformat(paper["publicationDate"]))],
        venue=paper.get("venue") or "",
    )


@pytest.fixture(scope="module")
def s2_citations() -> list[dict]:
    return json.loads(load("semanticscholar/Paper.json"))["citations"]


def test_an_arxiv_preprint_and_its_journal_version(s2_citations):
    versions = [c for c in s2_citations if c["title"] == "Proof in the time of machines"]
    preprint = from_s2(next(c for c in versions if (c.get("externalIds") or {}).get("ArXiv")))
    article = from_s2(next(c for c in versions if not (c.get("externalIds") or {}).get("ArXiv")))
    assert (preprint.arxiv_id, article.doi) == ("2305.02329", "10.1090/bull/1826")
    match, reason = same_work(preprint, article)
    assert match and reason.startswith("same title, first author granville")
    assert same_work(article, preprint)[0]  # symmetric


def test_the_journal_version_with_the_arxiv_doi_matches_by_id(s2_citations):
    paper = next(c for c in s2_citations if (c.get("externalIds") or {}).get("ArXiv") == "2305.02329")
    arxiv_record = from_s2(paper)
    by_doi = PaperRecord(doi=paper["externalIds"]["DOI"], title="Proof in the time of machines (v2)")
    assert same_work(arxiv_record, by_doi) == (True, "same arXiv id 2305.02329")


def test_healthprompt_on_arxiv_and_in_pubmed():
    s2 = json.loads(load("semanticscholar/findpapers_paper_search_relevance.json"))["data"]
    preprint = from_s2(next(p for p in s2 if p["title"].startswith("HealthPrompt")))
    journal = next(r for r in pubmed.parse_efetch(load("pubmed/findpapers_efetch_pubmed_x50.xml"))
                   if r.source_ids["pmid"] == "37128372")  # fmt: skip
    assert journal.title.endswith("Processing.") and not preprint.title.endswith(".")
    match, reason = same_work(preprint, journal)
    assert match and "sivarajkumar" in reason
    with_pmid = replace(preprint, title="HealthPrompt", source_ids={"pmid": "37128372"})  # S2 lists the PMID
    assert same_work(with_pmid, journal) == (True, "same pmid 37128372")


def test_a_biorxiv_preprint_and_its_journal_article_in_crossref():
    records = {r.doi: r for r in crossref.parse_works(load(
        "crossref/decoded/test_works_field_queries__0__works_query_ecology_query.author_carl_boettiger.json")).records}
    article, preprint = records["10.1002/ece3.2314"], records["10.1101/014852"]
    assert same_work(article, preprint) == (True, "preprint: 10.1002/ece3.2314 has the preprint 10.1101/014852")
    # without the relation, the title (with U+2010 hyphens on one side), authors and years still agree
    unlinked = replace(article, source_ids={})
    match, reason = same_work(unlinked, preprint)
    assert match and reason.startswith("same title")
    assert not any(same_work(article, other)[0] for doi, other in records.items() if doi not in (article.doi, preprint.doi))


def test_a_journal_article_with_an_arxiv_copy_in_openalex():
    works = {r.source_ids["openalex"]: r for r in openalex.parse_works(
        load("openalex/findpapers_works_search_ml_nlp_2020-2022_p50.json")).records}
    journal = works["W4315645596"]
    arxiv_record = PaperRecord(arxiv_id="2308.11589", title=journal.title.upper(), authors=journal.authors[:1])
    assert same_work(journal, arxiv_record) == (True, "same arXiv id 2308.11589")


def test_the_same_biorxiv_paper_in_two_runs():
    entries = json.loads(load("biorxiv/findpapers_biorxiv_details_by_doi_x7.json"))
    raw = next(e["raw_response"] for e in entries if e["doi"] == "10.1101/2021.09.30.462652")
    raw = json.loads(raw) if isinstance(raw, str) else raw
    runs = [biorxiv.parse_details(json.dumps({**raw, "collection": [item]}).encode()).records[0]
            for item in raw["collection"]]  # fmt: skip
    assert [r.latest_version for r in runs] == [1, 2]
    assert same_work(*runs) == (True, "same DOI 10.1101/2021.09.30.462652")


def test_a_medrxiv_preprint_and_the_journal_doi_it_names():
    entries = json.loads(load("medrxiv/findpapers_medrxiv_details_by_doi_x5.json"))
    raw = next(e["raw_response"] for e in entries if e["doi"] == "10.1101/2021.06.14.21258493")
    raw = raw if isinstance(raw, str) else json.dumps(raw)
    (preprint,) = biorxiv.parse_details(raw.encode(), server="medrxiv").records
    article = PaperRecord(doi="10.1093/JAMIA/OCAB243", title="A different title in the journal", venue="JAMIA")
    match, reason = same_work(preprint, article)
    assert match and reason.startswith("published version") and "10.1093/jamia/ocab243" in reason


# -- titles -----------------------------------------------------------------------------


@pytest.mark.parametrize(("a", "b"), [
    ("Fractional Quantum Hall Effect of Hard-Core Bosons in Topological Flat Bands",
     "Fractional quantum Hall effect of hard-core bosons in topological flat bands."),
    ("HealthPrompt: A Zero-shot Learning Paradigm for Clinical Natural Language Processing",
     "HealthPrompt - a zero-shot learning paradigm for clinical natural-language processing"),
    (r"Schr\"odinger cat states of a macroscopic $\alpha$-quartz resonator",
     "Schrödinger Cat States of a Macroscopic α-Quartz Resonator"),
    (r"Direct observation of the interconversion of toxic forms of $\alpha$-synuclein",
     "Direct Observation of the Interconversion of Toxic Forms of <i>α</i>-Synuclein"),
    ("Artiﬁcial intelligence (AI): working with machines", "Artificial Intelligence (AI) — Working with Machines"),
    ("Ab initio calculations of H$_2$O clusters", "Ab initio calculations of H<sub>2</sub>O clusters"),
    ("life\u2010history trade\u2010offs drive dispersal", "life-history trade-offs drive dispersal"),
    ("Na\\\"{\\i}ve Bayes, revisited", "Naïve   Bayes revisited"),
])
def test_titles_equal_up_to_case_punctuation_and_tex(a, b):
    assert normalise_title(a) == normalise_title(b) and normalise_title(a)


def test_normalise_title_of_nothing():
    assert normalise_title(None) == "" and normalise_title("  ") == ""


def test_title_key():
    key = title_key("Proof in the Time of Machines.", "Granville", 2023)
    assert key == "proof in the time of machines|granville|2023"
    assert key == title_key("proof in the time of machines", "GRANVILLE", 2023)
    assert title_key("X y z w", None, None) == "x y z w||"


# -- what must never match ---------------------------------------------------------------


def test_two_different_items_titled_table_of_contents():
    records = crossref.parse_works(load(
        "crossref/decoded/test_works_field_queries__0__works_query_ecology_query.author_carl_boettiger.json")).records
    journals = {r.doi: r for r in crossref.parse_works(load(
        "crossref/decoded/test_random_dois__0__works_sample_10.json")).records}  # fmt: skip
    toc = journals["10.1016/s1532-0464(03)00128-x"]
    assert toc.title == "Table of Contents" and is_generic_title(toc.title)
    other = PaperRecord(title="Table of contents", versions=[Version(1, date(2003, 6, 1))], venue="Another journal")
    match, reason = same_work(toc, other)
    assert not match and "too short or generic" in reason
    assert records  # the ecology page parsed too


@pytest.mark.parametrize("title", ["Introduction", "Editorial", "Reply", "Erratum", "Fire Ecology", "Soil Ecology",
                                   "Erratum: Polaronic behavior of electrons on a liquid-helium film",
                                   "Reply to comment on the forecast trap", "Corrigendum to a long paper title here"])
def test_short_or_generic_titles_never_match_without_an_identifier(title):
    a = PaperRecord(title=title, authors=["Ann Smith"], versions=[Version(1, date(2020, 1, 1))])
    b = PaperRecord(title=title, authors=["Ann Smith"], versions=[Version(1, date(2020, 5, 1))])
    assert same_work(a, b)[0] is False
    assert same_work(replace(a, doi="10.1/x"), replace(b, doi="10.1/X"))[0] is True  # a shared DOI still decides


def test_oxford_bibliographies_short_titles_are_generic():
    records = crossref.parse_works(load(
        "crossref/decoded/test_works_with_select_param__0__works_query_ecology_select_DOI_2Ctitle.json")).records
    short = [r for r in records if r.doi.startswith("10.1093/obo/") and len(r.title.split()) < 4]
    assert len(short) >= 10 and all(is_generic_title(r.title) for r in short)
    assert not is_generic_title("Stochastic Processes in Ecology")  # four words, 31 characters: specific enough
    assert not any(same_work(a, replace(b, doi=None))[0] for a in short for b in short if a is not b)


def test_same_title_different_first_author_or_distant_years():
    base = PaperRecord(title="Strong contributors to network persistence are the most vulnerable to extinction",
                       authors=["Serguei Saavedra"], versions=[Version(1, date(2011, 9, 1))])  # fmt: skip
    assert same_work(base, replace(base, authors=["D. B. Stouffer"]))[1].startswith("same title but first authors")
    assert same_work(base, replace(base, versions=[Version(1, date(2014, 1, 1))]))[1].endswith("too far apart")
    assert same_work(base, replace(base, versions=[Version(1, date(2012, 3, 1))]))[0]
    assert same_work(base, replace(base, authors=[]))[0]  # no author list on one side is no evidence against


def test_same_title_but_two_journal_dois_is_two_works():
    a = PaperRecord(doi="10.1103/PhysRevLett.1", title="Quantum criticality in heavy fermion metals revisited",
                    authors=["A. Author"], versions=[Version(1, date(2010, 1, 1))])  # fmt: skip
    b = replace(a, doi="10.1103/PhysRevLett.2")
    assert same_work(a, b) == (False, "same title but two different journal DOIs")
    assert same_work(a, replace(b, doi="10.48550/arXiv.1001.00001"))[0]  # a preprint DOI is no conflict


def test_different_works_do_not_match():
    fifty = pubmed.parse_efetch(load("pubmed/findpapers_efetch_pubmed_x50.xml"))
    assert not any(same_work(a, b)[0] for i, a in enumerate(fifty) for b in fifty[i + 1:])


# -- identifiers ------------------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "bare"), [
    ("https://doi.org/10.1038/s41586-023-06124-2", "10.1038/s41586-023-06124-2"),
    ("http://dx.doi.org/10.1103/PhysRevD.93.016005", "10.1103/PhysRevD.93.016005"),
    ("doi:10.1016/j.cell.2012.03.037.", "10.1016/j.cell.2012.03.037"),
    ("info:doi/10.1000/xyz", "10.1000/xyz"),
    ("not a doi", ""), (None, ""), ("11.1000/x", ""),
])
def test_bare_doi(raw, bare):
    assert bare_doi(raw) == bare


def test_doi_keys_and_arxiv_dois():
    assert doi_key("https://doi.org/10.1103/PhysRevD.93.016005") == "10.1103/physrevd.93.016005"
    assert arxiv_id_from_doi("https://doi.org/10.48550/arxiv.2301.00236") == "2301.00236"
    assert arxiv_id_from_doi("10.48550/arXiv.hep-th/9901001") == "hep-th/9901001"
    assert arxiv_id_from_doi("10.1038/nature02387") is None
