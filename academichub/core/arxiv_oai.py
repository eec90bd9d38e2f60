"""arXiv OAI-PMH responses (``ListRecords`` / ``GetRecord``) to ``PaperRecord``.

OAI-PMH is how a full or incremental harvest is done: pages of up to 1,000
records chained by a ``resumptionToken``. Two metadata formats are read:

- ``arXivRaw``: every version with its date, authors as one string,
  categories as a space-separated string (the first is the primary);
- ``arXiv``: structured authors, but only ``created``/``updated`` dates and no
  version numbers, so only v1 gets a dated ``Version``.

The format is recognised from the metadata element itself, not trusted from
the request (one real fixture named "arXivRaw" holds ``arXiv`` records).

Errors: ``noRecordsMatch`` and ``idDoesNotExist`` mean "nothing here" and give
an empty page with ``error_code`` set, because an incremental harvest of a quiet
day legitimately matches nothing. Every other OAI error (``badResumptionToken``,
``badArgument``, ``badVerb``, ``cannotDisseminateFormat`` ...) means our request
is wrong or stale and raises ``ParseError`` with ``code`` set, so a harvest
never silently stops half-way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from email.utils import parsedate_to_datetime

from academichub.core import arxiv_ids
from academichub.core.errors import ParseError, parse_xml
from academichub.core.records import PaperRecord, Version

SOURCE = "arXiv OAI-PMH"
OAI = "http://www.openarchives.org/OAI/2.0/"
RAW = "http://arxiv.org/OAI/arXivRaw/"
ARXIV = "http://arxiv.org/OAI/arXiv/"
EMPTY_RESULT_CODES = frozenset({"noRecordsMatch", "idDoesNotExist"})
_O = f"{{{OAI}}}"


@dataclass
class OaiPage:
    """One OAI-PMH response. ``resumption_token`` is None when the list is complete."""

    records: list[PaperRecord] = field(default_factory=list)
    resumption_token: str | None = None
    complete_list_size: int | None = None
    cursor: int | None = None
    error_code: str | None = None  # only the "empty result" codes; others raise
    deleted: int = 0
    deleted_ids: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # records that could not be read, with why
    response_date: datetime | None = None
    last_datestamp: date | None = None  # latest header datestamp: where to restart if a token expires

    @property
    def done(self) -> bool:
        return not self.resumption_token


def parse_oai(data: bytes) -> OaiPage:
    """Parse a ``ListRecords`` or ``GetRecord`` response in ``arXivRaw`` or ``arXiv`` format."""
    root = parse_xml(data, source=SOURCE)
    if root.tag != f"{_O}OAI-PMH":
        raise ParseError(f"not an OAI-PMH response (root element <{_local(root.tag)}>); "
                         "check the endpoint URL", source=SOURCE)  # fmt: skip
    page = OaiPage(response_date=_iso_datetime(root.findtext(f"{_O}responseDate")))
    error = root.find(f"{_O}error")
    if error is not None:
        return _error_page(page, error)
    verb = root.find(f"{_O}ListRecords")
    if verb is None:
        verb = root.find(f"{_O}GetRecord")
    if verb is None:
        raise ParseError("the response holds neither ListRecords nor GetRecord; "
                         "check the verb in the request", source=SOURCE)  # fmt: skip
    for element in verb.iterfind(f"{_O}record"):
        _add_record(page, element)
    _read_resumption(page, verb.find(f"{_O}resumptionToken"))
    return page


def _error_page(page: OaiPage, error) -> OaiPage:
    code = error.get("code") or "unknown"
    if code in EMPTY_RESULT_CODES:
        page.error_code = code
        return page
    text = _text(error) or "no message"
    hint = {
        "badResumptionToken": "the token expired or is invalid; restart the harvest from its last datestamp",
        "badArgument": "the request parameters are wrong; check from/until/set/metadataPrefix",
        "cannotDisseminateFormat": "use metadataPrefix arXivRaw, arXiv or oai_dc",
    }.get(code, "check the request")
    raise ParseError(f"the repository answered error {code!r}: {text}; {hint}", source=SOURCE, code=code)


def _add_record(page: OaiPage, element) -> None:
    header = element.find(f"{_O}header")
    identifier = _text(header.find(f"{_O}identifier")) if header is not None else ""
    stamp = _iso_date(_text(header.find(f"{_O}datestamp"))) if header is not None else None
    if stamp and (page.last_datestamp is None or stamp > page.last_datestamp):
        page.last_datestamp = stamp
    if header is not None and header.get("status") == "deleted":
        page.deleted += 1
        page.deleted_ids.append(_id_from_identifier(identifier) or identifier)
        return
    try:
        page.records.append(_record(element))
    except ValueError as exc:
        page.skipped.append(f"{identifier or 'record without identifier'}: {exc}")


def _record(element) -> PaperRecord:
    """One ``<record>``: dispatch on the metadata element's namespace."""
    metadata = element.find(f"{_O}metadata")
    body = next(iter(metadata), None) if metadata is not None else None
    if body is None:
        raise ValueError("no metadata")
    if body.tag == f"{{{RAW}}}arXivRaw":
        return _from_raw(body)
    if body.tag == f"{{{ARXIV}}}arXiv":
        return _from_arxiv(body)
    raise ValueError(f"unsupported metadata format <{_local(body.tag)}>; use arXivRaw or arXiv")


