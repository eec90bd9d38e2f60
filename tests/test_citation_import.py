"""core.citation_import: BibTeX, RIS, Zotero CSV/JSON and identifier lists; suggestions (no Django)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from academichub.core import citation_import as ci
from academichub.core import exports

FIXTURES = Path(__file__).with_name("fixtures")
SAFE = ("Safe Vision-Language Models via Unsafe Weights Manipulation", "2503.11742", "10.48550/arxiv.2503.11742")
MAKING = "Making Every Step Effective: Jailbreaking Large Vision-Language Models Through Hierarchical KV Equalization"


@pytest.mark.parametrize("suffix, kind", [("bib", "bibtex"), ("ris", "ris"), ("csv", "zotero-csv"), ("json", "csl-json")])
def test_every_export_format_reads_the_same_library(suffix, kind):
    path = FIXTURES / f"built_citations_zotero.{suffix}"
    for filename in (path.name, ""):                     # by extension, and by sniffing the content
        result = ci.parse_citations(path.read_bytes(), filename)
        assert result.format == kind and result.problems == [] and result.skipped == 0
    safe, making = result.works[0], result.works[1]
    assert (safe.title, safe.arxiv_id, safe.doi) == SAFE
    assert safe.authors[0] == "Moreno D'Incà" and safe.year == 2025          # TeX accent {\`a} resolved in .bib
    assert "vision-language safety" in safe.keywords
    assert (making.title, making.arxiv_id) == (MAKING, "2503.11750")         # arXiv id from "arXiv preprint arXiv:…"
    assert making.authors[:2] == ("Shuyang Hao", "Yiwei Wang")
    knuth = result.works[-1]
    assert knuth.title == "The TeXbook" and knuth.authors == ("Donald E. Knuth",) and knuth.year == 1984
    assert not knuth.arxiv_id and not knuth.doi


def test_bibtex_macros_parentheses_concatenation_and_braced_and():
    text = r"""@string{conf = "Proc. of {X}"}
    @inproceedings(k1, title = {A {Study} of {"}Quotes{"}}, author = {{Barnes and Noble} and M{\"u}ller, J.},
      booktitle = conf # " 2024", year = 2024, month = jan, eprint = {2401.00001v3}, archivePrefix = {arXiv})
    @misc{k2, title = "Brace {"} inside quotes", eprint = {hep-th/9901001}, eprinttype = {pubmed}}
    @comment{ @misc{ignored, title={no}} }
    @misc{k3}
    """
    result = ci.parse_bibtex(text)
    first, second = result.works
    assert first.title == 'A Study of "Quotes"' and first.arxiv_id == "2401.00001" and first.year == 2024
    assert first.authors == ("Barnes and Noble", "J. Müller")
    assert second.title == 'Brace " inside quotes' and second.arxiv_id == ""    # an eprint of another archive
    assert result.skipped == 1                                                   # @misc{k3}: nothing usable


def test_round_trip_with_the_projects_own_exports():
    citations = [exports.Citation(title="Graph Neural Networks for $\\alpha$-Molecules", authors=("Jörg Müller", "Wei Zhang"),
                                  issued=date(2025, 3, 18), arxiv_id="2503.11731", doi="10.48550/arXiv.2503.11731"),
                 exports.Citation(title="A Journal Work on Graphs", authors=("Ada Lovelace",), issued=date(2020, 1, 1),
                                  doi="10.1145/3292500.3330701", journal="KDD")]  # fmt: skip
    for fmt in ("bibtex", "ris", "csl-json"):
        works = ci.parse_citations(exports.render(fmt, citations)).works
        assert [(w.arxiv_id, w.doi, w.year) for w in works] == [
            ("2503.11731", "10.48550/arxiv.2503.11731", 2025), ("", "10.1145/3292500.3330701", 2020)], fmt
        assert works[0].title == "Graph Neural Networks for α-Molecules" and works[0].authors[0] == "Jörg Müller"


def test_identifier_lists_in_every_spelling():
    result = ci.parse_citations("2503.11742\nhttps://arxiv.org/abs/2503.11750v2, arXiv:hep-th/9901001\n"
                                "doi:10.1145/3292500.3330701; https://doi.org/10.48550/arXiv.2503.11780 "
                                "2503.11742v1 not-an-id")  # fmt: skip
    assert [(w.arxiv_id, w.doi) for w in result.works] == [
        ("2503.11742", ""), ("2503.11750", ""), ("hep-th/9901001", ""), ("", "10.1145/3292500.3330701"),
        ("2503.11780", "")]  # fmt: skip
    assert result.skipped == 1 and result.problems == ["Not an arXiv id or a DOI: not-an-id"]


def test_a_journal_url_is_not_mistaken_for_an_old_style_arxiv_id():
    work = ci.parse_bibtex("@article{k, title={T}, url={https://ieeexplore.ieee.org/document/8578843}}").works[0]
    assert work.arxiv_id == ""


@pytest.mark.parametrize("text", [
    "", "   ", "hello world", "@misc{k, title={never closed", "[" * 100_000, '{"items": 3}', "[1, 2, null]",
    'TY  - JOUR\nER  - \n', '"Title","Author"\n"",""\n', b"\xff\xfe\x00@\x00m\x00i\x00s\x00c",
])  # fmt: skip
def test_hostile_or_empty_input_gives_only_the_clear_error(text):
    with pytest.raises(ci.CitationImportError) as error:
        ci.parse_citations(text)
    assert "BibTeX" in str(error.value) or "JSON" in str(error.value)


def test_size_limits():
    with pytest.raises(ci.CitationImportError, match="5 MB"):
        ci.parse_citations(b" " * (ci.MAX_CHARS + 1))
    many = ci.parse_bibtex("@misc{k, title={Same title}}\n" * (ci.MAX_ENTRIES + 10))
    assert len(many.works) == ci.MAX_ENTRIES
    unclosed = ci.parse_bibtex("@misc{a, title={ok}}\n" + "@misc{b, title={" + "@misc{c, title={x}}" * 1000)
    assert len(unclosed.works) == 1 and "never closed" in unclosed.problems[0]


def test_json_of_the_wrong_types_is_ignored_not_crashed_on():
    text = '[{"title": ["x"], "author": {"family": 1}, "issued": {"date-parts": [[[2020]]]}, "DOI": 7}, "junk", {"title": "Fine one"}]'
    result = ci.parse_csl_json(text)
    assert [w.title for w in result.works] == ["Fine one"] and result.skipped == 2


def test_suggested_authors_recur_and_keywords_are_specific():
    works = [ci.ImportedWork(title="Graph neural networks for molecules", authors=("Jörg Müller", "Ada Lovelace")),
             ci.ImportedWork(title="Message passing graph neural networks", authors=("Müller, Jörg",)),
             ci.ImportedWork(title="Graph neural networks at scale", authors=("Grace Hopper",), keywords=("GNN",)),
             ci.ImportedWork(title="Protein folding")]  # fmt: skip
    assert ci.suggest_authors(works) == [("Jörg Müller", 2)]
    frequency = {"graph": 400, "neural": 900, "networks": 950, "graph neural": 120, "neural networks": 800,
                 "graph neural networks": 100}.get  # fmt: skip
    keywords = ci.suggest_keywords(works, lambda p: frequency(p, 0), 1000)
    assert keywords[0] == '"graph neural"'                   # recurring and specific; its words are not repeated
    assert "graph" not in keywords and "neural" not in keywords
    assert all("protein" not in k for k in keywords)         # in one work of four: not a theme of the library
