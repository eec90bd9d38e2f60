"""parse_raw_line on hostile dump lines (found by tests/fuzzing.py).

A dump line is either a record or a ``DumpLine`` whose ``error`` names the line
and the problem. Only ``ValueError`` (bad JSON, ``DumpError``) is turned into
such an error; every field is coerced, so a field of the wrong type can never
put a list into ``title`` or stop an import with a TypeError.
"""

from __future__ import annotations

import json
from datetime import date

import pytest

from academichub.core.dumps import parse_raw_line
from academichub.core.records import Version

CS_LINE = {"id": "2606.32040", "categories": ["cs.CV"], "authors": ["Kartik Narayan"], "title": "FaceMoE",
           "comment": None, "summary": "Low-resolution face recognition", "_day_file": "2026-06-29",
           "abs": "https://arxiv.org/abs/2606.32040", "pdf": "https://arxiv.org/pdf/2606.32040"}  # fmt: skip


def line(**changes) -> bytes:
    return json.dumps({**CS_LINE, **changes}).encode()


def test_fields_of_the_wrong_type_read_as_absent():
    """Before, title=5 reached PaperRecord.title and authors="A, B" became one author per character."""
    parsed = parse_raw_line(3, line(title=5, summary=["x"], authors="A, B", categories=[None, "cs.LG", 7],
                                    comment={"a": 1}, abs=[], pdf=None))  # fmt: skip
    record = parsed.record
    assert parsed.error == "" and (record.title, record.abstract, record.comments) == ("", "", "")
    assert record.authors == [] and record.categories == ["cs.LG"]
    assert record.abs_url == "https://arxiv.org/abs/2606.32040" and record.pdf_url == "https://arxiv.org/pdf/2606.32040"


@pytest.mark.parametrize(("changes", "error"), [
    ({"id": 5}, "line 7: not an arXiv id: 5"),
    ({"id": "x" * 5000}, "line 7: not an arXiv id"),
    ({"_day_file": ["2026-06-29"]}, "line 7: _day_file: ['2026-06-29'] is not a date (expected YYYY-MM-DD)"),
    ({"_day_file": "2026-13-45"}, "line 7: _day_file: '2026-13-45' is not a date"),
])
def test_bad_fields_are_a_clear_line_error(changes, error):
    parsed = parse_raw_line(7, line(**changes))
    assert parsed.record is None and parsed.error.startswith(error)


def test_kaggle_lines_with_odd_versions_and_authors():
    kaggle = {"id": "0704.0001", "categories": "hep-ph", "authors_parsed": [["Balázs", "C.", ""], "x", [None], []],
              "versions": [{"version": "v1", "created": "Mon, 2 Apr 2007 19:18:42 GMT"}]}  # fmt: skip
    record = parse_raw_line(1, json.dumps(kaggle).encode()).record
    assert record.authors == ["C. Balázs"] and record.versions == [Version(1, date(2007, 4, 2))]
    kaggle["versions"] = [{"version": 2}]  # "2".lstrip raised AttributeError on an int
    assert "bad version" in parse_raw_line(1, json.dumps(kaggle).encode()).error
    kaggle["versions"] = [{"version": "v" + "9" * 5000}]
    assert "bad version" in parse_raw_line(1, json.dumps(kaggle).encode()).error


def test_sample_lines_with_odd_subjects_and_dates():
    sample = {"id": "0704.0002", "subjects": [["x"], "Computer Science - Machine Learning"], "dates": ["2007-04-02", None]}
    record = parse_raw_line(1, json.dumps(sample).encode()).record
    assert record.categories == ["cs.LG"] and record.versions == [Version(1, date(2007, 4, 2)), Version(2, None)]


def test_json_nested_too_deeply_is_a_line_error():
    assert parse_raw_line(2, b"[" * 100_000).error == "line 2: JSON nested too deeply to be a paper"


def test_not_utf8_is_a_line_error():
    assert parse_raw_line(2, b'{"id": "\xff"}').error.startswith("line 2: ")
