"""parse_feed on the built publisher feeds (tests/fixtures/built_publisher_rss_*.xml).

No recording of a publisher feed exists, so the fixtures are built from real
records by tests/fixtures/build_publisher_fixtures.py, in each publisher's
layout; one test rebuilds them and checks the committed files are exactly
what the script produces.
"""

from __future__ import annotations

from datetime import date

import pytest

from academichub import paths
from academichub.core.errors import ParseError
from academichub.core.http import PoliteClient
from academichub.core.publisher_rss import clean_summary, parse_feed
from academichub.core.records import Version
from tests.fixtures import build_publisher_fixtures
from tests.httpserver import Reply

FIXTURES = paths.REPO_ROOT / "tests" / "fixtures"
NATURE = "built_publisher_rss_nature.xml"
APS = "built_publisher_rss_aps_prl.xml"
CELL = "built_publisher_rss_cell.xml"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def test_nature_rdf_feed():
    records = parse_feed(fixture(NATURE), "Nature")
    assert len(records) == 6 and all(r.doi.startswith("10.1038/nature") for r in records)
    first = records[0]
    assert first.doi == "10.1038/nature02387" and first.title == "Cavity cooling of a single atom"
    assert first.authors[:3] == ["P. Maunz", "T. Puppe", "I. Schuster"]
    assert first.versions == [Version(1, date(2004, 3, 3))]
    assert first.venue == "Nature" and first.issn == "1476-4687"
    assert first.journal_ref == "Nature 428, 50 (2004)"
    assert first.abs_url == "https://www.nature.com/articles/nature02387"
    assert first.abstract.startswith("All conventional methods to laser-cool atoms")
    assert all("Published online" not in r.abstract and "<" not in r.abstract for r in records)


def test_aps_feed_with_one_creator_list_and_description_boilerplate():
    records = parse_feed(fixture(APS), "")
    assert len(records) == 6 and {r.venue for r in records} == {"Physical Review Letters"}
    first = records[0]
    assert first.doi == "10.1103/PhysRevLett.100.013905"
    assert first.authors == ["Zheng Wang", "Y. D. Chong", "John D. Joannopoulos", "Marin Soljacic"]
    assert first.versions == [Version(1, date(2008, 1, 10))]
    assert first.journal_ref == "Physical Review Letters 100, 013905 (2008)"
    assert first.abstract.startswith("We point out that electromagnetic one-way edge modes")
    for record in records:
        assert not record.abstract.startswith("Author(s)") and "Published" not in record.abstract[-60:]
        assert "[Phys. Rev. Lett." not in record.abstract


def test_cell_rss2_feed_dois_from_links_and_dates_from_pubdate():
    records = parse_feed(fixture(CELL), "Cell Press")
    assert [r.doi for r in records][:2] == ["10.1016/j.cell.2012.03.037", "10.1016/j.bpj.2008.12.3920"]
    cell = records[0]
    assert cell.title == "Direct Observation of the Interconversion of Normal and Toxic Forms of \u03b1-Synuclein"
    assert cell.authors == ["N. Cremades"] and cell.abstract == "" and cell.published == date(2012, 1, 1)
    assert records[1].authors == ["Padinhateeri Ranjith", "David Lacoste", "Kirone Mallick", "Jean-Francois Joanny"]
    assert records[1].abstract.startswith("We study the stochastic dynamics") and "<p>" not in records[1].abstract
    assert {r.venue for r in records} == {"Cell Press"}


def test_the_fixtures_say_they_were_built():
    for name in (NATURE, APS, CELL):
        assert b"<!-- BUILT, not recorded:" in fixture(name)[:400]


def test_the_committed_fixtures_are_what_the_builder_produces(tmp_path):
    shared = paths.shared_dir()
    sample = shared / "data" / build_publisher_fixtures.SAMPLE_NAME
    if not sample.is_file():
        pytest.fail(f"shared sample missing: {sample}")
    built = build_publisher_fixtures.build(tmp_path, sample, shared / "fixtures" / "crossref" / "decoded")
    assert {p.name for p in built} == {NATURE, APS, CELL}
    for path in built:
        assert path.read_bytes() == fixture(path.name), f"{path.name} differs; re-run build_publisher_fixtures.py"


# -- DOIs, authors, summaries, dates in other shapes ---------------------------------------


def rss(item: str, namespaces: str = "") -> bytes:
    return (f'<?xml version="1.0"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" '
            f'xmlns:prism="http://prismstandard.org/namespaces/basic/2.0/" {namespaces}>'
            f"<channel><title>Journal</title><item>{item}</item></channel></rss>").encode()  # fmt: skip


@pytest.mark.parametrize(("item", "doi"), [
    ("<title>A</title><prism:doi>10.1126/science.abc1234</prism:doi>", "10.1126/science.abc1234"),
    ("<title>A</title><dc:identifier>doi:10.1126/sciadv.xyz</dc:identifier>", "10.1126/sciadv.xyz"),
    ("<title>A</title><link>https://www.science.org/doi/10.1126/science.adq0001?af=R</link>", "10.1126/science.adq0001"),
    ("<title>A</title><link>https://doi.org/10.1016/j.neuron.2024.01.001</link>", "10.1016/j.neuron.2024.01.001"),
    ("<title>A</title><link>https://www.nature.com/articles/s41567-024-02500-1</link>", "10.1038/s41567-024-02500-1"),
    ("<title>A</title><link>https://example.org/a/123</link><description>See doi:10.5555/abc.</description>",
     "10.5555/abc"),
    ("<title>A</title><link>https://example.org/a/10.1234/not-a-doi-link</link>", None),
])
def test_doi_sources(item, doi):
    (record,) = parse_feed(rss(item), "J")
    assert record.doi == doi


