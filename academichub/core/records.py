"""The one shape every source produces.

Sources parse whatever their service sends (Atom, OAI-PMH XML, JSON dumps) into
``PaperRecord`` objects; the storage layer only ever sees this type. Keeping it
a plain dataclass means parsers are testable without Django or a database.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date


@dataclass
class Version:
    """One arXiv version (v1, v2, ...) and the day it was submitted, if known."""

    number: int
    date: date | None = None


@dataclass
class PaperRecord:
    """A normalised paper as a source saw it.

    Text fields keep the source's own spelling (LaTeX, TeX accents); clean
    renderings are derived later by ``academichub.core.tex``. ``authors`` are
    display names in "Given Family" order.
    """

    arxiv_id: str | None = None
    doi: str | None = None
    title: str = ""
    abstract: str = ""
    authors: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)  # primary first
    comments: str = ""
    journal_ref: str = ""
    license: str = ""
    versions: list[Version] = field(default_factory=list)
    announced: date | None = None  # the arXiv announcement day
    announce_type: str = ""  # new | cross | replace | replace-cross
    abs_url: str = ""
    pdf_url: str = ""
    html_url: str = ""
    venue: str = ""  # journal, conference or preprint server name
    issn: str = ""
    published_doi: str = ""  # a preprint's published version (journal DOI)
    affiliations: list[str] = field(default_factory=list)  # aligned with authors; "" unknown
    source_ids: dict[str, str] = field(default_factory=dict)  # e.g. {"pmid": "...", "openalex": "W..."}

    @property
    def latest_version(self) -> int:
        return max((v.number for v in self.versions), default=1)

    @property
    def published(self) -> date | None:
        """The date of the first version: when the work first appeared."""
        dated = sorted((v for v in self.versions if v.date), key=lambda v: v.number)
        return dated[0].date if dated else self.announced

    def content_hash(self) -> str:
        """A stable digest of the content, so a re-import can tell 'unchanged'."""
        # Empty fields are left out, so adding a field later does not make
        # every stored paper look changed. (A shallow copy: `asdict` deep-copies
        # and was the slowest step of a bulk import.)
        payload = {k: v for k, v in vars(self).items() if v not in (None, "", [], {})}
        if self.versions:
            payload["versions"] = [(v.number, v.date) for v in self.versions]
        blob = json.dumps(payload, sort_keys=True, default=str, ensure_ascii=False)
        return hashlib.blake2b(blob.encode("utf-8"), digest_size=16).hexdigest()


# -- values from outside -------------------------------------------------------------
#
# A JSON source can send any type in any field: a number where the schema says
# text, a list where it says an object, null anywhere. Parsers read fields through
# these helpers, so a type-confused field reads as "absent" (and the record is kept
# or skipped on its merits) instead of raising AttributeError deep in a parser, or
# slipping a list into a ``str`` field for storage to trip over later.


def as_text(value) -> str:
    """A field that should be text, stripped; anything else (None, a number, a list) is ""."""
    return value.strip() if isinstance(value, str) else ""


def squashed(value) -> str:
    """``as_text`` with every run of whitespace (newlines, tabs) collapsed to one space."""
    return " ".join(value.split()) if isinstance(value, str) else ""


def id_text(value) -> str:
    """An identifier sent as text or as a bare number (PMIDs, MAG ids); anything else is ""."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return as_text(value)


def first_text(value) -> str:
    """The first non-empty text of a list (Crossref's ``title: ["…"]``), or the text itself."""
    if isinstance(value, list):
        return next((as_text(item) for item in value if as_text(item)), "")
    return as_text(value)


def as_list(value) -> list:
    """A field that should be a list; anything else is [] (a string is not a list of characters)."""
    return value if isinstance(value, list) else []


def texts(value) -> list[str]:
    """The non-empty texts of a list field (author names, category codes), stripped; other items skipped."""
    return [item for item in (as_text(v) for v in as_list(value)) if item]


def as_dict(value) -> dict:
    """A field that should be an object; anything else is {}."""
    return value if isinstance(value, dict) else {}


def dicts(value) -> list[dict]:
    """The objects of a list field, skipping items of any other type."""
    return [item for item in as_list(value) if isinstance(item, dict)]


MAX_INT_DIGITS = 18  # counts, cursors, years, versions: anything longer is not a real one


def as_int(value) -> int | None:
    """An integer, or text of one (" 12", "-3"); booleans, fractions and other values are None.

    Very long digit strings are refused too: ``int("9" * 5000)`` raises, and no
    count or year in a response has more than a few digits.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    digits = as_text(value)
    body = digits[1:] if digits[:1] in "+-" else digits
    if not body or len(body) > MAX_INT_DIGITS or not body.isascii() or not body.isdigit():
        return None
    return int(digits)


def iso_day(value) -> date | None:
    """'2026-06-29' (or a timestamp starting with one) -> that day; anything else is None."""
    try:
        return date.fromisoformat(as_text(value)[:10]) if as_text(value) else None
    except ValueError:
        return None
