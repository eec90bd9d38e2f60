"""Venues: which journal or preprint server a record names, and the seed list.

Records name their venue in the source's own spelling ("Nature",
"Nature (London)", "The Lancet", "Lancet (London, England)", "arXiv
(Cornell University)"); the ISSN, when given, is the reliable key, the
normalised name the fallback. The writer resolves both to one `Venue`
row, creating venues it has not seen (a PubMed run meets thousands of
journals), so `Paper.venue` is always filled from `record.venue`/`issn`.
"""

from __future__ import annotations

import json
import re

from academichub.core import dedup

# Preprint servers: (name, badge, DOI prefix, Chinese name). The prefixes match
# dedup.PREPRINT_DOI_PREFIXES, so a DOI alone tells which server a preprint is on.
PREPRINT_SERVERS: tuple[tuple[str, str, str, str], ...] = (
    ("arXiv", "arXiv", "10.48550/", "arXiv 预印本"),
    ("bioRxiv", "bioRxiv", "10.1101/", "bioRxiv 预印本"),
    ("medRxiv", "medRxiv", "10.1101/", "medRxiv 预印本"),
    ("Research Square", "Research Square", "10.21203/", ""),
    ("Preprints.org", "Preprints.org", "10.20944/", ""),
    ("PsyArXiv", "PsyArXiv", "10.31234/", ""),
    ("OSF Preprints", "OSF Preprints", "10.31219/", ""),
    ("ChemRxiv", "ChemRxiv", "10.26434/", ""),
    ("Authorea", "Authorea", "10.22541/", ""),
    ("SSRN", "SSRN", "10.2139/ssrn", ""),
)

# Badges for journals whose full name is too long for a card.
SHORT_BADGES = {
    "Proceedings of the National Academy of Sciences": "PNAS",
    "New England Journal of Medicine": "NEJM",
    "The Lancet": "Lancet",
    "Physical Review Letters": "PRL",
    "Physical Review X": "PRX",
    "Journal of the American Chemical Society": "JACS",
    "Angewandte Chemie International Edition": "Angew. Chem.",
}

# Words that mark a preprint server in a venue name, whatever the source adds around it.
_PREPRINT_WORDS = re.compile(r"\b(arxiv|biorxiv|medrxiv|chemrxiv|psyarxiv|preprints?|ssrn|research square)\b")


def venue_key(name: str | None) -> str:
    """The comparable form of a venue name (case, accents, punctuation folded; at most 255 chars)."""
    return dedup.normalise_title(name)[:255]


def is_preprint_venue(name: str | None) -> bool:
    """True for names of preprint servers ("bioRxiv", "arXiv (Cornell University)")."""
    if not name:
        return False
    return bool(_PREPRINT_WORDS.search(dedup.normalise_title(name)))


def clean_issn(value: str | None) -> str:
    """'00280836' or '0028-0836 ' -> '0028-0836' ('' if it is not an ISSN)."""
    digits = re.sub(r"[^0-9Xx]", "", value or "").upper()
    return f"{digits[:4]}-{digits[4:]}" if re.fullmatch(r"\d{7}[\dX]", digits) else ""


def seed_rows() -> list[dict]:
    """The venues a new hub starts with: the default Crossref journals and the preprint servers."""
    from academichub.core.crossref import DEFAULT_JOURNALS

    rows = [{"key": venue_key(j.name), "name": j.name, "name_zh": j.name_zh, "kind": "journal",
             "issns": list(j.issns), "badge": SHORT_BADGES.get(j.name, j.name)} for j in DEFAULT_JOURNALS]  # fmt: skip
    rows += [{"key": venue_key(name), "name": name, "name_zh": zh, "kind": "preprint", "issns": [], "badge": badge}
             for name, badge, _, zh in PREPRINT_SERVERS]  # fmt: skip
    return rows


class VenueResolver:
    """Venue ids for records, for one writer: one load of the (small) venue table, then a dict.

    Unknown venues are inserted on first sight (``ON CONFLICT DO NOTHING``,
    so two writers racing for one new journal both end up with its id).
    """

    def __init__(self):
        self._by_issn: dict[str, int] = {}
        self._by_key: dict[str, int] = {}
        self._loaded = False

    def venue_id(self, cursor, name: str, issn: str) -> int | None:
        issn, key = clean_issn(issn), venue_key(name)
        if not issn and not key:
            return None
        self._load(cursor)
        found = (self._by_issn.get(issn) if issn else None) or (self._by_key.get(key) if key else None)
        if found is None:
            found = self._create(cursor, name, issn, key or issn)
        elif issn and issn not in self._by_issn:
            self._by_issn[issn] = found  # another spelling's ISSN; remembered for this run only
        return found

    def _load(self, cursor) -> None:
        if self._loaded:
            return
        cursor.execute("SELECT id, key, issns FROM papers_venue")
        for vid, key, issns in cursor.fetchall():
            self._by_key[key] = vid
            for issn in json.loads(issns) if isinstance(issns, str) else (issns or []):
                self._by_issn.setdefault(issn, vid)
        self._loaded = True

    def _create(self, cursor, name: str, issn: str, key: str) -> int:
        kind = "preprint" if is_preprint_venue(name) else "journal"
        display = " ".join((name or issn).split())[:255]
        cursor.execute(
            "INSERT INTO papers_venue (key, name, name_zh, kind, issns, badge) VALUES (%s, %s, '', %s, %s, %s)"
            " ON CONFLICT (key) DO NOTHING",
            [key, display, kind, json.dumps([issn] if issn else []), SHORT_BADGES.get(display, display)[:60]],
        )
        cursor.execute("SELECT id FROM papers_venue WHERE key = %s", [key])
        vid = cursor.fetchone()[0]
        self._by_key[key] = vid
        if issn:
            self._by_issn[issn] = vid
        return vid
