"""Community submissions: an arXiv id, arXiv URL or DOI becomes a paper on its day, "submitted by" someone.

A paper already in the catalogue is taken from there. Otherwise it is fetched
through the sources: arXiv's export API for arXiv ids, Crossref's ``/works``
for DOIs, written by the one catalogue writer and recorded as a source run
named ``daily-submit`` (so provenance says where it came from). A paper is
submitted once: a second submission is refused, naming the first submitter.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import quote

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from academichub.core import crossref
from academichub.core.errors import ParseError
from academichub.core.http import FetchError
from academichub.core.records import PaperRecord
from academichub.core.submissions import Identifier, announcement_day, parse_identifier
from academichub.daily import organizations
from academichub.daily.models import Submission
from academichub.papers.models import Paper
from academichub.sources.arxiv import ArxivApi
from academichub.sources.base import Batch, RunContext
from academichub.web import queries

log = logging.getLogger("academichub.daily")
SOURCE_NAME = "daily-submit"


@dataclass
class Outcome:
    status: str  # added | duplicate | invalid | not_found | unavailable
    message: str
    paper: Paper | None = None
    submission: Submission | None = None

    @property
    def ok(self) -> bool:
        return self.status == "added"


@dataclass
class SubmissionFetch:
    """A one-record source: arXiv's export API or Crossref, with the record's day filled in."""

    identifier: Identifier
    client: object
    name: str = SOURCE_NAME
    records: list[PaperRecord] = field(default_factory=list)

    def batches(self, ctx: RunContext) -> Iterator[Batch]:
        records = self._arxiv(ctx) if self.identifier.kind == "arxiv" else [self._crossref()]
        today = timezone.localdate()
        for record in records:
            record.announced = record.announced or announcement_day(record.published, today)
        self.records = records
        yield Batch(records)

    def _arxiv(self, ctx: RunContext) -> list[PaperRecord]:
        api = ArxivApi(self.client, settings.ARXIV_API_URL, page_size=1, max_results=1)
        inner = RunContext(options={"ids": self.identifier.value}, now=ctx.now)
        return [r for batch in api.batches(inner) for r in batch.records if r.arxiv_id == self.identifier.value]

    def _crossref(self) -> PaperRecord:
        from academichub.sources.registry import setting

        base = setting("CROSSREF_API_URL", "https://api.crossref.org").rstrip("/")
        response = self.client.get(f"{base}/works/{quote(self.identifier.value, safe='/()._-;:')}")
        return crossref.parse_work_response(response.content)


def submit(text: str, user) -> Outcome:
    """Submit the paper `text` names, for `user`; never raises for bad input or an unreachable source."""
    identifier = parse_identifier(text)
    if identifier is None:
        return Outcome("invalid", _("“%(text)s” is neither an arXiv id or URL nor a DOI. Try e.g. 2506.01234 or "
                                    "10.1155/2018/3804742.") % {"text": (text or "")[:100]})  # fmt: skip
    paper = queries.find_paper(identifier.lookup)
    if paper is not None and (earlier := Submission.objects.filter(paper=paper).select_related("user").first()):
        return _duplicate(paper, earlier)
    fetched = paper is None
    if fetched:
        paper, problem = fetch(identifier)
        if paper is None:
            return problem
    return _record(paper, user, text, fetched)


def fetch(identifier: Identifier) -> tuple[Paper | None, Outcome | None]:
    """Fetch the paper through its source and store it; (paper, None) or (None, why not)."""
    from academichub.sources.registry import make_client, run_source

    with make_client(max_retries=1, timeout=15.0) as client:
        source = SubmissionFetch(identifier, client)
        try:
            run_source(source)
        except (FetchError, ParseError) as exc:
            return None, _fetch_failed(identifier, exc)
    for record in source.records:
        paper = queries.find_paper(identifier.lookup)
        if paper is not None:
            organizations.from_affiliations(paper.pk, record.affiliations)
            return paper, None
    return None, Outcome("not_found", _("No paper %(id)s was found at the source. Check the identifier.")
                         % {"id": identifier.value})  # fmt: skip


def _fetch_failed(identifier: Identifier, exc: Exception) -> Outcome:
    if isinstance(exc, FetchError) and exc.status == 404:
        return Outcome("not_found", _("No paper %(id)s was found at the source. Check the identifier.")
                       % {"id": identifier.value})  # fmt: skip
    log.warning("submission of %s failed: %s", identifier.lookup, exc)
    return Outcome("unavailable", _("The source could not be reached just now (%(error)s). Please try again later.")
                   % {"error": type(exc).__name__})  # fmt: skip


def _record(paper: Paper, user, text: str, fetched: bool) -> Outcome:
    try:
        with transaction.atomic():
            submission = Submission.objects.create(paper=paper, user=user, identifier=text.strip()[:300],
                                                   fetched=fetched)  # fmt: skip
    except IntegrityError:  # submitted by someone else a moment ago
        return _duplicate(paper, Submission.objects.select_related("user").get(paper=paper))
    if paper.announced is None:  # a journal article the catalogue has no date for: it has its own page only
        return Outcome("added", _("Thank you! “%(title)s” is submitted.") % {"title": paper.title_text[:120]},
                       paper, submission)  # fmt: skip
    return Outcome("added", _("Thank you! “%(title)s” is on the page of %(day)s.")
                   % {"title": paper.title_text[:120], "day": paper.announced.isoformat()}, paper, submission)  # fmt: skip


def _duplicate(paper: Paper, earlier: Submission) -> Outcome:
    return Outcome("duplicate", _("This paper is already here: %(user)s submitted it on %(date)s. You can upvote it.")
                   % {"user": earlier.user.get_username(), "date": timezone.localdate(earlier.created_at)},
                   paper, earlier)  # fmt: skip
