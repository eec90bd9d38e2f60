"""Sources beyond arXiv: bioRxiv/medRxiv, Crossref, OpenAlex, PubMed, publisher feeds, Hugging Face.

Each is a small class with a ``name`` and ``batches(ctx)``, like the arXiv
sources: polite through `PoliteClient` (spacing, retries, ``Retry-After``),
resumable through the checkpoint attached to each batch (committed with
the batch's records), and recorded by the runner. The parsing lives in
``academichub.core`` (one module per service); here are only requests,
paging, windows and checkpoints.

Date windows: a run covers ``from_date``…``until`` when given, else from
where the last finished run ended (``next_from``) or ``days_back`` days ago,
until today. An unfinished window (a crash, a failed page) is resumed as
it was, at its cursor, before a new one starts.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

from academichub.core import biorxiv, crossref, hf_daily, openalex, publisher_rss, pubmed
from academichub.core.errors import ParseError
from academichub.core.http import FetchError, PoliteClient
from academichub.papers.storage import Signal
from academichub.sources.base import Batch, ConfigError, RunContext

MAX_WINDOW_DAYS = 366  # a stale checkpoint must not turn into a harvest of everything


def window(ctx: RunContext, days_back: int) -> tuple[tuple[str, str], bool]:
    """((from, until), resuming): the dates this run covers, and whether it continues an unfinished run."""
    opts, saved = ctx.options, ctx.checkpoint
    explicit = opts.get("from_date") or opts.get("until")
    if not explicit and saved.get("window") and not saved.get("done"):
        start, until = saved["window"]
        return (start, until), True
    today = ctx.now.date()
    until = _iso(opts.get("until")) or today.isoformat()
    back = int(opts.get("days_back", days_back))
    start = _iso(opts.get("from_date")) or saved.get("next_from") or (today - timedelta(days=back)).isoformat()
    earliest = (date.fromisoformat(until) - timedelta(days=MAX_WINDOW_DAYS)).isoformat()
    if not opts.get("from_date") and start < earliest:
        start = earliest
    if start > until:
        raise ConfigError(f"from_date {start} is after until {until}; fix the dates")
    resuming = saved.get("window") == [start, until] and not saved.get("done")
    return (start, until), resuming


def _iso(value) -> str | None:
    if not value:
        return None
    try:
        return date.fromisoformat(str(value).strip()[:10]).isoformat()
    except ValueError as exc:
        raise ConfigError(f"bad date {value!r}; use YYYY-MM-DD") from exc


def _skipped(reasons: list[str]) -> list[dict]:
    """Parser notes ("10.1101/x: bad version '0'") as run failures."""
    return [{"item": text.split(": ", 1)[0], "reason": text.split(": ", 1)[-1]} for text in reasons]


# -- bioRxiv / medRxiv -----------------------------------------------------------------------


class BiorxivDetails:
    """bioRxiv or medRxiv: every version posted in a date interval, paged by cursor.

    The checkpoint holds the interval, the next cursor and every cursor
    already requested, so a listing that loops (a cursor coming round
    again) is caught even across a crash and resume.
    """

    def __init__(self, client: PoliteClient, base_url: str, server: str = "biorxiv"):
        self.client = client
        self.base_url = base_url
        self.name = server

    def batches(self, ctx: RunContext) -> Iterator[Batch]:
        (start, until), resuming = window(ctx, days_back=2)
        saved = ctx.checkpoint if resuming else {}
        cursor, seen = int(saved.get("cursor", 0)), set(saved.get("seen", []))
        while True:
            url = biorxiv.build_details_url(self.base_url, self.name, start, until, cursor)
            page = biorxiv.parse_details(self.client.get(url).content, self.name)
            seen.add(cursor)  # the cursor asked for, whatever the page claims to be
            try:
                following = biorxiv.follow_cursor(page, seen)
            except ParseError:
                # Keep this page; the next run starts the interval again (records upsert).
                yield Batch(page.records, {"window": [start, until], "cursor": 0, "seen": [], "done": False},
                            _skipped(page.skipped))  # fmt: skip
                raise
            done = following is None
            state = {"window": [start, until], "cursor": following or 0, "seen": sorted(seen), "done": done,
                     "next_from": until if done else saved.get("next_from")}  # fmt: skip
            yield Batch(page.records, state, _skipped(page.skipped))
            if done:
                return
            cursor = following


# -- Crossref -----------------------------------------------------------------------------------


class CrossrefWorks:
    """Journal articles from Crossref: one ``/works`` listing per ISSN and date window, cursor-paged.

    Crossref's ``next-cursor`` stays the same string through a listing, so a
    loop is recognised by its content: a page of works all seen already.
    Cursors expire after a few idle minutes; a resumed listing whose cursor
    was refused starts that journal again from ``*``.
    """

    name = "crossref"

    def __init__(self, client: PoliteClient, base_url: str, mailto: str = "", rows: int = 100):
        self.client = client
        self.url = base_url.rstrip("/") + "/works"
        self.mailto = (mailto or "").strip()
        self.rows = rows

    def batches(self, ctx: RunContext) -> Iterator[Batch]:
        if not self.mailto:
            ctx.warnings.append("CONTACT_EMAIL is not set, so Crossref cannot put this crawler in its polite "
                                "pool; set CONTACT_EMAIL to an address Crossref may write to")  # fmt: skip
        journals = journal_issns(ctx.options.get("journals"))
        (start, until), resuming = window(ctx, days_back=7)
        saved = ctx.checkpoint if resuming else {}
        index = int(saved.get("journal", 0))
        cursor, fetched = saved.get("cursor") or "*", int(saved.get("fetched", 0))
        rows = int(ctx.options.get("rows", self.rows))
        while index < len(journals):
            yield from self._journal(journals[index][1], (start, until), index, len(journals), cursor, fetched, rows)
            index, cursor, fetched = index + 1, "*", 0

    def _journal(self, issn, dates, index, count, cursor, fetched, rows) -> Iterator[Batch]:
        seen: set[str] = set()
        while True:
            try:
                page = self._page(issn, dates, cursor, rows)
            except FetchError as exc:
                if cursor == "*" or exc.status not in (400, 404):
                    raise
                cursor, fetched, seen = "*", 0, set()  # an expired cursor: this journal again, from the start
                continue
            dois = {r.doi.lower() for r in page.records if r.doi}
            if dois and dois <= seen:
                raise ParseError(f"cursor for ISSN {issn} returned {len(dois)} works already fetched; the paging "
                                 "is looping, stopping (the next run starts this journal again)",
                                 source=crossref.SOURCE, code="cursor_loop")  # fmt: skip
            seen |= dois
            fetched += len(page.records) + len(page.skipped)
            end = (not page.records and not page.skipped) or not page.next_cursor or (
                page.total_results is not None and fetched >= page.total_results)  # fmt: skip
            last = end and index + 1 >= count
            state = {"window": list(dates), "journal": index + 1 if end else index,
                     "cursor": "*" if end else page.next_cursor, "fetched": 0 if end else fetched,
                     "done": last, "next_from": dates[1] if last else None}  # fmt: skip
            yield Batch(page.records, state, _skipped(page.skipped))
            if end:
                return
            cursor = page.next_cursor

    def _page(self, issn, dates, cursor, rows) -> crossref.WorksPage:
        params = crossref.build_works_params(issn=issn, from_date=dates[0], until=dates[1], cursor=cursor,
                                             rows=rows, mailto=self.mailto or None)  # fmt: skip
        try:
            return crossref.parse_works(self.client.get(self.url, params=params).content)
        except FetchError as exc:
            if exc.body and exc.status in (400, 404):
                try:  # Crossref explains a refused request in its body; say it in its words
                    crossref.parse_works(exc.body)
                except ParseError as explained:
                    raise FetchError(f"{exc} — {explained.message}", url=exc.url, status=exc.status,
                                     retryable=exc.retryable, body=exc.body) from exc  # fmt: skip
            raise


def journal_issns(option) -> list[tuple[str, str]]:
    """(name, ISSN) pairs from the ``journals`` option: ISSNs, names from the default list, or tables.

    Without the option: `crossref.DEFAULT_JOURNALS` (their first ISSN;
    Crossref's ``issn:`` filter matches either of a journal's ISSNs).
    """
    defaults = {j.name.lower(): j for j in crossref.DEFAULT_JOURNALS}
    if not option:
        return [(j.name, j.issns[0]) for j in crossref.DEFAULT_JOURNALS]
    pairs = []
    for entry in option:
        if isinstance(entry, dict):
            issn, name = str(entry.get("issn", "")).strip(), str(entry.get("name", "")).strip()
        elif isinstance(entry, str) and entry.strip().lower() in defaults:
            journal = defaults[entry.strip().lower()]
            issn, name = journal.issns[0], journal.name
        else:
            issn, name = str(entry).strip(), str(entry).strip()
        try:
            crossref.build_works_params(issn=issn)
        except ValueError as exc:
            raise ConfigError(f"crossref journals: {entry!r} is neither an ISSN (NNNN-NNNC) nor a journal of "
                              f"the default list; give its ISSN, e.g. journals = [\"0028-0836\"] ({exc})") from exc  # fmt: skip
        pairs.append((name or issn, issn))
    return pairs


# -- OpenAlex -----------------------------------------------------------------------------------


class OpenAlexWorks:
    """Works by source (journal), topic or institution, cursor-paged; OpenAlex requires an API key."""

    name = "openalex"
    FILTERS = {"sources": "primary_location.source.id", "topics": "topics.id",
               "institutions": "authorships.institutions.id"}  # fmt: skip

    def __init__(self, client: PoliteClient, base_url: str, api_key: str = "", mailto: str = "",
                 per_page: int = openalex.MAX_PER_PAGE):  # fmt: skip
        self.client = client
        self.url = base_url.rstrip("/") + "/works"
        self.api_key = (api_key or "").strip()
        self.mailto = (mailto or "").strip()
        self.per_page = per_page

    def batches(self, ctx: RunContext) -> Iterator[Batch]:
        if not self.api_key:
            raise ConfigError("OpenAlex requires an API key: set OPENALEX_API_KEY (free from "
                              "https://openalex.org/settings/api), then run again")  # fmt: skip
        (start, until), resuming = window(ctx, days_back=7)
        query = self.filter_text(ctx.options, start, until)
        saved = ctx.checkpoint if resuming and ctx.checkpoint.get("filter") == query else {}
        cursor, seen = saved.get("cursor") or "*", set()
        per_page = int(ctx.options.get("per_page", self.per_page))
        while True:
            page = self._page(query, cursor, per_page)
            seen.add(cursor)
            following = page.next_cursor if page.records else None
            base = {"window": [start, until], "filter": query}
            if following and following in seen:
                yield Batch(page.records, {**base, "cursor": "*", "done": False}, _skipped(page.skipped))
                raise ParseError(f"next_cursor {following[:24]}… was already requested; the paging is looping, "
                                 "stopping", source=openalex.SOURCE, code="cursor_loop")  # fmt: skip
            done = following is None
            state = {**base, "cursor": following or "*", "done": done, "next_from": until if done else None}
            yield Batch(page.records, state, _skipped(page.skipped))
            if done:
                return
            cursor = following

    def filter_text(self, options: dict, start: str, until: str) -> str:
        """OpenAlex's filter for the configured sources/topics/institutions (or a raw filter) and dates."""
        parts = [f"{key}:{'|'.join(str(v).strip() for v in options[name])}"
                 for name, key in self.FILTERS.items() if options.get(name)]  # fmt: skip
        if options.get("filter"):
            parts.append(str(options["filter"]).strip())
        if not parts:
            raise ConfigError("openalex needs something to follow: set sources, topics, institutions or filter "
                              "in sources.toml [openalex] (e.g. sources = [\"S137773608\"] for Nature)")  # fmt: skip
        return ",".join(parts + [f"from_publication_date:{start}", f"to_publication_date:{until}"])

    def _page(self, query: str, cursor: str, per_page: int) -> openalex.OpenAlexPage:
        params = openalex.build_works_params(query, cursor=cursor, per_page=per_page, api_key=self.api_key,
                                             mailto=self.mailto or None)  # fmt: skip
        try:
            return openalex.parse_works(self.client.get(self.url, params=params).content)
        except FetchError as exc:
            if exc.status in (401, 403):
                raise ConfigError(f"OpenAlex refused the API key (HTTP {exc.status}); check OPENALEX_API_KEY") from exc
            if exc.body and exc.status in (400, 404):
                openalex.parse_works(exc.body)  # raises with OpenAlex's own message when it gave one
            raise


