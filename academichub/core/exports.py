"""Citation exports: BibTeX, RIS and CSL-JSON, plus what Zotero reads from a page.

Pure writers over :class:`Citation` (no Django): the paper page, the API and
(later) radars and briefings all build Citations and call the same writer, so
a paper is cited the same way everywhere.

Choices, each for a reader we know:

* BibTeX: arXiv preprints are ``@misc`` with ``eprint``/``archivePrefix``/
  ``primaryClass`` (what arXiv's own export and biblatex expect); journal works
  are ``@article``. Text is UTF-8 (biber, bibtexparser and Zotero read it);
  LaTeX specials outside math are escaped, math (``$…$``) is kept as written,
  and capitalised words in titles are braced (``{BERT}``) so styles that
  lower-case titles keep them. ``doi``/``url``/``eprint`` are verbatim fields
  in biblatex: only ``%`` and ``#`` are escaped there.
* RIS: one line per tag, "TY  - " first and "ER  - " last, CRLF line ends as
  the spec writes them; values are single lines (paragraphs joined by a space).
* CSL-JSON: the item shape citeproc-js, Zotero and pandoc read; a preprint is
  type "article" with ``publisher: arXiv`` and ``number: arXiv:<id>`` (Zotero's
  own mapping), a journal work "article-journal".
* Highwire Press ``citation_*`` meta tags and a COinS span (OpenURL 1.0 KEV):
  Zotero's connector reads either from the paper page.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlencode

from academichub.core.names import parse_name
from academichub.core.tex import _segments as tex_segments  # KaTeX's notion of "math": one definition

__all__ = ["Citation", "FORMATS", "bibtex", "citation_keys", "coins", "csl_json", "highwire_meta", "render", "ris"]

MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_STOP_WORDS = frozenset("a an the on of in for and to with from by at via towards toward is are".split())


@dataclass(frozen=True)
class Citation:
    """What any export needs to know about one work (text in Unicode, math as ``$…$``)."""

    title: str
    authors: tuple[str, ...] = ()  # display names, "Given Family"
    issued: date | None = None  # first version / publication date
    arxiv_id: str = ""
    primary_category: str = ""
    doi: str = ""  # the work's own DOI (a preprint DOI, or a journal work's)
    journal_doi: str = ""  # the published version's DOI, if any
    journal: str = ""  # venue name
    journal_ref: str = ""
    url: str = ""  # landing page
    pdf_url: str = ""
    abstract: str = ""  # paragraphs separated by blank lines
    keywords: tuple[str, ...] = ()
    language: str = "en"
    extra: dict = field(default_factory=dict)

    @property
    def is_preprint(self) -> bool:
        return bool(self.arxiv_id) and not self.journal

    @property
    def best_doi(self) -> str:
        return self.journal_doi or self.doi


# -- keys ------------------------------------------------------------------------------------------


def _ascii_word(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]", "", folded).lower()


def _base_key(citation: Citation) -> str:
    """"wu2026sorting": first author's family name, year, first significant title word."""
    family = parse_name(citation.authors[0]).family if citation.authors else ""
    words = [_ascii_word(w) for w in re.split(r"[\s\-–—/:]+", _text_only(citation.title))]
    word = next((w for w in words if w and w not in _STOP_WORDS and not w.isdigit()), "")
    year = str(citation.issued.year) if citation.issued else ""
    return (_ascii_word(family) or "anon") + year + word


def citation_keys(citations: list[Citation]) -> list[str]:
    """One unique key per citation, stable for the order given ("wu2026a", "wu2026b" on clashes)."""
    bases = [_base_key(c) for c in citations]
    clashing = {key for key in bases if bases.count(key) > 1}
    seen: dict[str, int] = {}
    keys = []
    for key in bases:
        if key in clashing:
            seen[key] = seen.get(key, 0) + 1
            key = key + _suffix(seen[key])
        keys.append(key)
    return keys


def _suffix(n: int) -> str:
    letters = ""
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(ord("a") + rest) + letters
    return letters


# -- BibTeX ----------------------------------------------------------------------------------------

_BIBTEX_SPECIALS = {
    "\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "&": r"\&", "%": r"\%", "#": r"\#",
    "_": r"\_", "$": r"\$", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}", "＄": r"\$",
}  # fmt: skip
_BIBTEX_SPECIAL = re.compile(r"[\\{}&%#_$~^＄]")
_WORD = re.compile(r"(?<![\\A-Za-z0-9])[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*")


def _balanced(text: str) -> bool:
    depth = 0
    for i, char in enumerate(text):
        if char in "{}" and i and text[i - 1] == "\\":
            continue
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def _escape_text(text: str, protect_case: bool = False) -> str:
    escaped = _BIBTEX_SPECIAL.sub(lambda m: _BIBTEX_SPECIALS[m.group()], text)
    return _WORD.sub(_protect, escaped) if protect_case else escaped


def _protect(match: re.Match) -> str:
    """"BERT", "LaTeX", "GPT-4" keep their case in styles that lower-case titles: ``{BERT}``."""
    word = match.group()
    return "{" + word + "}" if any(c.isupper() for c in word[1:]) else word


