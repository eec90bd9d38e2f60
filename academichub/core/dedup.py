"""Deciding whether two records from different sources are one work.

A paper reaches us several times: as an arXiv preprint, as its journal
version from Crossref or a publisher feed, from OpenAlex and PubMed, from a
bioRxiv run today and again next week. The hub keeps one record per work,
so the sources' records have to be matched. Identifiers decide first
(DOI, arXiv id, PMID/PMCID/OpenAlex id, a preprint's ``published_doi``
or a journal work's ``preprint_doi``); only when none is shared do titles decide, and then
only together with the first author's family name and a close year.

Titles are the weak link. "Introduction", "Editorial", "Reply" or
"Erratum" name thousands of different items, so short or generic titles
never match on their own: they need a shared identifier. ``same_work``
returns its reason so a merge can be explained (and audited) later.
"""

from __future__ import annotations

import re
import unicodedata

from academichub.core import arxiv_ids
from academichub.core.records import PaperRecord

MIN_TITLE_WORDS = 4
MIN_TITLE_CHARS = 25
MAX_YEAR_GAP = 1  # a preprint posted in December is often published in January
# DOI prefixes of preprint servers: arXiv, bioRxiv/medRxiv, Research Square, Preprints.org,
# PsyArXiv, OSF, ChemRxiv, Authorea, SSRN, PeerJ Preprints.
PREPRINT_DOI_PREFIXES = ("10.48550/", "10.1101/", "10.21203/", "10.20944/", "10.31234/", "10.31219/",
                         "10.26434/", "10.22541/", "10.2139/ssrn", "10.7287/peerj.preprints")

# Titles that name a kind of item, not a work (compared after normalise_title).
GENERIC_TITLES = frozenset({
    "introduction", "editorial", "editorials", "preface", "foreword", "reply", "response",
    "erratum", "errata", "corrigendum", "correction", "addendum", "retraction",
    "retraction notice", "expression of concern", "comment", "commentary", "letter",
    "letters", "letter to the editor", "reply to comment", "author reply", "authors reply",
    "in this issue", "table of contents", "contents", "front matter", "back matter",
    "index", "author index", "subject index", "book review", "book reviews", "news",
    "obituary", "acknowledgment", "acknowledgments", "acknowledgement", "acknowledgements",
    "reviewers", "list of reviewers", "thank you to our reviewers", "abstracts", "summary",
    "conclusion", "conclusions", "discussion", "untitled", "title", "cover", "masthead",
})
_GENERIC_PREFIXES = ("erratum", "corrigendum", "correction to", "retraction", "reply to",
                     "response to", "comment on", "author correction", "publisher correction")

_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*|info:doi/)", re.IGNORECASE)
_ARXIV_DOI = re.compile(r"^10\.48550/arxiv\.(.+)$", re.IGNORECASE)
# \"{o}, \'e, \v{c}, \c c; a letter accent (\v, \c …) only before "{" or a space, so \textbf is not one
_TEX_ACCENT = re.compile(r"\\(?:[`'^\"~=.]\s*|[uvHtcdbkr](?:\s+|(?=\{)))\{?\\?([A-Za-z])\}?")
_TEX_LIGATURE = {r"\ss": "ss", r"\ae": "ae", r"\AE": "AE", r"\oe": "oe", r"\OE": "OE", r"\o": "o",
                 r"\O": "O", r"\l": "l", r"\L": "L", r"\aa": "a", r"\AA": "A", r"\i": "i", r"\j": "j"}
_GREEK = ("alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu nu xi "
          "pi rho sigma tau upsilon phi varphi chi psi omega Gamma Delta Theta Lambda Xi Pi Sigma "
          "Upsilon Phi Psi Omega").split()
_GREEK_LETTERS = dict(zip(_GREEK, "αβγδεεζηθθικλμνξπρστυφφχψωΓΔΘΛΞΠΣΥΦΨΩ"))
_TEX_COMMAND = re.compile(r"\\([A-Za-z]+)\*?")
_MARKUP = re.compile(r"</?[A-Za-z][^<>]{0,200}>")  # <i>, <scp>, <sup>… left in Crossref/PubMed titles
_NOT_WORD = re.compile(r"[\W_]+")


# -- identifiers ---------------------------------------------------------------


