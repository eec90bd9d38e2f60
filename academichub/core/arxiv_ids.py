"""arXiv identifiers: new style (2503.11731v2) and old style (hep-th/9901001v1)."""

from __future__ import annotations

import re

_ID = re.compile(
    r"(?:arxiv:|https?://(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|html)/)?"
    r"(?P<id>\d{4}\.\d{4,5}|[a-z][a-z\-]*(?:\.[A-Z]{2})?/\d{7})"
    r"(?:v(?P<version>\d+))?(?:\.pdf)?/?$",
    re.IGNORECASE,
)


def split_id(value: str) -> tuple[str, int | None] | None:
    """'arXiv:2503.11731v2' -> ('2503.11731', 2); None when it is not an arXiv id."""
    match = _ID.search((value or "").strip())
    if not match:
        return None
    version = match.group("version")
    return _canonical(match.group("id")), int(version) if version else None


def _canonical(identifier: str) -> str:
    if "/" in identifier:
        archive, number = identifier.split("/", 1)
        return f"{archive.lower()}/{number}"
    return identifier


def abs_url(arxiv_id: str) -> str:
    return f"https://arxiv.org/abs/{arxiv_id}"


def pdf_url(arxiv_id: str) -> str:
    return f"https://arxiv.org/pdf/{arxiv_id}"


def html_url(arxiv_id: str) -> str:
    return f"https://arxiv.org/html/{arxiv_id}"
