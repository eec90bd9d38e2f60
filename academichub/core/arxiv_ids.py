"""arXiv identifiers: new style (2503.11731v2) and old style (hep-th/9901001v1)."""

from __future__ import annotations

import re

# Every part is bounded (archive names like "cond-mat" are short, versions have at
# most 4 digits), so a match is at most MAX_MATCH characters long and ends the text:
# `split_id` searches only that tail. An unbounded search rescanned the rest of the
# text from every start position: 5,000 letters cost ~0.5 s (quadratic) per call.
MAX_MATCH = 100
_ID = re.compile(
    r"(?:arxiv:|https?://(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|html)/)?"
    r"(?P<id>\d{4}\.\d{4,5}|[a-z][a-z\-]{0,24}(?:\.[A-Z]{2})?/\d{7})"
    r"(?:v(?P<version>\d{1,4}))?(?:\.pdf)?/?$",
    re.IGNORECASE,
)


def split_id(value: str) -> tuple[str, int | None] | None:
    """'arXiv:2503.11731v2' -> ('2503.11731', 2); None when it is not an arXiv id.

    Anything but a string (a number or list where a feed should have text) is
    not an id either, so parsers can pass outside values straight in.
    """
    if not isinstance(value, str):
        return None
    match = _ID.search(value.strip()[-MAX_MATCH:])
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