def bare_doi(value: str | None) -> str:
    """'https://doi.org/10.1038/X' or 'doi:10.1038/X' -> '10.1038/X' ('' if not a DOI).

    The source's capitalisation is kept (it is how the DOI is displayed);
    comparisons go through ``doi_key``, because DOIs are case-insensitive.
    Anything but text (a list or number where a source should send a DOI) is
    not a DOI either.
    """
    if not isinstance(value, str):
        return ""
    text = _DOI_PREFIX.sub("", value.strip()).strip().rstrip(".,;")
    return text if text.startswith("10.") and "/" in text else ""


def doi_key(value: str | None) -> str:
    """The comparable form of a DOI: bare and lower-case."""
    return bare_doi(value).lower()


def arxiv_id_from_doi(value: str | None) -> str | None:
    """'10.48550/arXiv.2305.02329' -> '2305.02329': arXiv's DataCite DOIs name an arXiv id."""
    match = _ARXIV_DOI.match(bare_doi(value))
    parsed = arxiv_ids.split_id(match.group(1)) if match else None
    return parsed[0] if parsed else None


# -- titles ----------------------------------------------------------------------


def normalise_title(title: str | None) -> str:
    """A title reduced to what survives every source's spelling of it.

    Case, TeX accents and commands, inline math, HTML/JATS markup, ligatures
    (NFKD turns "ﬁ" into "fi"), diacritics, punctuation and spacing all
    differ between arXiv, Crossref, PubMed and publisher feeds for the same
    title; none of them carries meaning for matching.
    """
    text = _plain(_MARKUP.sub("", title or ""))  # inline tags join: "H<sub>2</sub>O" is "H2O"
    text = re.sub(r"[{}^_]", "", text)  # TeX grouping, sub- and superscripts: "H_{2}O" is "H2O"
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = _NOT_WORD.sub(" ", text.casefold())
    return " ".join(text.split())


def _plain(text: str) -> str:
    """TeX and markup to plain text, via ``academichub.core.tex`` when it is there."""
    try:
        from academichub.core.tex import plain_text  # written by another engineer; optional
    except ImportError:
        plain_text = None
    if plain_text is not None:
        try:
            return plain_text(text)
        except Exception:  # noqa: BLE001 - a renderer bug must not break matching
            pass
    return _minimal_tex(text)


def _minimal_tex(text: str) -> str:
    """Enough TeX handling for titles: accents, ligature commands, $…$ delimiters, braces."""
    text = _TEX_ACCENT.sub(r"\1", text)
    for command, letters in sorted(_TEX_LIGATURE.items(), key=lambda kv: -len(kv[0])):
        text = re.sub(re.escape(command) + r"(?![A-Za-z])\s*", letters, text)
    text = _TEX_COMMAND.sub(lambda m: _GREEK_LETTERS.get(m.group(1), " "), text)
    return text.replace("$", "").replace("~", " ")


def is_generic_title(title: str | None) -> bool:
    """True for titles that cannot identify a work on their own (short, or a kind of item)."""
    key = normalise_title(title)
    if key in GENERIC_TITLES or key.startswith(_GENERIC_PREFIXES):
        return True
    return len(key.split()) < MIN_TITLE_WORDS or len(key) < MIN_TITLE_CHARS


def title_key(title: str | None, first_author_family: str | None, year: int | None) -> str:
    """'normalised title|family|year': a blocking key for finding candidate duplicates.

    Records that share a key are worth comparing with ``same_work``; the key
    alone decides nothing (the year may differ by one between versions).
    """
    family = normalise_title(first_author_family).replace(" ", "")
    return f"{normalise_title(title)}|{family}|{year if year else ''}"


# -- authors and years -----------------------------------------------------------


def first_author_family(record: PaperRecord) -> str:
    """The first author's family name, normalised ('' when there are no authors).

    Authors are stored "Given Family"; a "Family, Given" spelling that slipped
    through is handled too. Particles stay with the family name only as far
    as the last word goes, which is what ``families_compatible`` expects.
    """
    if not record.authors:
        return ""
    name = record.authors[0].strip()
    if "," in name:
        return normalise_title(name.split(",", 1)[0])
    words = normalise_title(name).split()
    suffixes = {"jr", "sr", "ii", "iii", "iv"}
    while len(words) > 1 and words[-1] in suffixes:
        words.pop()
    return words[-1] if words else ""


