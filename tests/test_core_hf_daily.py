"""parse_daily on the built Hugging Face Daily Papers fixture.

No recording of ``/api/daily_papers`` exists, so the fixture is built by
tests/fixtures/build_hf_fixture.py from real arXiv records of the shared CS
corpus in the API's documented shape; upvotes, comments, submitters and
organisations are synthetic (see the builder). One test rebuilds it and
checks the committed file is exactly what the script produces.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timezone

import pytest

from academichub import paths
from academichub.core.errors import ParseError
from academichub.core.hf_daily import HfPaper, build_daily_params, parse_daily
from academichub.core.http import PoliteClient
from tests.fixtures import build_hf_fixture
from tests.httpserver import Reply

FIXTURE = paths.REPO_ROOT / "tests" / "fixtures" / "built_hf_daily_papers_2026-06-30.json"


@pytest.fixture(scope="module")
def data() -> bytes:
    return FIXTURE.read_bytes()


def test_the_day(data):
    papers = parse_daily(data)
    assert len(papers) == 12 and all(isinstance(p, HfPaper) for p in papers)
    assert [p.upvotes for p in papers] == list(build_hf_fixture.UPVOTES)
    first = papers[0]
    assert first.arxiv_id == "2606.28354"
    assert first.title == "Generating in the Limit with Infinitely Many Hallucinations"
    assert (first.submitted_by, first.num_comments, first.organization) == ("synthetic-reader-1", 7, "")
    assert first.published_at == datetime(2026, 6, 29, 13, 25, 38, tzinfo=timezone.utc)
    assert first.listed_at.date() == date(2026, 6, 30)


def test_organisations(data):
    claimed = {p.arxiv_id: (p.organization, p.organization_name) for p in parse_daily(data) if p.organization}
    assert claimed == {"2606.28570": ("example-vision-lab", "Example Vision Lab"),
                       "2606.29208": ("example-language-group", "Example Language Group"),
                       "2606.30030": ("example-vision-lab", "Example Vision Lab")}  # fmt: skip


def test_papers_are_real_records_of_the_corpus(data):
    import gzip

    corpus = paths.shared_dir() / "data" / build_hf_fixture.CORPUS_NAME
    if not corpus.is_file():
        pytest.fail(f"shared corpus missing: {corpus}")
    wanted = {p.arxiv_id: p for p in parse_daily(data)}
    with gzip.open(corpus, "rt", encoding="utf-8") as lines:
        found = {o["id"]: o for o in map(json.loads, lines) if o["id"] in wanted}
    assert set(found) == set(wanted)
    for arxiv_id, paper in wanted.items():
        assert paper.title == " ".join(found[arxiv_id]["title"].split())
        assert found[arxiv_id]["_day_file"] == "2026-06-30"


def test_the_committed_fixture_is_what_the_builder_produces(tmp_path, data):
    corpus = paths.shared_dir() / "data" / build_hf_fixture.CORPUS_NAME
    if not corpus.is_file():
        pytest.fail(f"shared corpus missing: {corpus}")
    assert build_hf_fixture.build(tmp_path, corpus).read_bytes() == data


def test_the_fixture_has_the_documented_fields(data):
    item = json.loads(data)[0]
    assert {"paper", "publishedAt", "title", "thumbnail", "numComments", "submittedBy"} <= set(item)
    assert {"id", "title", "summary", "authors", "publishedAt", "upvotes"} <= set(item["paper"])
    assert {"name", "hidden"} <= set(item["paper"]["authors"][0])
    assert {"fullname", "name", "avatarUrl"} <= set(item["submittedBy"])


def test_organisation_on_the_paper_and_fallback_submitter():
    item = {"paper": {"id": "2606.28354", "title": "T", "upvotes": 3.0, "publishedAt": "2026-06-29T00:00:00.000Z",
                      "organization": {"name": "org", "fullname": "Org"},
                      "submittedOnDailyBy": {"name": "someone"}}, "numComments": 1}  # fmt: skip
    (paper,) = parse_daily(json.dumps([item]).encode())
    assert (paper.organization, paper.submitted_by, paper.upvotes, paper.listed_at) == ("org", "someone", 3, None)


def test_items_that_are_not_arxiv_papers_are_left_out():
    items = [{"paper": {"id": "2606.28354", "title": "A", "upvotes": 1}},
             {"paper": {"id": "not-an-id", "title": "B", "upvotes": 9}}, "junk", {"title": "no paper"}]  # fmt: skip
    assert [p.arxiv_id for p in parse_daily(json.dumps(items).encode())] == ["2606.28354"]


def test_odd_counts_count_as_zero():
    item = {"paper": {"id": "2606.28354", "title": "A", "upvotes": "lots"}, "numComments": -4}
    (paper,) = parse_daily(json.dumps([item]).encode())
    assert (paper.upvotes, paper.num_comments) == (0, 0)


def test_an_empty_day():
    assert parse_daily(b"[]") == []


@pytest.mark.parametrize(("body", "message"), [
    (b"", "empty"),
    (b"<!doctype html><html><body>429 Too Many Requests</body></html>", "HTML page"),
    (b'[{"paper": {"id": "2606.28354", "title": "A"', "cut short"),
    (b'[{"paper": }]', "not valid JSON"),
    (b'{"error": "Invalid date"}', "Invalid date"),
    (b'[{"paper": {"id": "x"}}, {"paper": {"id": "y"}}]', "none of the 2 items"),
    (b'{"papers": []}', "an object instead of a list"),
])
def test_bad_bodies(body, message):
    with pytest.raises(ParseError, match=message) as caught:
        parse_daily(body)
    assert caught.value.source == "Hugging Face Daily Papers"


def test_a_real_body_cut_short(data):
    with pytest.raises(ParseError, match="cut short"):
        parse_daily(data[: len(data) // 2])


def test_build_daily_params():
    assert build_daily_params(date(2026, 6, 30)) == {"date": "2026-06-30"}
    assert build_daily_params("2026-06-30") == {"date": "2026-06-30"}
    with pytest.raises(ValueError):
        build_daily_params("30/06/2026")


def test_fetch_then_parse_through_a_real_local_server(local_server, data):
    local_server.script("/api/daily_papers", Reply(429, headers={"Retry-After": "0"}),
                        Reply(200, body=data, headers={"Content-Type": "application/json"}))  # fmt: skip
    with PoliteClient(min_interval=0, sleep=lambda s: None) as http:
        response = http.get(local_server.url("/api/daily_papers"), params=build_daily_params(date(2026, 6, 30)))
    assert len(parse_daily(response.content)) == 12
    assert local_server.requests_for("/api/daily_papers")[-1].param("date") == "2026-06-30"