# -- PubMed -------------------------------------------------------------------------------------


class PubmedSearch:
    """PubMed: ``esearch`` with the history server, then ``efetch`` of the results page by page."""

    name = "pubmed"

    def __init__(self, client: PoliteClient, base_url: str, api_key: str = "", email: str = "", page_size: int = 200):
        self.client = client
        self.base_url = base_url.rstrip("/")
        self.api_key = (api_key or "").strip()
        self.email = (email or "").strip()
        self.page_size = page_size

    def batches(self, ctx: RunContext) -> Iterator[Batch]:
        term = search_term(ctx.options)
        (start, until), resuming = window(ctx, days_back=3)
        saved = ctx.checkpoint if resuming and ctx.checkpoint.get("term") == term else {}
        size = int(ctx.options.get("page_size", self.page_size))
        found = self._search(term, start, until, size)
        total, retstart = found.count or 0, int(saved.get("retstart", 0))
        base = {"window": [start, until], "term": term}
        if not found.webenv:
            # No history server answer: the ids of the first page are all we can fetch.
            if total > len(found.ids):
                ctx.warnings.append(f"PubMed gave no WebEnv; fetched {len(found.ids)} of {total} results")
            records = self._fetch({"id": ",".join(found.ids)}) if found.ids else []
            yield Batch(records, {**base, "retstart": 0, "done": True, "next_from": until})
            return
        if total == 0:
            yield Batch([], {**base, "retstart": 0, "done": True, "next_from": until})
        while retstart < total:
            records = self._fetch({"WebEnv": found.webenv, "query_key": found.query_key,
                                   "retstart": str(retstart), "retmax": str(size)})  # fmt: skip
            retstart = min(retstart + size, total)
            done = retstart >= total
            yield Batch(records, {**base, "retstart": 0 if done else retstart, "done": done,
                                  "next_from": until if done else None})  # fmt: skip

    def _search(self, term: str, start: str, until: str, size: int) -> pubmed.EsearchResult:
        params = pubmed.build_esearch_params(term, mindate=start, maxdate=until, retmax=size, datetype="edat",
                                             api_key=self.api_key or None, email=self.email or None)  # fmt: skip
        return pubmed.parse_esearch(self.client.get(f"{self.base_url}/esearch.fcgi", params=params).content)

    def _fetch(self, selection: dict) -> list:
        params = {"db": "pubmed", "retmode": "xml", "tool": "academichub", **selection}
        params.update({k: v for k, v in (("api_key", self.api_key), ("email", self.email)) if v})
        return pubmed.parse_efetch(self.client.get(f"{self.base_url}/efetch.fcgi", params=params).content)