def bibtex_value(text: str, *, protect_case: bool = False) -> str:
    """A field value: specials escaped outside math; math copied when its braces balance."""
    parts = []
    for is_math, raw, _inner in tex_segments(text):
        if is_math and _balanced(raw) and "\n\n" not in raw:
            parts.append(raw)
        else:
            parts.append(_escape_text(raw, protect_case))
    return "".join(parts)


def _verbatim(text: str) -> str:
    """DOIs and URLs are verbatim fields in biblatex: only ``%`` and ``#`` need a backslash there
    (``%`` would start a comment). An unbalanced brace (never seen in practice) is percent-encoded."""
    if not _balanced(text):
        text = text.replace("{", "%7B").replace("}", "%7D")
    text = text.replace("\\", "%5C")  # a backslash is no URL character, and a trailing one would escape the "}"
    return text.replace("%", r"\%").replace("#", r"\#")


def _bibtex_name(raw: str) -> str:
    name = parse_name(raw)
    if name.collective or not name.given:
        return "{" + bibtex_value(name.family or raw) + "}"
    family = bibtex_value(name.family)
    family = "{" + family + "}" if " " in name.family and not name.family.split()[0].islower() else family
    parts = [family, name.suffix, name.given] if name.suffix else [family, name.given]
    return ", ".join(bibtex_value(p) if p is not family else p for p in parts if p)


def _bibtex_fields(citation: Citation) -> list[tuple[str, str, bool]]:
    """(name, value, verbatim) in the order people expect to read them."""
    fields = [("title", bibtex_value(citation.title, protect_case=True), True)]
    if citation.authors:
        fields.append(("author", " and ".join(_bibtex_name(a) for a in citation.authors), True))
    if citation.journal:
        fields.append(("journal", bibtex_value(citation.journal), True))
    if citation.issued:
        fields += [("year", str(citation.issued.year), True), ("month", MONTHS[citation.issued.month - 1], False)]
    if citation.arxiv_id:
        fields += [("eprint", _verbatim(citation.arxiv_id), True), ("archivePrefix", "arXiv", True)]
        if citation.primary_category:
            fields.append(("primaryClass", _verbatim(citation.primary_category), True))
    if citation.best_doi:
        fields.append(("doi", _verbatim(citation.best_doi), True))
    if citation.url:
        fields.append(("url", _verbatim(citation.url), True))
    if citation.journal_ref:
        fields.append(("note", bibtex_value(citation.journal_ref), True))
    if citation.abstract:
        fields.append(("abstract", bibtex_value(citation.abstract), True))
    if citation.keywords:
        fields.append(("keywords", bibtex_value(", ".join(citation.keywords)), True))
    return fields


def bibtex_entry(citation: Citation, key: str) -> str:
    kind = "article" if citation.journal else "misc"
    lines = [f"@{kind}{{{key},"]
    for name, value, braced in _bibtex_fields(citation):
        lines.append(f"  {name} = {{{value}}}," if braced else f"  {name} = {value},")
    lines.append("}")
    return "\n".join(lines)


def bibtex(citations: list[Citation]) -> str:
    keys = citation_keys(citations)
    return "\n\n".join(bibtex_entry(c, k) for c, k in zip(citations, keys)) + ("\n" if citations else "")


# -- RIS -------------------------------------------------------------------------------------------


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _ris_name(raw: str) -> str:
    name = parse_name(raw)
    if name.collective or not name.given:
        return name.family or raw
    return ", ".join(p for p in (name.family, name.given, name.suffix) if p)


def ris_entry(citation: Citation, key: str) -> str:
    """One RIS record: TY first, ER last; JOUR for journal works, a preprint otherwise."""
    rows = [("TY", "JOUR" if citation.journal else "PREPRINT"), ("ID", key), ("TI", citation.title)]
    rows += [("AU", _ris_name(a)) for a in citation.authors]
    if citation.issued:
        rows += [("PY", str(citation.issued.year)), ("DA", citation.issued.strftime("%Y/%m/%d"))]
    if citation.journal:
        rows.append(("T2", citation.journal))
    elif citation.arxiv_id:
        rows.append(("PB", "arXiv"))
    if citation.arxiv_id:
        rows.append(("M3", f"arXiv:{citation.arxiv_id}"))
    if citation.best_doi:
        rows.append(("DO", citation.best_doi))
    rows += [("UR", url) for url in (citation.url, citation.pdf_url) if url]
    if citation.abstract:
        rows.append(("AB", citation.abstract))
    rows += [("KW", k) for k in citation.keywords]
    if citation.journal_ref:
        rows.append(("N1", citation.journal_ref))
    rows.append(("ER", ""))
    return "\r\n".join(f"{tag}  - {_one_line(value)}".rstrip() if tag == "ER" else f"{tag}  - {_one_line(value)}"
                       for tag, value in rows)  # fmt: skip


def ris(citations: list[Citation]) -> str:
    keys = citation_keys(citations)
    return "".join(ris_entry(c, k) + "\r\n\r\n" for c, k in zip(citations, keys))


