"""The shared part of a day, week or month page, cached; the reader's part filled in per request.

Rendering 100 cards and the queries behind them cost ~50 ms a page, and every
reader of one page sees the same cards. So the cards are rendered once per
(language, period, sort, page, catalogue state) into HTML with an empty slot
where each card's upvote button goes, and kept in the Django cache (Redis in a
scale-out deployment, shared by every web process). A request then only
reads the current upvote counts and its reader's own votes (two small
queries) and renders the buttons into the slots, with its own CSRF token.
Nothing of one reader is ever in the cached HTML.

What the cached part shows changes when a paper is added (the newest paper id
is in the key), when picks, submissions or organisations change or trending
is recomputed (:func:`invalidate`, from signals and the trending task), and
otherwise within ``TTL`` seconds (an ingest that revises a title). Upvote
counts are never cached; the order of the "upvotes" sort follows a vote
within ``TTL``.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import Max
from django.middleware.csrf import get_token
from django.template import Context
from django.template.loader import get_template, render_to_string
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext

from academichub.daily import votes
from academichub.daily.models import PaperStats
from academichub.ops.shared_cache import cached
from academichub.papers.models import Paper

log = logging.getLogger(__name__)

TTL = 60                      # seconds; see the module docstring for what is invalidated sooner
GENERATION_KEY = "daily-pages:generation"
SLOT = re.compile(r"<!--vote-slot:(\d+)-->")
URL_MARK, COUNT_MARK = "\ue000vote-url\ue000", "\ue000vote-count\ue000"  # private-use characters: never escaped


@dataclass(frozen=True)
class Pager:
    """What the page template needs of a ``Paginator`` page, without its queryset (so it pickles)."""

    number: int
    num_pages: int
    has_previous: bool
    has_next: bool
    previous_page_number: int | None
    next_page_number: int | None

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    @classmethod
    def of(cls, page) -> Pager:
        return cls(page.number, page.paginator.num_pages, page.has_previous(), page.has_next(),
                   page.number - 1 if page.has_previous() else None, page.number + 1 if page.has_next() else None)  # fmt: skip


@dataclass
class SharedPage:
    """Everything of one page that is the same for every reader (picklable)."""

    context: dict
    community_html: str = ""
    picked_html: str = ""
    vote_urls: dict[int, str] = field(default_factory=dict)


def generation() -> int:
    try:
        return int(cache.get(GENERATION_KEY) or 0)
    except Exception:  # a cache outage: pages are built, not read
        return -1


def invalidate(**_ignored) -> None:
    """Every cached page is stale from now on (a pick, a submission, new trending scores)."""
    try:
        cache.set(GENERATION_KEY, generation() + 1, timeout=None)
    except Exception as exc:
        log.warning("daily page cache unavailable: %s", exc)


def page_key(kind: str, slug: str, sort: str, page: str) -> str:
    newest = Paper.objects.aggregate(n=Max("id"))["n"] or 0
    return f"daily-page:{generation()}:{newest}:{get_language()}:{kind}:{slug}:{sort}:{page}"


def shared_page(key: str, build) -> SharedPage:
    """The cached shared part, or ``build()`` (then cached); a cache outage only costs the build."""
    return cached(key, build, TTL, "daily page")


def render_cards(papers: list[Paper]) -> str:
    """The cards' HTML with an empty slot for each upvote button (no reader state, no CSRF token)."""
    return render_to_string("daily/_cards.html", {"papers": papers, "vote_slots": True}) if papers else ""


def fill_votes(shared: SharedPage, request, here: str) -> tuple[SafeString, SafeString]:
    """The cards with this reader's upvote buttons: current counts, their own votes and CSRF token."""
    ids = list(shared.vote_urls)
    counts = dict(PaperStats.objects.filter(paper_id__in=ids).values_list("paper_id", "upvotes")) if ids else {}
    mine = votes.voted_ids(request.user, ids)
    forms = _vote_forms(request, here)
    buttons = {pid: forms[pid in mine].replace(URL_MARK, escape(url)).replace(COUNT_MARK, str(int(counts.get(pid, 0))))
               for pid, url in shared.vote_urls.items()}  # fmt: skip

    def fill(html: str) -> SafeString:
        return mark_safe(SLOT.sub(lambda m: buttons.get(int(m.group(1)), ""), html))

    return fill(shared.community_html), fill(shared.picked_html)


def _vote_forms(request, here: str) -> dict[bool, str]:
    """``daily/_vote.html`` rendered twice (not voted, voted) for this reader, with marks where each
    card's URL and count go: 100 buttons then cost two renders and some string replacing."""
    template = get_template("daily/_vote.html").template
    context = Context({"here": here, "csrf_token": get_token(request), "upvote_label": gettext("Upvote"),
                       "unvote_label": gettext("Remove your upvote")})  # fmt: skip
    forms = {}
    for voted in (False, True):
        with context.push(paper={"vote_url": URL_MARK, "voted": voted, "upvote_count": COUNT_MARK}):
            forms[voted] = template.render(context)
    return forms