def search_term(options: dict) -> str:
    """The esearch term from ``query``/``queries`` and ``journals`` (ISSNs as [is], names as [ta])."""
    queries = [q for q in [options.get("query"), *(options.get("queries") or [])] if q and str(q).strip()]
    journals = []
    for entry in options.get("journals") or []:
        text = str(entry.get("issn") or entry.get("name") if isinstance(entry, dict) else entry).strip()
        tag = "is" if crossref_issn(text) else "ta"
        journals.append(f'"{text}"[{tag}]')
    parts = [" OR ".join(f"({q.strip()})" for q in queries)] if queries else []
    if journals:
        parts.append(" OR ".join(journals))
    if not parts:
        raise ConfigError('pubmed needs a query or journals: set query = "…" or journals = ["Nature"] '
                          "in sources.toml [pubmed]")  # fmt: skip
    return " AND ".join(f"({p})" for p in parts) if len(parts) > 1 else parts[0]


def crossref_issn(text: str) -> bool:
    try:
        crossref.build_works_params(issn=text)
    except ValueError:
        return False
    return True


# -- publisher feeds ------------------------------------------------------------------------------

DEFAULT_FEEDS: tuple[dict, ...] = (
    {"url": "https://www.nature.com/nature.rss", "venue": "Nature"},
    {"url": "https://www.science.org/action/showFeed?type=etoc&feed=rss&jc=science", "venue": "Science"},
    {"url": "https://www.cell.com/cell/current.rss", "venue": "Cell"},
    {"url": "https://feeds.aps.org/rss/recent/prl.xml", "venue": "Physical Review Letters"},
)


