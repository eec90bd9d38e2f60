"""parse_rss on the built rss.arxiv.org fixtures (tests/fixtures/built_arxiv_rss_*.xml).

The fixtures are built from real records of the shared CS corpus by
tests/fixtures/build_rss_fixtures.py (no recording exists); one test rebuilds
them and checks the committed files are exactly what the script produces.
"""

from __future__ import annotations

import gzip
import json
from collections import Counter
from datetime import date, datetime, timezone

import pytest

from academichub import paths
from academichub.core.arxiv_rss import clean_abstract, parse_rss
from academichub.core.errors import ParseError
from academichub.core.records import Version
from tests.fixtures import build_rss_fixtures

FIXTURES = paths.REPO_ROOT / "tests" / "fixtures"
CV_DAY = "built_arxiv_rss_cs.CV_2026-06-30.xml"
CV_AI_DAY = "built_arxiv_rss_cs.CV+cs.AI_2026-06-30.xml"
EMPTY_DAY = "built_arxiv_rss_cs.CV_2026-06-22_empty.xml"
XSS_DAY = "built_arxiv_rss_cs.CV_2026-06-30_xss.xml"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@pytest.fixture(scope="module")
def corpus() -> dict[str, dict]:
    """The real records behind the fixtures, by id (read once: the file is 44 MB)."""
    path = paths.shared_dir() / "data" / build_rss_fixtures.CORPUS_NAME
    if not path.is_file():
        pytest.fail(f"shared corpus missing: {path}; set ACADEMICHUB_SHARED or put shared/ beside the repo")
    wanted = {r.arxiv_id for name in (CV_DAY, CV_AI_DAY) for r in parse_rss(fixture(name)).records}
    found = {}
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            obj = json.loads(line)
            if obj["id"] in wanted:
                found[obj["id"]] = obj
    return found


def test_a_day_of_cs_cv():
    feed = parse_rss(fixture(CV_DAY))
    assert feed.title == "cs.CV updates on arXiv.org" and feed.announced == date(2026, 6, 30)
    assert feed.last_build == datetime(2026, 6, 30, 4, 0, 5, tzinfo=timezone.utc)
    assert feed.skipped == []
    assert Counter(r.announce_type for r in feed.records) == {"new": 6, "cross": 4, "replace": 3, "replace-cross": 2}
    first = feed.records[0]
    assert first.arxiv_id == "2606.28371" and first.versions == [Version(1, None)]
    assert first.title.startswith("GeoISF: Instance Semantic Forest")
    assert first.authors == ["Di Hu", "Xia Yuan", "Chunxia Zhao"]
    assert first.abstract.startswith("The problem of localization on a large-scale satellite image")
    assert first.license == "http://creativecommons.org/publicdomain/zero/1.0/"
    assert (first.abs_url, first.pdf_url) == ("https://arxiv.org/abs/2606.28371", "https://arxiv.org/pdf/2606.28371")
    assert first.announced == date(2026, 6, 30) and first.published == date(2026, 6, 30)


@pytest.mark.parametrize("name", [CV_DAY, CV_AI_DAY, XSS_DAY])
def test_the_announce_prefix_never_remains_in_an_abstract(name):
    for record in parse_rss(fixture(name)).records:
        assert record.abstract and not record.abstract.startswith(("arXiv:", "Abstract"))
        assert "Announce Type" not in record.abstract and "Abstract:" not in record.abstract[:20]


def test_versions_come_from_the_guid():
    feed = parse_rss(fixture(CV_DAY))
    versions = {r.arxiv_id: (r.announce_type, r.latest_version) for r in feed.records}
    assert versions["2604.27105"] == ("replace", 3) and versions["2604.27106"] == ("replace", 2)
    assert versions["2604.27329"] == ("replace-cross", 2)
    assert all(v == 1 for t, v in versions.values() if t in ("new", "cross"))
    assert all("v" not in r.arxiv_id for r in feed.records)


def test_cross_lists_keep_the_feed_order_of_categories():
    feed = parse_rss(fixture(CV_DAY))
    crosses = [r for r in feed.records if r.announce_type in ("cross", "replace-cross")]
    assert crosses and all(r.categories[0] != "cs.CV" and "cs.CV" in r.categories for r in crosses)
    assert next(r for r in feed.records if r.arxiv_id == "2606.29069").categories == ["cs.AI", "cs.CL", "cs.CV"]


def test_records_match_the_real_corpus(corpus):
    """Title, authors, categories and abstract survive the feed (up to arXiv's whitespace folding)."""
    for name in (CV_DAY, CV_AI_DAY):
        for record in parse_rss(fixture(name)).records:
            real = corpus[record.arxiv_id]
            assert record.title == " ".join(real["title"].split())
            assert record.categories == real["categories"]
            assert record.abstract == " ".join(real["summary"].split())
            assert record.authors == [a.removeprefix("and ").removesuffix(" and") for a in real["authors"]]


def test_a_two_category_feed():
    feed = parse_rss(fixture(CV_AI_DAY))
    assert feed.title == "cs.CV, cs.AI updates on arXiv.org" and len(feed.records) == 16
    assert len({r.arxiv_id for r in feed.records}) == 16
    for record in feed.records:
        if record.announce_type == "new":
            assert record.categories[0] in ("cs.CV", "cs.AI")
        if record.announce_type == "cross":
            assert record.categories[0] not in ("cs.CV", "cs.AI")


