"""The storage layer: identity, idempotence, merging, provenance, full text."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection

from academichub.core.records import PaperRecord, Version
from academichub.papers import fulltext
from academichub.papers.models import Author, Paper, PaperVersion, Provenance
from academichub.papers.storage import CatalogueWriter

pytestmark = pytest.mark.django_db


def record(arxiv_id="2501.00001", **overrides) -> PaperRecord:
    values = dict(
        arxiv_id=arxiv_id,
        title="Diffusion Models for $\\alpha$-Stable Noise",
        abstract="We study diffusion\nmodels driven by heavy-tailed noise.",
        authors=["Chenrui Wu", "Jos\\'e Garc\\'ia"],
        categories=["cs.LG", "stat.ML"],
        versions=[Version(1, date(2025, 1, 2))],
        announced=date(2025, 1, 3),
        announce_type="new",
    )
    values.update(overrides)
    return PaperRecord(**values)


def fts_count() -> int:
    with connection.cursor() as cursor:
        return fulltext.count(cursor, connection.vendor)


def test_database_is_the_one_under_test(expected_vendor):
    assert connection.vendor == expected_vendor


def test_new_then_unchanged():
    writer = CatalogueWriter("test")
    first = writer.write([record(), record("2501.00002", title="Another paper")])
    assert (first.new, first.updated, first.unchanged) == (2, 0, 0)
    again = writer.write([record(), record("2501.00002", title="Another paper")])
    assert (again.new, again.updated, again.unchanged) == (0, 0, 2)
    assert Paper.objects.count() == 2
    assert fts_count() == 2


def test_clean_text_and_authors_are_derived():
    CatalogueWriter("test").write([record()])
    paper = Paper.objects.get(arxiv_id="2501.00001")
    assert paper.abstract == "We study diffusion\nmodels driven by heavy-tailed noise."
    assert paper.abstract_text == "We study diffusion models driven by heavy-tailed noise."
    assert "$\\alpha$" in paper.title_text  # math kept for KaTeX
    assert paper.author_list == ["Chenrui Wu", "José García"]
    assert paper.primary_category_id == "cs.LG"
    assert list(paper.authors.order_by("authorships__position").values_list("name", flat=True)) == [
        "Chenrui Wu",
        "José García",
    ]


def test_replace_updates_version_not_a_second_paper():
    writer = CatalogueWriter("rss")
    writer.write([record()])
    replaced = record(
        versions=[Version(2, date(2025, 2, 1))],
        announced=date(2025, 2, 3),
        announce_type="replace",
        abstract="We study diffusion models driven by heavy-tailed noise, now with proofs.",
    )
    stats = writer.write([replaced])
    assert (stats.new, stats.updated) == (0, 1)
    paper = Paper.objects.get()
    assert paper.latest_version == 2
    assert paper.announced == date(2025, 1, 3)  # stays on its first announcement day
    assert sorted(PaperVersion.objects.filter(paper=paper).values_list("number", flat=True)) == [1, 2]
    assert "now with proofs" in paper.abstract_text
    assert fts_count() == 1


def test_merge_keeps_fields_other_sources_gave_and_records_provenance():
    CatalogueWriter("crossref").write([record(doi="10.1000/XYZ.1", journal_ref="J. Test 1 (2025)")])
    CatalogueWriter("arxiv-rss").write([record(comments="12 pages")])
    paper = Paper.objects.get()
    assert paper.doi == "10.1000/xyz.1"
    assert paper.journal_ref == "J. Test 1 (2025)"
    assert paper.comments == "12 pages"
    actions = list(Provenance.objects.filter(paper=paper).order_by("at", "id").values_list("source", "action"))
    assert actions == [("crossref", "created"), ("arxiv-rss", "updated")]
    updated = Provenance.objects.get(paper=paper, action="updated")
    assert "comments" in updated.fields and "doi" not in updated.fields


def test_doi_only_record_matches_existing_paper():
    CatalogueWriter("arxiv").write([record(doi="10.1000/abc")])
    stats = CatalogueWriter("crossref").write([record(arxiv_id=None, doi="10.1000/ABC", license="CC-BY")])
    assert (stats.new, stats.updated) == (0, 1)
    assert Paper.objects.get().license == "CC-BY"


def test_two_preprints_claiming_one_doi_do_not_break_the_batch():
    stats = CatalogueWriter("t").write([record("2501.1", doi="10.1/x"), record("2501.2", doi="10.1/x")])
    assert stats.new == 2
    assert Paper.objects.filter(doi="10.1/x").count() == 1


def test_records_without_identity_or_title_are_reported_not_stored():
    stats = CatalogueWriter("t").write([record(arxiv_id=None), record("2501.3", title="  ")])
    assert stats.failed == 2 and stats.new == 0
    assert {f["reason"] for f in stats.failures} == {"no id or no title"}


def test_same_author_spelled_two_ways_is_one_author():
    CatalogueWriter("t").write([
        record("2501.4", authors=["Jörg Müller"]),
        record("2501.5", authors=["M\\\"uller, J\\\"org"]),
    ])
    assert Author.objects.count() == 1


def test_deleting_a_paper_removes_it_from_the_index():
    CatalogueWriter("t").write([record("2501.6"), record("2501.7")])
    Paper.objects.filter(arxiv_id="2501.6").delete()
    assert fts_count() == 1


def test_oversized_values_fit_their_columns_on_every_database():
    """arXiv 2506.02197 really lists its authors as one 500-character 'Kongand Xiaoxia Xingand …'
    name; PostgreSQL refuses text longer than a varchar column, so the whole batch failed."""
    glued = "and ".join(f"Author{n} Family{n}" for n in range(40))
    long_license = "http://creativecommons.org/licenses/" + "x" * 300
    writer = CatalogueWriter("test")
    stats = writer.write([record(authors=[glued, "Chenrui Wu"], license=long_license,
                                 pdf_url="https://arxiv.org/pdf/" + "y" * 600),
                          record("2501.00002", authors=["Zed Zee and " + glued])])  # fmt: skip
    assert stats.new == 2
    paper = Paper.objects.get(arxiv_id="2501.00001")
    assert len(paper.license) == 255 and paper.license.endswith("…")
    assert paper.pdf_url == ""  # a cut URL would be a broken link
    keys = list(Author.objects.filter(key__contains="#").values_list("key", flat=True))
    assert len(keys) == 2 and len(set(keys)) == 2 and all(len(key) == 255 for key in keys)
    again = writer.write([record(authors=[glued, "Chenrui Wu"], license=long_license,
                                 pdf_url="https://arxiv.org/pdf/" + "y" * 600)])  # fmt: skip
    assert (again.new, again.updated, again.unchanged) == (0, 0, 1)