class FeedsFailed(Exception):
    """Every configured feed failed; the message lists each with its reason."""


class PublisherRss:
    """Publishers' table-of-contents feeds; one batch per feed.

    A feed that fails is a warning on the run and the others still count;
    the run fails only when every feed failed.
    """

    name = "publisher-rss"

    def __init__(self, client: PoliteClient, feeds: tuple[dict, ...] = DEFAULT_FEEDS):
        self.client = client
        self.feeds = feeds

    def batches(self, ctx: RunContext) -> Iterator[Batch]:
        feeds = ctx.options.get("feeds") or self.feeds
        errors = []
        for feed in feeds:
            try:
                body = self.client.get(feed["url"]).content
                records = publisher_rss.parse_feed(body, venue=feed.get("venue", ""))
            except (FetchError, ParseError) as exc:
                errors.append(f"{feed.get('venue') or feed['url']}: {exc}")
                continue
            yield Batch(records)
        if errors and len(errors) == len(feeds):
            raise FeedsFailed("every feed failed: " + "; ".join(errors))
        if errors:
            ctx.warnings.append("some feeds failed: " + "; ".join(errors))


# -- Hugging Face Daily Papers ----------------------------------------------------------------------


class HfDailyPapers:
    """Upvotes and submitters from Hugging Face's Daily Papers, for papers the hub already has.

    One request per day of the window; the list of a day keeps changing
    while it is current, so re-fetching it updates the stored signals.
    """

    name = "hf-daily"

    def __init__(self, client: PoliteClient, base_url: str = "https://huggingface.co"):
        self.client = client
        self.url = base_url.rstrip("/") + "/api/daily_papers"

    def batches(self, ctx: RunContext) -> Iterator[Batch]:
        (start, until), _ = window(ctx, days_back=1)
        day, last = date.fromisoformat(start), date.fromisoformat(until)
        while day <= last:
            items = hf_daily.parse_daily(self.client.get(self.url, params=hf_daily.build_daily_params(day)).content)
            signals = [Signal(p.arxiv_id, day, p.upvotes, p.num_comments, p.submitted_by, p.organization)
                       for p in items]  # fmt: skip
            state = {"window": [start, until], "done": day == last, "next_from": day.isoformat()}
            yield Batch([], state, signals=signals)
            day += timedelta(days=1)
