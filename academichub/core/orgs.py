"""Organisations from affiliation strings (pure; no Django).

Sources give affiliations as free text: "DIA, Università di Trieste, 34127
Trieste, Italy". An organisation page needs the institution, not the
department or the postcode, so :func:`organisation_name` keeps the
comma-separated part that names an institution (a university, an
institute, a lab, a company), else the whole string without its address
tail. Hugging Face gives organisations directly ("google", "Google").
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

_INSTITUTION = re.compile(
    r"universit|institut|college|school|academ|laborator|\blab\b|labs\b|centre|center|hospital|"
    r"foundation|research|\binc\b|ltd|gmbh|corporation|\bcorp\b|company|\bai\b|deepmind|google|microsoft|"
    r"meta|nvidia|alibaba|tencent|baidu|bytedance|huawei|ecole|école|eth\b|epfl|\bmit\b|politecnic|hochschule",
    re.IGNORECASE,
)
_ADDRESS = re.compile(r"\d{3,}|^(?:usa|uk|china|italy|germany|france|japan|canada|india|korea)$", re.IGNORECASE)
MAX_LENGTH = 200


def organisation_name(affiliation: str) -> str:
    """The institution an affiliation string names ("" for an empty one)."""
    parts = [p.strip(" .;") for p in (affiliation or "").replace(";", ",").split(",")]
    parts = [p for p in parts if p]
    if not parts:
        return ""
    named = [p for p in parts if _INSTITUTION.search(p)]
    if named:
        return max(named, key=_institution_rank)[:MAX_LENGTH]
    kept = [p for p in parts if not _ADDRESS.search(p)]
    return (kept[0] if kept else parts[0])[:MAX_LENGTH]


def _institution_rank(part: str) -> tuple[int, int]:
    """Prefer a university or institute over a department of it, then the longer name."""
    top = re.search(r"universit|institut|academ|college|école|ecole|hochschule|politecnic", part, re.IGNORECASE)
    department = re.match(r"(?:dep(?:artmen)?t|dept|school|faculty|division|dipartimento)\b", part, re.IGNORECASE)
    return (2 if top and not department else 1 if top else 0, len(part))


def slug(name: str) -> str:
    """A URL slug: ASCII, lower-case, hyphens ("Università di Trieste" -> "universita-di-trieste")."""
    ascii_text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    text = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:90].strip("-")
    if text:
        return text
    return "org-" + hashlib.blake2b(name.encode(), digest_size=5).hexdigest()  # e.g. a name in Chinese only
