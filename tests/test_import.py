"""Bulk import: real records, idempotence, bad lines, resume after a crash."""

from __future__ import annotations

import gzip
import itertools
import json
from pathlib import Path

import pytest

from academichub.papers.models import Paper
from academichub.sources.importer import import_dump
from academichub.sources.models import Checkpoint

pytestmark = pytest.mark.django_db


def slice_of(corpus: Path, target: Path, n: int, extra_lines: list[str] = ()) -> Path:
    with gzip.open(corpus, "rt") as src, gzip.open(target, "wt") as dst:
        dst.writelines(itertools.islice(src, n))
        dst.writelines(line + "\n" for line in extra_lines)
    return target


def test_import_is_idempotent(cs_corpus, tmp_path):
    dump = slice_of(cs_corpus, tmp_path / "cs.jsonl.gz", 3000)
    first = import_dump(dump, batch_size=700).run
    assert (first.fetched, first.new, first.updated, first.failed) == (3000, 3000, 0, 0)
    assert Paper.objects.count() == 3000
    second = import_dump(dump, batch_size=700).run
    assert (second.new, second.updated, second.unchanged) == (0, 0, 3000)
    assert Paper.objects.count() == 3000


def test_the_planner_sees_the_imported_rows(cs_corpus, tmp_path):
    """An import ends with ANALYZE (PostgreSQL) or PRAGMA optimize (SQLite): a planner that still
    thinks the catalogue is empty picks join orders that are ten times slower."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("SQLite's PRAGMA optimize decides for itself whether to analyze")
    import_dump(slice_of(cs_corpus, tmp_path / "cs.jsonl.gz", 1200), batch_size=500)
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'papers_paper'")
        assert cursor.fetchone()[0] == 1200


def test_both_shared_formats_and_the_kaggle_format(cs_corpus, all_sample, tmp_path):
    import_dump(slice_of(cs_corpus, tmp_path / "a.jsonl.gz", 200))
    import_dump(slice_of(all_sample, tmp_path / "b.jsonl.gz", 200))
    kaggle = {
        "id": "0704.0001", "submitter": "Pavel Nadolsky", "authors": "C. Bal\\'azs, E. L. Berger",
        "title": "Calculation of prompt diphoton production cross sections at Tevatron and\n  LHC energies",
        "comments": "37 pages", "journal-ref": "Phys.Rev.D76:013009,2007", "doi": "10.1103/PhysRevD.76.013009",
        "report-no": "ANL-HEP-PR-07-12", "categories": "hep-ph", "license": None,
        "abstract": "  A fully differential calculation in perturbative QCD is presented.\n",
        "versions": [{"version": "v1", "created": "Mon, 2 Apr 2007 19:18:42 GMT"},
                     {"version": "v2", "created": "Tue, 24 Jul 2007 20:10:27 GMT"}],
        "update_date": "2008-11-13", "authors_parsed": [["Balázs", "C.", ""], ["Berger", "E. L.", ""]],
    }  # fmt: skip
    path = tmp_path / "kaggle.json"
    path.write_text(json.dumps(kaggle) + "\n")
    assert import_dump(path).run.new == 1
    assert Paper.objects.count() == 401
    paper = Paper.objects.get(arxiv_id="0704.0001")
    assert paper.latest_version == 2 and paper.doi == "10.1103/physrevd.76.013009"
    assert paper.author_list == ["C. Balázs", "E. L. Berger"]
    sample = Paper.objects.exclude(arxiv_id="0704.0001").filter(announced=None).first()
    assert sample.primary_category_id  # subject names became category codes


def test_bad_lines_are_reported_and_the_rest_stored(cs_corpus, tmp_path):
    dump = slice_of(cs_corpus, tmp_path / "bad.jsonl.gz", 50,
                    extra_lines=["{not json", json.dumps({"no": "id"}), json.dumps({"id": "x", "summary": "s"})])
    run = import_dump(dump).run
    assert run.new == 50
    assert run.failed == 3
    assert {f["item"] for f in run.failures} == {"line 51", "line 52", "line 53"}


def test_a_crash_mid_import_resumes_after_the_last_committed_batch(cs_corpus, tmp_path, monkeypatch):
    dump = slice_of(cs_corpus, tmp_path / "crash.jsonl.gz", 1000)
    from academichub.papers import storage

    real_write, calls = storage.CatalogueWriter.write_prepared, {"n": 0}

    def dying_write(self, batch, extra=None):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("power cut")
        return real_write(self, batch, extra)

    monkeypatch.setattr(storage.CatalogueWriter, "write_prepared", dying_write)
    with pytest.raises(RuntimeError):
        import_dump(dump, batch_size=300)
    assert Paper.objects.count() == 600
    checkpoint = Checkpoint.objects.get()
    assert checkpoint.value["line"] == 600 and not checkpoint.value["done"]
    monkeypatch.setattr(storage.CatalogueWriter, "write_prepared", real_write)
    result = import_dump(dump, batch_size=300)
    assert result.resumed_from == 600
    assert result.run.new == 400
    assert Paper.objects.count() == 1000


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such file"):
        import_dump(tmp_path / "nope.jsonl.gz")
