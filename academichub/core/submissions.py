"""What a reader may type to submit a paper, and which day a fetched paper belongs to (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from academichub.core import arxiv_ids
from academichub.core.dedup import arxiv_id_from_doi, bare_doi
from academichub.core.schedule import is_announcement_day


@dataclass(frozen=True)
class Identifier:
    kind: str  # "arxiv" | "doi"
    value: str  # the arXiv id without version, or the bare DOI

    @property
    def lookup(self) -> str:
        """The form ``web.queries.find_paper`` understands."""
        return f"arXiv:{self.value}" if self.kind == "arxiv" else f"doi:{self.value}"


def parse_identifier(text: str) -> Identifier | None:
    """An arXiv id or URL ("2506.01234", "arXiv:2506.01234v2", "https://arxiv.org/abs/…"),
    a DOI ("10.1155/2018/3804742", "doi:…", "https://doi.org/…"), or None.

    arXiv's own DOIs (10.48550/arXiv.…) are arXiv ids: the paper is the preprint.
    """
    text = " ".join((text or "").split())
    if not text or len(text) > 300:
        return None
    doi = bare_doi(text)
    if doi:
        from_arxiv = arxiv_id_from_doi(doi)
        return Identifier("arxiv", from_arxiv) if from_arxiv else Identifier("doi", doi)
    parsed = arxiv_ids.split_id(text)
    return Identifier("arxiv", parsed[0]) if parsed else None


def announcement_day(first_version: date | None, today: date) -> date:
    """The mailing a paper submitted on `first_version` appeared in: the next weekday.

    arXiv announces Sunday to Thursday at 20:00 US Eastern what came in before
    14:00, dated the next weekday. The export API gives only the submission
    date, not the hour, so this takes the next weekday (a paper sent after
    14:00 on a Thursday is dated one mailing early: Friday, not Monday).
    Without a date the paper goes on `today`.
    """
    if first_version is None:
        return today
    day = first_version + timedelta(days=1)
    while not is_announcement_day(day):
        day += timedelta(days=1)
    return day
