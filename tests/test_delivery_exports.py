"""Exports: BibTeX, RIS and CSL-JSON round-trip through real parsers; Zotero metadata on the page."""

from __future__ import annotations

import json
import re
from datetime import date
from html import unescape
from urllib.parse import parse_qs

import bibtexparser
import pytest
import rispy
from bibtexparser.middlewares import LatexDecodingMiddleware

from academichub.core import exports
from academichub.core.exports import Citation
from tests.delivery_helpers import own_cache  # noqa: F401 (fixture)
from tests.factories import make_papers

HARD = Citation(
    title="BERT & GPT-4 on $\\mathcal{O}(n \\log n)$ Sorting: 100% of_cases #1 {really} ~ ^ \\ back",
    authors=("Chenrui Wu", "Ana María López", "Ludwig van Beethoven", "ATLAS Collaboration", "John Smith Jr.",
             "Blaise Agüera y Arcas"),
    issued=date(2026, 6, 12), arxiv_id="2606.00001", primary_category="cs.DS",
    doi="10.48550/arXiv.2606.00001", url="https://arxiv.org/abs/2606.00001?x=1%20b#frag",
    pdf_url="https://arxiv.org/pdf/2606.00001",
    abstract="First paragraph with $x_1$ and 50% & more.\n\nSecond ~ paragraph, Schrödinger.",
    keywords=("cs.DS", "cs.LG"),
)  # fmt: skip
JOURNAL = Citation(title="Graph neural networks for Chinese 中文 text", authors=("Chenrui Wu", "Yuwei Wu"),
                   issued=date(2025, 1, 31), doi="10.1038/s41586-025-0001_x", journal="Nature",
                   url="https://doi.org/10.1038/s41586-025-0001_x", journal_ref="Nature 600, 1-10 (2025)")  # fmt: skip
SAME_KEY = Citation(title="Graph neural networks again", authors=("Chenrui Wu",), issued=date(2025, 3, 1),
                    arxiv_id="2503.00002")  # fmt: skip


def parse_bibtex(text: str):
    library = bibtexparser.parse_string(text, append_middleware=[LatexDecodingMiddleware()])
    assert library.failed_blocks == []
    return library


def test_bibtex_round_trips_through_bibtexparser():
    library = parse_bibtex(exports.bibtex([HARD, JOURNAL, SAME_KEY]))
    keys = [entry.key for entry in library.entries]
    assert len(set(keys)) == 3 and keys[1:] == ["wu2025grapha", "wu2025graphb"]
    first, journal = library.entries[0].fields_dict, library.entries[1].fields_dict
    assert library.entries[0].entry_type == "misc" and library.entries[1].entry_type == "article"
    # Specials, braces, math: all back as written. (pylatexenc decodes \textasciicircum, the LaTeX
    # spelling of "^", as U+02C6 "ˆ"; LaTeX itself prints "^".)
    assert first["title"].value.replace("ˆ", "^") == HARD.title
    assert first["author"].value.split(" and ") == [
        "Wu, Chenrui", "López, Ana María", "van Beethoven, Ludwig", "ATLAS Collaboration", "Smith, Jr., John",
        "Agüera y Arcas, Blaise"]  # fmt: skip
    assert (first["year"].value, first["month"].value) == ("2026", "jun")
    assert (first["eprint"].value, first["archivePrefix"].value, first["primaryClass"].value) == (
        "2606.00001", "arXiv", "cs.DS")  # fmt: skip
    assert first["doi"].value == HARD.doi and first["url"].value == HARD.url
    assert first["abstract"].value == HARD.abstract
    assert first["keywords"].value == "cs.DS, cs.LG"
    assert journal["title"].value == JOURNAL.title and journal["journal"].value == "Nature"
    assert journal["doi"].value == JOURNAL.doi and journal["note"].value == JOURNAL.journal_ref


def test_bibtex_braces_words_whose_case_matters():
    text = exports.bibtex([Citation(title="BERT and LaTeX beat GPT-4 at iPhone tasks", authors=("A B",))])
    assert "{BERT} and {LaTeX} beat {GPT-4} at {iPhone} tasks" in text


def test_ris_round_trips_through_rispy():
    text = exports.ris([HARD, JOURNAL])
    assert text.startswith("TY  - PREPRINT\r\n") and "\r\nER  -\r\n" in text
    first, journal = rispy.loads(text)
    assert first["type_of_reference"] == "PREPRINT" and journal["type_of_reference"] == "JOUR"
    assert first["title"] == HARD.title
    assert first["authors"] == ["Wu, Chenrui", "López, Ana María", "van Beethoven, Ludwig", "ATLAS Collaboration",
                                "Smith, John, Jr.", "Agüera y Arcas, Blaise"]  # fmt: skip
    assert (first["year"], first["date"], first["doi"]) == ("2026", "2026/06/12", HARD.doi)
    assert first["urls"] == [HARD.url, HARD.pdf_url]
    assert first["abstract"] == " ".join(HARD.abstract.split())  # RIS values are one line
    assert first["keywords"] == ["cs.DS", "cs.LG"] and first["publisher"] == "arXiv"
    assert journal["secondary_title"] == "Nature" and journal["doi"] == JOURNAL.doi
    assert journal["title"] == JOURNAL.title