def _from_raw(body) -> PaperRecord:
    def get(name: str) -> str:
        return _text(body.find(f"{{{RAW}}}{name}"))

    arxiv_id = _checked_id(get("id"))
    versions = [_raw_version(v) for v in body.iterfind(f"{{{RAW}}}version")]
    return _build(arxiv_id, get, split_authors(get("authors")), sorted(versions, key=lambda v: v.number))


def _raw_version(element) -> Version:
    label = (element.get("version") or "").strip().lower()
    if not re.fullmatch(r"v\d+", label):
        raise ValueError(f"bad version label {label!r}")
    return Version(int(label[1:]), _rfc822_date(_text(element.find(f"{{{RAW}}}date"))))


def _from_arxiv(body) -> PaperRecord:
    def get(name: str) -> str:
        return _text(body.find(f"{{{ARXIV}}}{name}"))

    arxiv_id = _checked_id(get("id"))
    authors = [_structured_author(a) for a in body.iterfind(f"{{{ARXIV}}}authors/{{{ARXIV}}}author")]
    created = _iso_date(get("created"))
    return _build(arxiv_id, get, [a for a in authors if a], [Version(1, created)])


def _structured_author(element) -> str:
    """<keyname>/<forenames>/<suffix> -> "Forenames Keyname Suffix" (display order)."""
    parts = (_text(element.find(f"{{{ARXIV}}}{name}")) for name in ("forenames", "keyname", "suffix"))
    return _squash(" ".join(p for p in parts if p))


def _build(arxiv_id: str, get, authors: list[str], versions: list[Version]) -> PaperRecord:
    """Fields the two formats share, read through ``get(element_name)``."""
    return PaperRecord(
        arxiv_id=arxiv_id,
        doi=first_doi(get("doi")),
        title=_squash(get("title")),
        abstract=get("abstract").strip(),
        authors=authors,
        categories=_dedupe(get("categories").split()),
        comments=_squash(get("comments")),
        journal_ref=_squash(get("journal-ref")),
        license=get("license").strip(),
        versions=versions or [Version(1, None)],
        abs_url=arxiv_ids.abs_url(arxiv_id),
        pdf_url=arxiv_ids.pdf_url(arxiv_id),
    )


def _read_resumption(page: OaiPage, token) -> None:
    if token is None:
        return
    page.resumption_token = _text(token).strip() or None
    page.complete_list_size = _int_or_none(token.get("completeListSize"))
    page.cursor = _int_or_none(token.get("cursor"))


# -- request parameters ------------------------------------------------------


def build_list_records_params(from_date: date | str | None = None, until: date | str | None = None,
                              set_spec: str | None = None, metadata_prefix: str = "arXivRaw",
                              resumption_token: str | None = None) -> dict[str, str]:  # fmt: skip
    """Query parameters for ``verb=ListRecords``.

    OAI-PMH makes ``resumptionToken`` an exclusive argument: a follow-up
    request carries only the verb and the token (adding from/set makes arXiv
    answer ``badArgument``), so the other arguments are ignored then.
    """
    if resumption_token:
        return {"verb": "ListRecords", "resumptionToken": resumption_token}
    params = {"verb": "ListRecords", "metadataPrefix": metadata_prefix}
    start, end = _oai_day(from_date), _oai_day(until)
    if start and end and start > end:
        raise ValueError(f"from ({start}) is after until ({end})")
    if start:
        params["from"] = start
    if end:
        params["until"] = end
    if set_spec:
        params["set"] = set_spec
    return params