def families_compatible(a: str, b: str) -> bool:
    """Same family name, allowing for a missing author list and compound names.

    "dos reis" vs "reis" or "garcia marquez" vs "marquez" come from sources
    that split names differently, so one name ending the other counts.
    """
    if not a or not b:
        return True  # one source did not list authors (some Crossref items): no evidence against
    a, b = a.replace(" ", ""), b.replace(" ", "")
    return a == b or a.endswith(b) or b.endswith(a)


def record_year(record: PaperRecord) -> int | None:
    """The year the work first appeared, from its versions or announcement day."""
    day = record.published
    return day.year if day else None


# -- the decision ------------------------------------------------------------------


def same_work(a: PaperRecord, b: PaperRecord) -> tuple[bool, str]:
    """(match, reason): whether two records describe one work, and why.

    Identifiers first, strongest first; then titles, but never for short or
    generic ones. Two different DOIs on two journal records are evidence
    against a match even when the titles agree (a comment and its reply
    often share a title), so titles only decide when the DOIs do not differ
    or one record is a preprint of the other.
    """
    for check in (_same_doi, _same_arxiv_id, _same_source_id, _linked_versions):
        reason = check(a, b)
        if reason:
            return True, reason
    return _same_title(a, b)


def _same_doi(a: PaperRecord, b: PaperRecord) -> str:
    key = doi_key(a.doi)
    return f"same DOI {key}" if key and key == doi_key(b.doi) else ""


def _arxiv(record: PaperRecord) -> str | None:
    return record.arxiv_id or arxiv_id_from_doi(record.doi)


def _same_arxiv_id(a: PaperRecord, b: PaperRecord) -> str:
    ida, idb = _arxiv(a), _arxiv(b)
    return f"same arXiv id {ida}" if ida and ida == idb else ""


SHARED_ID_KEYS = ("pmid", "pmcid", "openalex")  # ids that name one work in every source that gives them


def _same_source_id(a: PaperRecord, b: PaperRecord) -> str:
    """A PubMed, PMC or OpenAlex id given by both records (OpenAlex lists PMIDs, PubMed has them)."""
    for key in SHARED_ID_KEYS:
        ida, idb = (r.source_ids.get(key, "").strip().lower() for r in (a, b))
        if ida and ida == idb:
            return f"same {key} {ida}"
    return ""


def _linked_versions(a: PaperRecord, b: PaperRecord) -> str:
    """A preprint naming its journal DOI, or a journal work naming its preprint DOI."""
    for one, other in ((a, b), (b, a)):
        other_doi = doi_key(other.doi)
        if not other_doi:
            continue
        if doi_key(one.published_doi) == other_doi:
            return f"published version: {one.doi or one.arxiv_id} was published as {other_doi}"
        if doi_key(one.source_ids.get("preprint_doi")) == other_doi:
            return f"preprint: {one.doi} has the preprint {other_doi}"
    return ""


def _same_title(a: PaperRecord, b: PaperRecord) -> tuple[bool, str]:
    ta, tb = normalise_title(a.title), normalise_title(b.title)
    if not ta or ta != tb:
        return False, "titles differ"
    if is_generic_title(a.title):
        return False, f"title {ta!r} is too short or generic to match without a shared identifier"
    fa, fb = first_author_family(a), first_author_family(b)
    if not families_compatible(fa, fb):
        return False, f"same title but first authors differ ({fa} / {fb})"
    ya, yb = record_year(a), record_year(b)
    if ya and yb and abs(ya - yb) > MAX_YEAR_GAP:
        return False, f"same title but years {ya} and {yb} are too far apart"
    if _conflicting_dois(a, b):
        return False, "same title but two different journal DOIs"
    return True, f"same title, first author {fa or 'unknown'} and year {ya or '?'}/{yb or '?'}"


def _conflicting_dois(a: PaperRecord, b: PaperRecord) -> bool:
    """Both records carry a DOI, neither is an arXiv DOI, and they differ."""
    da, db = doi_key(a.doi), doi_key(b.doi)
    if not da or not db or da == db:
        return False
    return not (da.startswith(PREPRINT_DOI_PREFIXES) or db.startswith(PREPRINT_DOI_PREFIXES))
