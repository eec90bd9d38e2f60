"""arXiv sources: daily RSS, OAI-PMH harvesting and the export API.

Each is polite (one request per `min_interval` seconds, retries with backoff
and Retry-After, via `PoliteClient`) and resumable through the checkpoint
it attaches to each batch.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from zoneinfo import ZoneInfo

from academichub.core import arxiv_api, arxiv_oai, arxiv_rss
from academichub.core.errors import ParseError
from academichub.core.http import PoliteClient
from academichub.core.schedule import is_announcement_day
from academichub.sources.base import Batch, RunContext


class ArxivRss:
    """Today's announcements for the followed categories (one `+`-joined feed)."""

    name = "arxiv-rss"

    def __init__(self, client: PoliteClient, base_url: str, categories: list[str]):
        self.client = client
        self.base_url = base_url.rstrip("/") + "/"
        self.categories = categories

    def batches(self, ctx: RunContext) -> Iterator[Batch]:
        categories = ctx.options.get("categories") or self.categories
        url = self.base_url + "+".join(categories)
        feed = arxiv_rss.parse_rss(self.client.get(url).content)
        if not feed.records:
            day = feed.announced or ctx.now.astimezone(ZoneInfo("America/New_York")).date()
            if is_announcement_day(day):
                ctx.warnings.append(
                    f"arXiv RSS {url} returned no papers on announcement day {day.isoformat()}; "
                    "if this repeats, check the category names (ARXIV_CATEGORIES) and arXiv's status page"
                )
        yield Batch(feed.records)


class ArxivOai:
    """OAI-PMH ListRecords in arXivRaw, resumable at every resumptionToken."""

    name = "arxiv-oai"

    def __init__(self, client: PoliteClient, base_url: str, set_spec: str | None = None,
                 metadata_prefix: str = "arXivRaw"):  # fmt: skip
        self.client = client
        self.base_url = base_url
        self.set_spec = set_spec
        self.metadata_prefix = metadata_prefix

    def _window(self, ctx: RunContext) -> dict:
        """The harvest window: options, else from the last harvest's end, else yesterday."""
        opts = ctx.options
        start = opts.get("from_date") or ctx.checkpoint.get("next_from")
        start = start or (ctx.now.date() - timedelta(days=1)).isoformat()
        return {"from": start, "until": opts.get("until"), "set": opts.get("set") or self.set_spec}

    def batches(self, ctx: RunContext) -> Iterator[Batch]:
        window = self._window(ctx)
        same_window = all(ctx.checkpoint.get(k) == v for k, v in window.items())
        token = ctx.checkpoint.get("token") if same_window else None
        while True:
            page = self._page(window, token)
            token = page.resumption_token or None
            done = token is None
            state = {**window, "token": token, "done": done,
                     "next_from": (window["until"] or ctx.now.date().isoformat()) if done else None}  # fmt: skip
            yield Batch(page.records, checkpoint=state)
            if done:
                return

    def _page(self, window: dict, token: str | None):
        params = arxiv_oai.build_list_records_params(
            from_date=window["from"], until=window["until"], set_spec=window["set"],
            metadata_prefix=self.metadata_prefix, resumption_token=token,
        )  # fmt: skip
        try:
            return arxiv_oai.parse_oai(self.client.get(self.base_url, params=params).content)
        except ParseError as exc:
            if token and exc.code == "badResumptionToken":
                # Tokens expire; start the same window again (records upsert, nothing duplicates).
                return self._page(window, None)
            raise


class ArxivApi:
    """The export API for an id list or a search query, paged politely."""

    name = "arxiv-api"

    def __init__(self, client: PoliteClient, base_url: str, page_size: int = 100, max_results: int = 2000):
        self.client = client
        self.base_url = base_url
        self.page_size = page_size
        self.max_results = max_results

    def batches(self, ctx: RunContext) -> Iterator[Batch]:
        ids = ctx.options.get("ids")
        query = ctx.options.get("query")
        if not ids and not query:
            raise ValueError("arxiv-api needs --ids or --query")
        start = int(ctx.checkpoint.get("start", 0)) if ctx.checkpoint.get("query") == [ids, query] else 0
        while start < self.max_results:
            params = arxiv_api.build_query_params(id_list=ids, search_query=query, start=start,
                                                  max_results=self.page_size)  # fmt: skip
            page = arxiv_api.parse_api(self.client.get(self.base_url, params=params).content)
            start += len(page.records)
            done = not page.records or start >= (page.total_results or 0)
            yield Batch(page.records, checkpoint={"query": [ids, query], "start": 0 if done else start, "done": done})
            if done:
                return
