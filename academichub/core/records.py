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