@pytest.mark.parametrize(("item", "day"), [
    ("<title>A</title><prism:publicationDate>2026-06-30</prism:publicationDate><dc:date>2026-06-01</dc:date>",
     date(2026, 6, 30)),
    ("<title>A</title><dc:date>2026-06-29T10:00:00-04:00</dc:date>", date(2026, 6, 29)),
    ("<title>A</title><pubDate>Tue, 30 Jun 2026 07:00:00 GMT</pubDate>", date(2026, 6, 30)),
    ("<title>A</title>", None),
    # feedparser keeps year 0 in updated_parsed and date() raised ValueError (found by tests/fuzzing.py)
    ("<title>A</title><dc:date>0000-01-01</dc:date>", None),
    ("<title>A</title><dc:date>0000-01-01</dc:date><pubDate>Tue, 30 Jun 2026 07:00:00 GMT</pubDate>",
     date(2026, 6, 30)),
])
def test_dates(item, day):
    assert parse_feed(rss(item), "J")[0].versions == [Version(1, day)]


def test_atom_feeds_work_too():
    atom = (b'<feed xmlns="http://www.w3.org/2005/Atom"><title>J</title><entry><title>An Atom entry</title>'
            b'<link href="https://doi.org/10.1000/atom.1"/><author><name>Ada Lovelace</name></author>'
            b"<published>2026-06-30T00:00:00Z</published><summary type='html'>&lt;p&gt;Text&lt;/p&gt;</summary>"
            b"</entry></feed>")  # fmt: skip
    (record,) = parse_feed(atom, "J")
    assert (record.doi, record.authors, record.abstract, record.published) == (
        "10.1000/atom.1", ["Ada Lovelace"], "Text", date(2026, 6, 30))


def test_summaries_never_keep_markup():
    item = ("<title>A &lt;i&gt;fancy&lt;/i&gt; title</title><description>&lt;p&gt;One &lt;b&gt;bold&lt;/b&gt;"
            "&lt;script&gt;alert(1)&lt;/script&gt; claim.&lt;/p&gt;&lt;img src=x onerror=alert(1)&gt;"
            "&lt;p&gt;Two.&lt;/p&gt;</description>")  # fmt: skip
    (record,) = parse_feed(rss(item), "J")
    assert record.title == "A fancy title"
    assert record.abstract == "One bold claim.\n\nTwo." and "<" not in record.abstract


def test_clean_summary_removes_publisher_boilerplate():
    assert clean_summary('<p>Nature Physics, Published online: 30 June 2026; <a href="x">doi:10.1038/s1</a></p>'
                         "The result.") == "The result."  # fmt: skip
    assert clean_summary("Author(s): A. B and C. D<br/><p>We show X.</p><br/>[Phys. Rev. Lett. 136, 010101] "
                         "Published Tue Jun 30, 2026") == "We show X."  # fmt: skip


# -- faults --------------------------------------------------------------------------------


@pytest.mark.parametrize(("body", "message"), [
    (b"", "empty"),
    (b"  \n ", "empty"),
    (b"<!DOCTYPE html><html><body>Just a moment...</body></html>", "HTML page"),
    (b'{"items": []}', "not a readable feed"),
    (b"<rss><channel><item><title>x</tit></item></channel></rss>", "no entry could be read"),
    (b"plain words, no markup", "not a readable feed"),
])
def test_bad_bodies(body, message):
    with pytest.raises(ParseError, match=message) as caught:
        parse_feed(body, "J")
    assert caught.value.source == "publisher feed"


def test_a_feed_cut_short_keeps_the_entries_it_had():
    data = fixture(APS)
    cut = data[: data.index(b"<item", data.index(b"<item") + 10) + 300]  # mid-way through the second item
    records = parse_feed(cut, "")
    assert [r.doi for r in records][:1] == ["10.1103/PhysRevLett.100.013905"]


def test_a_valid_empty_feed():
    assert parse_feed(b'<rss version="2.0"><channel><title>J</title></channel></rss>', "J") == []


def test_external_entities_are_not_resolved():
    hostile = (b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY leak SYSTEM "file:///etc/passwd">]>'
               b'<rss version="2.0"><channel><title>t</title><item><title>&leak; x</title>'
               b"<link>https://doi.org/10.1/x</link></item></channel></rss>")  # fmt: skip
    for record in parse_feed(hostile, "J"):
        assert "root:" not in record.title


def test_a_url_is_never_fetched():
    with pytest.raises(ParseError):
        parse_feed(b"https://www.nature.com/nature.rss", "Nature")


def test_fetch_then_parse_through_a_real_local_server(local_server):
    local_server.script("/nature.rss", Reply(503, headers={"Retry-After": "0"}),
                        Reply(200, body=fixture(NATURE), headers={"Content-Type": "application/rss+xml"}))  # fmt: skip
    with PoliteClient(min_interval=0, sleep=lambda s: None) as http:
        records = parse_feed(http.get(local_server.url("/nature.rss")).content, "Nature")
    assert len(records) == 6 and len(local_server.requests_for("/nature.rss")) == 2