def build_get_record_params(arxiv_id: str, metadata_prefix: str = "arXivRaw") -> dict[str, str]:
    """Query parameters for ``verb=GetRecord`` of one paper (id with or without version)."""
    parsed = arxiv_ids.split_id(arxiv_id)
    if parsed is None:
        raise ValueError(f"not an arXiv id: {arxiv_id!r}")
    return {"verb": "GetRecord", "identifier": f"oai:arXiv.org:{parsed[0]}", "metadataPrefix": metadata_prefix}


def _oai_day(value: date | str | None) -> str | None:
    """OAI-PMH day granularity (YYYY-MM-DD); strings are validated, not passed blindly."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.isoformat()
    return date.fromisoformat(str(value).strip()).isoformat()


# -- shared text helpers (also used by the RSS parser) -------------------------

_PARENS = re.compile(r"\([^()]*\)")
_SEPARATORS = re.compile(r"\s*(?:,|;|\band\b)\s*")
_SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})


def split_authors(value: str) -> list[str]:
    """'A. B (1), C. D and E. F ((1) Univ)' -> ['A. B', 'C. D', 'E. F'].

    arXiv's free-text author lists put affiliations in (nested) parentheses,
    separate names by commas and/or "and", end with "et al", put "Jr."
    after a comma and write "for the X Collaboration"; none of those are names.
    """
    text = _squash(value)
    previous = None
    while previous != text:  # innermost parentheses first, so nesting is handled
        previous, text = text, _PARENS.sub(" ", text)
    text = text.replace("(", " ").replace(")", " ")
    names: list[str] = []
    for part in _SEPARATORS.split(text):
        part = re.sub(r"^for the\s+", "", _squash(part), flags=re.IGNORECASE)  # "for the X Collaboration"
        if not part or re.fullmatch(r"et\.? al\.?", part, re.IGNORECASE):
            continue
        if part.lower() in _SUFFIXES and names:
            names[-1] = f"{names[-1]} {part}"
        else:
            names.append(part)
    return names


def first_doi(value: str) -> str | None:
    """The first of arXiv's DOIs: the field may hold several, split by spaces or commas.

    Real data has "10.1143/JPSJ.78.053704, 10.1143/JPSJ.78.118002"; the first is
    the article's own (later ones are errata), and a trailing comma must not stick.
    """
    parts = [p for p in re.split(r"[\s,;]+", value or "") if p]
    return parts[0] if parts else None


def _squash(value: str | None) -> str:
    """Collapse arXiv's hard line wraps and indentation into single spaces."""
    return " ".join((value or "").split())


def _text(element) -> str:
    return "".join(element.itertext()) if element is not None else ""


def _local(tag) -> str:
    return str(tag).rsplit("}", 1)[-1]


def _dedupe(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _checked_id(raw: str) -> str:
    parsed = arxiv_ids.split_id(raw)
    if parsed is None:
        raise ValueError(f"not an arXiv id: {raw!r}")
    return parsed[0]


def _id_from_identifier(identifier: str) -> str | None:
    parsed = arxiv_ids.split_id(identifier.rsplit(":", 1)[-1]) if identifier else None
    return parsed[0] if parsed else None


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


def _rfc822_date(value: str) -> date | None:
    """'Mon, 2 Apr 2007 19:18:42 GMT' -> date(2007, 4, 2); None if unreadable."""
    try:
        return parsedate_to_datetime(value.strip()).date() if value.strip() else None
    except (TypeError, ValueError, IndexError):
        return None


def _iso_date(value: str) -> date | None:
    try:
        return date.fromisoformat(value.strip()[:10]) if value.strip() else None
    except ValueError:
        return None


def _iso_datetime(value: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(value.strip()) if value and value.strip() else None
    except ValueError:
        return None
