"""One record per work: preprints and their journal versions become one paper, reversibly.

The pairs are real where the fixtures allow: arXiv records from the recorded
OAI-PMH pages (shared/fixtures/arxiv_oai; 0811.4634 has no DOI in the 2013
harvest and its Phys. Rev. B DOI in the 2014 one), bioRxiv records from the
recorded details API (shared/fixtures/biorxiv), and their journal versions
from tests/fixtures/built_crossref_journal_versions.json (see its builder
for what is real and what is not).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from academichub.core import arxiv_oai, biorxiv, crossref
from academichub.core.records import PaperRecord, Version
from academichub.papers import fulltext
from academichub.papers.merging import MergeError, record_from_json, record_to_json, undo_merge
from academichub.papers.models import Merge, Paper, PaperVersion, Provenance, Venue
from academichub.papers.storage import CatalogueWriter

pytestmark = pytest.mark.django_db
BUILT = Path(__file__).parent / "fixtures"
OAI_2013 = "arxiv_oai/scirate_ListRecords_arXivRaw_2013-05-24_token_436115-95001.xml"
OAI_2014 = "arxiv_oai/scirate_ListRecords_arXivRaw_2014-01-16_token_496549-95001.xml"
BIORXIV_BY_DOI = "biorxiv/findpapers_biorxiv_details_by_doi_x7.json"
SHERPA, CERIUM, NUCLEAR = "0811.4622", "0811.4634", "0811.4645"
JHEP_DOI, PRB_DOI, PATTERNS_DOI = "10.1088/1126-6708/2009/02/007", "10.1103/PhysRevB.79.134108", "10.1016/j.patter.2020.100123"
PREPRINT_DOI = "10.1101/2020.06.11.145425"


@pytest.fixture(scope="module")
def arxiv(fixtures_dir) -> dict[str, dict[str, PaperRecord]]:
    pages = {"2013": OAI_2013, "2014": OAI_2014}
    return {year: {r.arxiv_id: r for r in arxiv_oai.parse_oai((fixtures_dir / name).read_bytes()).records}
            for year, name in pages.items()}  # fmt: skip


@pytest.fixture
def journal() -> dict[str, PaperRecord]:
    page = crossref.parse_works((BUILT / "built_crossref_journal_versions.json").read_bytes())
    return {r.doi: r for r in page.records}


def biorxiv_record(fixtures_dir, doi: str, versions: set[int] | None = None) -> PaperRecord:
    """One preprint from the recorded by-DOI responses, optionally with only some of its versions."""
    entry = next(e for e in json.loads((fixtures_dir / BIORXIV_BY_DOI).read_text()) if e["doi"] == doi)
    body = entry["raw_response"] if isinstance(entry["raw_response"], dict) else json.loads(entry["raw_response"])
    if versions:
        body = {**body, "collection": [i for i in body["collection"] if int(i["version"]) in versions]}
    return biorxiv.parse_details(json.dumps(body).encode()).records[0]


def fts_count() -> int:
    with connection.cursor() as cursor:
        return fulltext.count(cursor, connection.vendor)


# -- an arXiv preprint and its journal version -------------------------------------------------


def test_arxiv_preprint_then_its_journal_version_is_one_paper(arxiv, journal):
    CatalogueWriter("arxiv-oai").write([arxiv["2014"][SHERPA]])
    stats = CatalogueWriter("crossref").write([journal[JHEP_DOI]])
    assert (stats.new, stats.updated, stats.merged) == (0, 1, 1)
    paper = Paper.objects.get()
    assert paper.arxiv_id == SHERPA and paper.published_doi == JHEP_DOI.lower()
    assert paper.venue.name == "Journal of High Energy Physics"
    assert paper.title == "Event generation with SHERPA 1.1" and paper.author_list[1] == "S. Hoeche"
    assert paper.journal_ref.startswith("J. High Energy Phys.")
    merged = Provenance.objects.get(paper=paper, action="merged")
    assert merged.source == "crossref" and "same DOI" in merged.detail and "venue_id" in merged.fields
    merge = Merge.objects.get()
    assert merge.absorbed_key == f"doi:{JHEP_DOI.lower()}"
    assert record_from_json(merge.record).title == "Event generation with SHERPA 1.1"
    again = CatalogueWriter("crossref").write([journal[JHEP_DOI]])
    assert (again.new, again.updated, again.unchanged) == (0, 0, 1)
    assert CatalogueWriter("arxiv-oai").write([arxiv["2014"][SHERPA]]).unchanged == 1
    assert Paper.objects.count() == 1 and Merge.objects.count() == 1 and fts_count() == 1


def test_journal_version_first_then_the_preprint_becomes_the_main_identity(arxiv, journal):
    CatalogueWriter("crossref").write([journal[JHEP_DOI]])
    first = Paper.objects.get()
    assert first.arxiv_id is None and first.source_badge == "Journal of High Energy Physics"
    stats = CatalogueWriter("arxiv-oai").write([arxiv["2014"][SHERPA]])
    assert (stats.new, stats.merged) == (0, 1)
    paper = Paper.objects.get()
    assert paper.pk == first.pk and paper.arxiv_id == SHERPA and paper.main_key == f"arxiv:{SHERPA}"
    assert paper.published_doi == JHEP_DOI.lower() and paper.venue.name == "Journal of High Energy Physics"
    assert paper.source_badge == "arXiv (hep-ph)"
    assert Merge.objects.get().absorbed_key == f"doi:{JHEP_DOI.lower()}"
    assert CatalogueWriter("crossref").write([journal[JHEP_DOI]]).unchanged == 1  # remembered, not re-merged
    assert Paper.objects.count() == 1 and fts_count() == 1


def test_both_versions_in_one_batch_are_one_paper(arxiv, journal):
    stats = CatalogueWriter("openalex").write([journal[JHEP_DOI], arxiv["2014"][SHERPA]])
    assert (stats.new, stats.merged) == (1, 1)
    assert Paper.objects.get().arxiv_id == SHERPA


def test_title_differing_in_case_and_punctuation_merges_without_a_doi(arxiv, journal):
    CatalogueWriter("arxiv-oai").write([arxiv["2013"][CERIUM]])  # the 2013 harvest: no DOI yet
    stats = CatalogueWriter("crossref").write([journal[PRB_DOI]])
    assert stats.merged == 1
    paper = Paper.objects.get()
    assert paper.arxiv_id == CERIUM and paper.published_doi == PRB_DOI.lower()
    assert paper.doi == PRB_DOI.lower()  # filled: the preprint had none
    assert Provenance.objects.get(paper=paper, action="merged").detail.startswith("same title, first author shoko")
    later = CatalogueWriter("arxiv-oai").write([arxiv["2014"][CERIUM]])  # arXiv now has the DOI too
    assert (later.new, later.merged) == (0, 0)
    assert Paper.objects.count() == 1


def test_title_differing_in_tex_merges(arxiv, journal):
    CatalogueWriter("arxiv-oai").write([arxiv["2013"][NUCLEAR]])
    assert CatalogueWriter("crossref").write([journal["10.5555/example.44ti.56ni"]]).merged == 1
    assert Paper.objects.get().arxiv_id == NUCLEAR


# -- bioRxiv ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("preprint_first", [True, False], ids=["preprint-first", "journal-first"])
def test_biorxiv_preprint_and_its_journal_version(fixtures_dir, journal, preprint_first):
    preprint = biorxiv_record(fixtures_dir, PREPRINT_DOI)
    assert preprint.published_doi == PATTERNS_DOI
    first, second = (preprint, journal[PATTERNS_DOI]) if preprint_first else (journal[PATTERNS_DOI], preprint)
    CatalogueWriter("one").write([first])
    assert CatalogueWriter("two").write([second]).merged == 1
    paper = Paper.objects.get()
    assert paper.doi == PREPRINT_DOI and paper.published_doi == PATTERNS_DOI.lower()
    assert paper.venue.name == "Patterns" and paper.source_badge == "Patterns"
    assert paper.preprint_url.startswith("https://www.biorxiv.org/content/10.1101/2020.06.11.145425")
    assert paper.primary_category_id == "biorxiv:scientific-communication-and-education"


def test_the_same_biorxiv_paper_in_two_runs(fixtures_dir):
    doi = "10.1101/2021.09.30.462652"
    CatalogueWriter("biorxiv").write([biorxiv_record(fixtures_dir, doi, versions={1})])
    stats = CatalogueWriter("biorxiv").write([biorxiv_record(fixtures_dir, doi)])
    assert (stats.new, stats.updated, stats.merged) == (0, 1, 0)
    paper = Paper.objects.get()
    assert paper.latest_version == 2 and paper.published == date(2021, 9, 30)
    assert list(PaperVersion.objects.filter(paper=paper).values_list("number", flat=True)) == [1, 2]
    assert paper.source_badge == "bioRxiv (Bioinformatics)"


# -- OpenAlex's copies of arXiv papers -----------------------------------------------------------------


@pytest.fixture(scope="module")
def openalex_by_arxiv(fixtures_dir) -> dict[str, PaperRecord]:
    from academichub.core import openalex

    page = openalex.parse_works((fixtures_dir / "openalex/findpapers_works_search_ml_nlp_2020-2022_p50.json").read_bytes())
    return {r.arxiv_id: r for r in page.records if r.arxiv_id}


def arxiv_copy(record: PaperRecord, categories: list[str], day: date) -> PaperRecord:
    """The arXiv record of a work OpenAlex lists (same id, title and authors; arXiv's own subjects)."""
    return PaperRecord(arxiv_id=record.arxiv_id, title=record.title, abstract=record.abstract + " (arXiv v1)",
                       authors=record.authors, categories=categories, versions=[Version(1, day)],
                       abs_url=f"https://arxiv.org/abs/{record.arxiv_id}")  # fmt: skip


@pytest.mark.parametrize("arxiv_first", [True, False], ids=["arxiv-first", "openalex-first"])
def test_openalex_copy_of_an_arxiv_paper_never_displaces_arxiv(openalex_by_arxiv, arxiv_first):
    work = openalex_by_arxiv["2301.00236"]  # OpenAlex's arXiv work (DataCite DOI 10.48550/arxiv.2301.00236)
    own = arxiv_copy(work, ["cs.CV", "cs.LG"], date(2023, 1, 1))
    for source, record in (("arxiv", own), ("openalex", work)) if arxiv_first else (("openalex", work), ("arxiv", own)):
        CatalogueWriter(source).write([record])
    paper = Paper.objects.get()
    assert paper.arxiv_id == "2301.00236" and paper.doi is None and not Merge.objects.exists()
    assert paper.primary_category_id == "cs.CV" and paper.abstract.endswith("(arXiv v1)")
    assert sorted(paper.categories.values_list("code", flat=True)) == ["cs.CV", "cs.LG"]
    assert paper.source_badge == "arXiv (cs.CV)"


def test_openalex_journal_work_with_an_arxiv_location_joins_the_preprint(openalex_by_arxiv):
    work = openalex_by_arxiv["2308.11589"]  # a journal article OpenAlex also found on arXiv
    CatalogueWriter("arxiv").write([arxiv_copy(work, ["cs.CL"], date(2023, 8, 22))])
    assert CatalogueWriter("openalex").write([work]).merged == 1
    paper = Paper.objects.get()
    assert paper.arxiv_id == "2308.11589" and paper.published_doi == "10.18280/isi.270614"
    assert paper.venue.name == "Ingénierie des systèmes d information" and paper.primary_category_id == "cs.CL"


# -- what must never merge ---------------------------------------------------------------------------


def _journal_record(doi: str, title: str, **overrides) -> PaperRecord:
    values = dict(doi=doi, title=title, authors=["Jane Smith"], venue="Example Journal", issn="0000-0019",
                  versions=[Version(1, date(2020, 3, 1))])  # fmt: skip
    values.update(overrides)
    return PaperRecord(**values)


@pytest.mark.parametrize("title", ["Editorial", "Reply", "Quantum error correction", "Deep learning"])
def test_short_or_generic_titles_are_never_merged(title):
    CatalogueWriter("arxiv").write([PaperRecord(arxiv_id="2003.00001", title=title, authors=["Jane Smith"],
                                                versions=[Version(1, date(2020, 3, 2))])])  # fmt: skip
    stats = CatalogueWriter("crossref").write([_journal_record("10.5555/short.1", title)])
    assert (stats.new, stats.merged) == (1, 0)
    assert Paper.objects.count() == 2


def test_same_long_title_with_different_identifiers_is_never_merged():
    title = "On the interpretation of the muon anomalous magnetic moment measurements"
    stats = CatalogueWriter("crossref").write([_journal_record("10.5555/comment.1", title),
                                               _journal_record("10.5555/reply.2", title)])  # fmt: skip
    arxiv = CatalogueWriter("arxiv").write([
        PaperRecord(arxiv_id="2003.00002", title=title, authors=["Jane Smith"], versions=[Version(1, date(2020, 3, 1))]),
        PaperRecord(arxiv_id="2003.00003", title=title, authors=["Jane Smith"], versions=[Version(1, date(2020, 3, 1))]),
    ])  # fmt: skip
    assert stats.new == 2 and (arxiv.new, arxiv.merged) == (2, 0)  # ambiguous: a title alone cannot choose
    assert Paper.objects.count() == 4 and not Merge.objects.exists()


def test_different_first_authors_or_years_are_never_merged(arxiv, journal):
    record = arxiv["2013"][CERIUM]
    other_author = PaperRecord(**{**vars(journal[PRB_DOI]), "authors": ["Someone Else"]})
    other_year = PaperRecord(**{**vars(journal[PRB_DOI]), "doi": "10.5555/later", "versions": [Version(1, date(2015, 1, 1))]})
    CatalogueWriter("arxiv-oai").write([record])
    CatalogueWriter("crossref").write([other_author])
    CatalogueWriter("crossref").write([other_year])
    assert Paper.objects.count() == 3 and not Merge.objects.exists()


# -- undo ---------------------------------------------------------------------------------------------


def test_undo_merge_restores_two_papers_and_it_stays_split(arxiv, journal):
    CatalogueWriter("arxiv-oai").write([arxiv["2013"][CERIUM]])
    CatalogueWriter("crossref").write([journal[PRB_DOI]])
    merge = Merge.objects.get()
    paper, split = undo_merge(merge, user="curator")
    assert Paper.objects.count() == 2 and fts_count() == 2
    paper.refresh_from_db()
    assert (paper.arxiv_id, paper.doi, paper.published_doi, paper.venue_id) == (CERIUM, None, None, None)
    assert split.doi == PRB_DOI.lower() and split.venue.name == "Physical Review B" and split.arxiv_id is None
    assert split.title.startswith("Mixed Valency in Cerium Oxide")
    merge.refresh_from_db()
    assert merge.undone_at and merge.undone_by == "curator" and merge.split_paper_id == split.pk
    assert Provenance.objects.filter(action="split").count() == 2
    # Re-running both sources keeps them apart.
    assert CatalogueWriter("crossref").write([journal[PRB_DOI]]).unchanged == 1
    changed = PaperRecord(**{**vars(journal[PRB_DOI]), "abstract": "Now with an abstract."})
    assert CatalogueWriter("crossref").write([changed]).merged == 0
    assert CatalogueWriter("arxiv-oai").write([arxiv["2013"][CERIUM]]).unchanged == 1
    assert Paper.objects.count() == 2
    with pytest.raises(MergeError, match="already undone"):
        undo_merge(merge)


def test_undo_of_a_preprint_takeover_restores_the_journal_paper(fixtures_dir, journal):
    CatalogueWriter("crossref").write([journal[PATTERNS_DOI]])
    CatalogueWriter("biorxiv").write([biorxiv_record(fixtures_dir, PREPRINT_DOI)])
    paper, split = undo_merge(Merge.objects.get())
    paper.refresh_from_db()
    assert paper.doi == PREPRINT_DOI and paper.venue.name == "bioRxiv" and paper.journal_ref == ""
    assert paper.published_doi == PATTERNS_DOI.lower()  # the preprint's own claim (bioRxiv's "published")
    assert split.doi == PATTERNS_DOI.lower() and split.venue.name == "Patterns"
    assert Paper.objects.count() == 2
    assert CatalogueWriter("biorxiv").write([biorxiv_record(fixtures_dir, PREPRINT_DOI)]).unchanged == 1
    assert CatalogueWriter("crossref").write([journal[PATTERNS_DOI]]).unchanged == 1
    assert Paper.objects.count() == 2


def test_undo_is_refused_when_an_identifier_says_one_work(arxiv, journal):
    CatalogueWriter("arxiv-oai").write([arxiv["2014"][SHERPA]])  # arXiv itself names the JHEP DOI
    CatalogueWriter("crossref").write([journal[JHEP_DOI]])
    with pytest.raises(MergeError, match="one work by identifier"):
        undo_merge(Merge.objects.get())
    assert Paper.objects.count() == 1 and Merge.objects.get().undone_at is None
    assert Paper.objects.get().venue.name == "Journal of High Energy Physics"  # the failed undo changed nothing


def test_absorbed_records_round_trip_as_json(arxiv):
    record = arxiv["2014"][SHERPA]
    data = json.loads(json.dumps(record_to_json(record)))
    assert record_from_json(data) == record


# -- speed and the read side ---------------------------------------------------------------------------


def _fresh(n: int, start: int = 0) -> list[PaperRecord]:
    return [PaperRecord(arxiv_id=f"2101.{i:05d}", title=f"Distinct study number {i} of sparse attention kernels",
                        authors=["Jane Smith"], versions=[Version(1, date(2021, 1, 4))])
            for i in range(start, start + n)]  # fmt: skip


@pytest.mark.parametrize("size", [50, 2000])
def test_title_lookup_is_one_set_based_query_per_batch(size):
    with CaptureQueriesContext(connection) as fresh:
        CatalogueWriter("bulk").write(_fresh(size))
    assert sum("title_key IN" in q["sql"] for q in fresh.captured_queries) == 1
    with CaptureQueriesContext(connection) as again:
        assert CatalogueWriter("bulk").write(_fresh(size)).unchanged == size
    assert sum("title_key IN" in q["sql"] for q in again.captured_queries) == 0
    assert len(again.captured_queries) < 15  # independent of the batch size


def test_paper_page_shows_both_versions_and_feeds_show_it_once(client, arxiv, journal):
    preprint = arxiv["2014"][SHERPA]
    preprint.announced = date(2008, 11, 28)
    CatalogueWriter("arxiv-oai").write([preprint])
    CatalogueWriter("crossref").write([journal[JHEP_DOI]])
    html = client.get(f"/paper/{SHERPA}").content.decode()
    assert f"https://arxiv.org/abs/{SHERPA}" in html
    assert "https://doi.org/10.1088/1126-6708/2009/02/007" in html and "Journal of High Energy Physics" in html
    by_journal_doi = client.get(f"/paper/{JHEP_DOI}")
    assert by_journal_doi.status_code == 200 and f"arXiv:{SHERPA}" in by_journal_doi.content.decode()
    day = client.get("/day/2008-11-28/").content.decode()
    assert day.count("Event generation with SHERPA 1.1") == 1


def test_venues_are_seeded_and_found_by_issn():
    nature = Venue.objects.get(key="nature")
    assert nature.issns == ["0028-0836", "1476-4687"] and nature.name_zh == "自然"
    assert Venue.objects.get(name="bioRxiv").kind == "preprint"
    assert Venue.objects.get(name="Proceedings of the National Academy of Sciences").badge == "PNAS"
    CatalogueWriter("pubmed").write([_journal_record("10.1038/x1", "A long enough title about a nature paper",
                                                     venue="Nature (London)", issn="1476-4687")])  # fmt: skip
    assert Paper.objects.get().venue == nature and Paper.objects.get().source_badge == "Nature"


def test_the_admin_action_undoes_a_merge(admin_client, arxiv, journal):
    CatalogueWriter("arxiv-oai").write([arxiv["2013"][CERIUM]])
    CatalogueWriter("crossref").write([journal[PRB_DOI]])
    merge = Merge.objects.get()
    listing = admin_client.get("/admin/papers/merge/")
    assert listing.status_code == 200 and "Undo merge" in listing.content.decode()
    response = admin_client.post("/admin/papers/merge/", {"action": "undo_selected", "_selected_action": [merge.pk]},
                                 follow=True)  # fmt: skip
    assert "plit doi:10.1103/physrevb.79.134108 out of arXiv:0811.4634" in response.content.decode()
    assert Paper.objects.count() == 2 and Merge.objects.get().undone_by == "admin"
    page = admin_client.get(f"/admin/papers/paper/{Paper.objects.get(arxiv_id=CERIUM).pk}/change/")
    assert page.status_code == 200 and "split" in page.content.decode()