def test_csl_json_items_have_citeproc_shapes():
    first, journal = json.loads(exports.csl_json([HARD, JOURNAL]))
    assert first["type"] == "article" and first["publisher"] == "arXiv" and first["number"] == "arXiv:2606.00001"
    assert first["author"][:2] == [{"family": "Wu", "given": "Chenrui"}, {"family": "López", "given": "Ana María"}]
    assert {"literal": "ATLAS Collaboration"} in first["author"]
    assert {"family": "Smith", "given": "John", "suffix": "Jr."} in first["author"]
    assert first["issued"] == {"date-parts": [[2026, 6, 12]]} and first["DOI"] == HARD.doi
    assert journal["type"] == "article-journal" and journal["container-title"] == "Nature"
    assert first["id"] != journal["id"]


def test_coins_is_an_openurl_context_object():
    pairs = parse_qs(exports.coins(JOURNAL))
    assert pairs["ctx_ver"] == ["Z39.88-2004"] and pairs["rft.genre"] == ["article"]
    assert pairs["rft.atitle"] == [JOURNAL.title] and pairs["rft.jtitle"] == ["Nature"]
    assert pairs["rft.au"] == ["Chenrui Wu", "Yuwei Wu"] and pairs["rft.aulast"] == ["Wu"]
    assert f"info:doi/{JOURNAL.doi}" in pairs["rft_id"] and pairs["rft.date"] == ["2025-01-31"]


# -- through the hub ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_paper_page_has_highwire_tags_coins_and_download_links(client, own_cache):  # noqa: F811
    (arxiv_id,) = make_papers(date(2026, 6, 12), count=1, title="A & B <i>not markup</i>")
    html = client.get(f"/paper/{arxiv_id}").content.decode()
    meta = {}
    for name, content in re.findall(r'<meta name="(citation_[a-z_]+)" content="([^"]*)">', html):
        meta.setdefault(name, []).append(unescape(content))
    assert meta["citation_title"] == ["A & B <i>not markup</i>"]
    assert meta["citation_author"] == ["Wu, Chenrui", "Wu, Yuwei", "López, Ana María"]
    assert meta["citation_arxiv_id"] == [arxiv_id] and meta["citation_publication_date"] == ["2026/06/12"]
    assert meta["citation_pdf_url"] == [f"https://arxiv.org/pdf/{arxiv_id}"]
    assert "<i>not markup</i>" not in html  # escaped everywhere
    coins = re.search(r'<span class="Z3988" title="([^"]+)">', html).group(1)
    assert parse_qs(unescape(coins))["rft.btitle"] == ["A & B <i>not markup</i>"]
    links = [unescape(u) for u in re.findall(r'href="(/api/papers/export\?[^"]+)"', html)]
    assert len(links) == 3
    bib = client.get(links[0])
    assert bib.status_code == 200 and bib["Content-Type"].startswith("application/x-bibtex")
    assert bib["Content-Disposition"] == 'attachment; filename="wu2026b.bib"'
    entry = parse_bibtex(bib.content.decode()).entries[0]
    assert entry.fields_dict["title"].value == "A & B <i>not markup</i>"
    assert rispy.loads(client.get(links[1]).content.decode())[0]["title"] == "A & B <i>not markup</i>"
    assert json.loads(client.get(links[2]).content)[0]["title"] == "A & B <i>not markup</i>"


@pytest.mark.django_db
def test_export_a_selection_in_the_order_given_and_errors(client, own_cache):  # noqa: F811
    ids = make_papers(date(2026, 6, 12), count=3)
    response = client.get("/api/papers/export", {"id": [ids[2], f"arXiv:{ids[0]}v1", ids[2]], "format": "ris"})
    assert response.status_code == 200 and response["Content-Disposition"].endswith('"citations.ris"')
    records = rispy.loads(response.content.decode())
    assert [r["type_of_work"] for r in records] == [f"arXiv:{ids[2]}", f"arXiv:{ids[0]}"]  # duplicates once
    missing = client.get("/api/papers/export", {"id": [ids[0], "2601.99999"]})
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    assert "2601.99999" in missing.json()["error"]["message"]
    assert client.get("/api/papers/export", {"id": ids[0], "format": "docx"}).status_code == 422
    too_many = client.get("/api/papers/export", {"id": [ids[0]] * 101})
    assert too_many.status_code == 400 and too_many.json()["error"]["code"] == "bad_selection"


def test_a_trailing_backslash_in_a_url_or_doi_cannot_break_the_entry():
    """Found by bench/fuzz.py: `url = {https://example.org/a\\}` escaped the closing brace."""
    odd = Citation(title="T", authors=("Chenrui Wu",), issued=date(2026, 1, 2), url="https://example.org/a\\",
                   doi="10.1000/x\\")  # fmt: skip
    fields = parse_bibtex(exports.bibtex([odd])).entries[0].fields_dict
    assert fields["url"].value == "https://example.org/a%5C"
    assert fields["doi"].value == "10.1000/x%5C"