def test_an_announcement_day_without_items_is_a_valid_empty_feed():
    feed = parse_rss(fixture(EMPTY_DAY))
    assert feed.records == [] and feed.skipped == []
    assert feed.announced == date(2026, 6, 22) and feed.title == "cs.CV updates on arXiv.org"


def test_html_in_an_abstract_stays_inert_text():
    """The payloads arrive escaped and come out as literal text; escaping is the renderer's job."""
    raw = fixture(XSS_DAY)
    assert b"<script>" not in raw and b"&lt;script&gt;alert(1)&lt;/script&gt;" in raw
    record = parse_rss(raw).records[0]
    assert record.abstract.endswith("<script>alert(1)</script> <img src=x onerror=alert(1)>")


def test_dc_creator_with_and():
    data = fixture(CV_DAY).replace(b"<dc:creator>Di Hu, Xia Yuan, Chunxia Zhao</dc:creator>",
                                   b"<dc:creator>Di Hu, Xia Yuan and Chunxia Zhao</dc:creator>")  # fmt: skip
    assert parse_rss(data).records[0].authors == ["Di Hu", "Xia Yuan", "Chunxia Zhao"]


def test_announce_type_falls_back_to_the_description():
    data = fixture(CV_DAY).replace(b"<arxiv:announce_type>new</arxiv:announce_type>\n", b"", 1)
    record = parse_rss(data).records[0]
    assert record.announce_type == "new" and record.abstract.startswith("The problem of localization")


def test_an_unknown_announce_type_skips_only_that_item():
    data = fixture(CV_DAY).replace(b"<arxiv:announce_type>new</arxiv:announce_type>",
                                   b"<arxiv:announce_type>surprise</arxiv:announce_type>", 1)  # fmt: skip
    feed = parse_rss(data)
    assert len(feed.records) == 14 and feed.skipped == ["oai:arXiv.org:2606.28371v1: unknown announce type 'surprise'"]


def test_old_style_ids_in_a_feed():
    data = fixture(CV_DAY).replace(b"2606.28371", b"hep-th/9901001")
    record = parse_rss(data).records[0]
    assert (record.arxiv_id, record.latest_version) == ("hep-th/9901001", 1)
    assert record.abs_url == "https://arxiv.org/abs/hep-th/9901001"


@pytest.mark.parametrize(
    ("description", "abstract"),
    [
        ("arXiv:2606.18521v1 Announce Type: cross \nAbstract: We study X.", "We study X."),
        ("arXiv:2606.18521v2 Announce Type: replace-cross  Abstract: We study X.", "We study X."),
        ("arxiv:hep-th/9901001v3 announce type: replace\nabstract:\n  We study X.", "We study X."),
        ("Announce Type: new Abstract: We study X.", "We study X."),
        ("arXiv:2606.18521v1 Announce Type: new", ""),
        ("We cite arXiv:2501.00001 here.", "We cite arXiv:2501.00001 here."),
    ],
)
def test_clean_abstract(description, abstract):
    assert clean_abstract(description) == abstract


def test_malformed_xml():
    with pytest.raises(ParseError, match="not well-formed") as caught:
        parse_rss(b"<rss version='2.0'><channel><item><title>x</channel></rss>")
    assert caught.value.source == "arXiv RSS"


def test_a_feed_cut_mid_document():
    data = fixture(CV_DAY)
    with pytest.raises(ParseError, match="cut short"):
        parse_rss(data[: len(data) // 2])


def test_an_html_error_page():
    page = b"<!DOCTYPE html>\n<html><head><title>arXiv is down for maintenance</title></head><body><p>Back soon</body></html>"
    with pytest.raises(ParseError, match="HTML page"):
        parse_rss(page)


def test_well_formed_xhtml_is_still_not_a_feed():
    with pytest.raises(ParseError, match="not an RSS feed"):
        parse_rss(b"<html><body><p>Service unavailable</p></body></html>")


def test_an_atom_feed_is_refused_with_the_right_url():
    with pytest.raises(ParseError, match="rss.arxiv.org/rss/"):
        parse_rss(b"<feed xmlns='http://www.w3.org/2005/Atom'><title>cs.CV</title></feed>")


def test_an_empty_body():
    with pytest.raises(ParseError, match="empty"):
        parse_rss(b"")


def test_external_entities_are_not_resolved():
    hostile = (b"<?xml version='1.0'?>\n<!DOCTYPE rss [<!ENTITY leak SYSTEM 'file:///etc/passwd'>]>\n"
               b"<rss version='2.0'><channel><title>&leak;</title><pubDate>Tue, 30 Jun 2026 00:00:00 -0400</pubDate>"
               b"</channel></rss>")  # fmt: skip
    feed = parse_rss(hostile)
    assert "root:" not in feed.title and feed.records == []


def test_the_committed_fixtures_are_what_the_builder_produces(tmp_path):
    corpus = paths.shared_dir() / "data" / build_rss_fixtures.CORPUS_NAME
    if not corpus.is_file():
        pytest.fail(f"shared corpus missing: {corpus}")
    built = list(build_rss_fixtures.build(tmp_path, corpus))
    assert {p.name for p in built} == {CV_DAY, CV_AI_DAY, EMPTY_DAY, XSS_DAY}
    for path in built:
        assert path.read_bytes() == fixture(path.name), f"{path.name} differs; re-run build_rss_fixtures.py"