# -- CSL-JSON --------------------------------------------------------------------------------------


def _csl_name(raw: str) -> dict:
    name = parse_name(raw)
    if name.collective or not name.given:
        return {"literal": name.family or raw}
    person = {"family": name.family, "given": name.given}
    if name.suffix:
        person["suffix"] = name.suffix
    return person


def csl_item(citation: Citation, key: str) -> dict:
    item: dict = {"id": key, "type": "article-journal" if citation.journal else "article", "title": citation.title}
    if citation.authors:
        item["author"] = [_csl_name(a) for a in citation.authors]
    if citation.issued:
        d = citation.issued
        item["issued"] = {"date-parts": [[d.year, d.month, d.day]]}
    if citation.journal:
        item["container-title"] = citation.journal
    elif citation.arxiv_id:
        item["publisher"] = "arXiv"
    if citation.arxiv_id:
        item["number"] = f"arXiv:{citation.arxiv_id}"
    if citation.best_doi:
        item["DOI"] = citation.best_doi
    if citation.url:
        item["URL"] = citation.url
    if citation.abstract:
        item["abstract"] = citation.abstract
    if citation.keywords:
        item["keyword"] = ", ".join(citation.keywords)
    if citation.language:
        item["language"] = citation.language
    return item


def csl_json(citations: list[Citation]) -> str:
    keys = citation_keys(citations)
    return json.dumps([csl_item(c, k) for c, k in zip(citations, keys)], ensure_ascii=False, indent=2) + "\n"


# -- the formats, by name --------------------------------------------------------------------------

# name -> (writer, media type, file extension)
FORMATS = {
    "bibtex": (bibtex, "application/x-bibtex; charset=utf-8", "bib"),
    "ris": (ris, "application/x-research-info-systems; charset=utf-8", "ris"),
    "csl-json": (csl_json, "application/vnd.citationstyles.csl+json; charset=utf-8", "json"),
}


def render(fmt: str, citations: list[Citation]) -> str:
    """The named format's text; ``KeyError`` for an unknown name (callers list FORMATS)."""
    return FORMATS[fmt][0](citations)


# -- what Zotero reads from a page -----------------------------------------------------------------


def _text_only(text: str) -> str:
    """Math spans kept as written (Zotero shows the TeX); only used for keys and meta tags."""
    return "".join(raw for _is_math, raw, _inner in tex_segments(text))


def highwire_meta(citation: Citation) -> list[tuple[str, str]]:
    """(name, content) pairs for ``<meta name=… content=…>``, as Google Scholar documents them."""
    tags = [("citation_title", citation.title)]
    tags += [("citation_author", _ris_name(a)) for a in citation.authors]
    if citation.issued:
        tags += [("citation_publication_date", citation.issued.strftime("%Y/%m/%d")),
                 ("citation_date", citation.issued.strftime("%Y/%m/%d"))]  # fmt: skip
    if citation.journal:
        tags.append(("citation_journal_title", citation.journal))
    elif citation.arxiv_id:
        tags += [("citation_technical_report_institution", "arXiv"),
                 ("citation_technical_report_number", f"arXiv:{citation.arxiv_id}")]  # fmt: skip
    if citation.arxiv_id:
        tags.append(("citation_arxiv_id", citation.arxiv_id))
    if citation.best_doi:
        tags.append(("citation_doi", citation.best_doi))
    if citation.url:
        tags.append(("citation_abstract_html_url", citation.url))
    if citation.pdf_url:
        tags.append(("citation_pdf_url", citation.pdf_url))
    if citation.abstract:
        tags.append(("citation_abstract", _one_line(citation.abstract)))
    tags += [("citation_keywords", k) for k in citation.keywords]
    tags.append(("citation_language", citation.language))
    return tags


def coins(citation: Citation) -> str:
    """The ``title`` of a COinS span: an OpenURL 1.0 ContextObject in KEV form (Z39.88-2004)."""
    journal = bool(citation.journal)
    pairs = [("ctx_ver", "Z39.88-2004"),
             ("rft_val_fmt", "info:ofi/fmt:kev:mtx:journal" if journal else "info:ofi/fmt:kev:mtx:book"),
             ("rft.genre", "article" if journal else "preprint"),
             ("rft.atitle" if journal else "rft.btitle", citation.title)]  # fmt: skip
    if journal:
        pairs.append(("rft.jtitle", citation.journal))
    if citation.authors:
        first = parse_name(citation.authors[0])
        pairs += [("rft.aulast", first.family), ("rft.aufirst", first.given)] if first.given else []
    pairs += [("rft.au", parse_name(raw).display() or raw) for raw in citation.authors]
    if citation.issued:
        pairs.append(("rft.date", citation.issued.isoformat()))
    if citation.best_doi:
        pairs.append(("rft_id", f"info:doi/{citation.best_doi}"))
    if citation.url:
        pairs.append(("rft_id", citation.url))
    if citation.arxiv_id:
        pairs.append(("rft_id", f"info:arxiv/{citation.arxiv_id}"))
    return urlencode(pairs)
