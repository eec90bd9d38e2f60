"""The Django side of briefings: scope → ranked papers → vectors → core pipeline → stored row.

Everything that knows about the database lives here; the writing itself
is ``academichub.core.briefing``. Vectors come from
``academichub.search.vectors`` (the search index's, same model for the
rest). Radars resolve through ``settings.BRIEFINGS_RADAR_FEED``
("module:function" taking a radar id and a window, returning papers best
first; ``academichub.radar.briefing_feed``). A radar is private: only its
owner may brief it, checked when the briefing is asked for and again when
it is written. A search query is ranked by ``academichub.search.engine``.
"""

from __future__ import annotations

import importlib
import logging
import re
import time
from datetime import date, timedelta

import numpy as np
from django.conf import settings
from django.db import DatabaseError
from django.db.models import Q, Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from academichub import paths
from academichub.core import arxiv_ids, taxonomy, tex
from academichub.core.briefing import build_briefing
from academichub.core.briefing import llm as llm_backends
from academichub.core.briefing.model import BriefPaper
from academichub.core.briefing.render import to_markdown
from academichub.papers.models import Paper

from .models import Briefing

log = logging.getLogger("academichub.briefings")

WINDOW_DAYS = {"day": 1, "week": 7, "month": 30}
MAX_PAPERS = 400
SUBMITTED_BEFORE = 14  # days a paper may be posted before the window it is announced in
PROGRESS_EVERY = 0.5  # seconds between progress writes while a model streams


class ScopeError(ValueError):
    """A scope or window the user must fix; the message says how."""


class RadarNotFound(ScopeError):
    """No radar of this user has that id (someone else's is "not found" too, never "forbidden")."""


# ---------------------------------------------------------------- windows


def latest_day() -> date | None:
    return Paper.objects.exclude(announced=None).order_by("-announced").values_list("announced", flat=True).first()


def resolve_window(kind: str, *, anchor: date | None = None, start: date | None = None,
                   end: date | None = None) -> tuple[date, date]:
    """The inclusive [start, end] of a day/week/month ending at ``anchor`` (default: the latest day with papers)."""
    if kind == "custom":
        if not start or not end or start > end:
            raise ScopeError(_("A custom range needs a start and an end date, the start first."))
        if (end - start).days > 366:
            raise ScopeError(_("A custom range can span at most one year."))
        return start, end
    if kind not in WINDOW_DAYS:
        raise ScopeError(_("Unknown window; choose day, week, month or a custom range."))
    end = anchor or latest_day() or timezone.localdate()
    return end - timedelta(days=WINDOW_DAYS[kind] - 1), end


def previous_window(start: date, end: date) -> tuple[date, date]:
    length = (end - start).days + 1
    return start - timedelta(days=length), start - timedelta(days=1)


# ---------------------------------------------------------------- scopes


def check_scope(kind: str, value: str, paper_ids: list[int] | None = None, owner=None) -> str:
    """The normalised scope value, or ScopeError naming the fix (a radar must be ``owner``'s)."""
    value = (value or "").strip()
    if kind == "category":
        code = taxonomy.normalise_code(value)
        if not code:
            raise ScopeError(_("“%(value)s” is not an arXiv category; use a code such as cs.CL or math.") % {"value": value})
        return code
    if kind == "query":
        if not re.search(r"\w{2,}", value):
            raise ScopeError(_("Enter a search query of at least one word."))
        return value[:500]
    if kind == "papers":
        if len(paper_ids or []) < 2:
            raise ScopeError(_("List at least two papers (arXiv ids, one per line)."))
        return value[:500] or _("Paper set")
    if kind == "radar":
        if not getattr(settings, "BRIEFINGS_RADAR_FEED", ""):
            raise ScopeError(_("Radars are not available yet; brief a category or a search instead."))
        return str(own_radar(value, owner).pk)
    raise ScopeError(_("Unknown scope; choose a category, a search query, a paper set or a radar."))


def own_radar(value, owner):
    """``owner``'s radar with id ``value``, or RadarNotFound (also for another reader's radar)."""
    from academichub.radar.models import Radar, radar_pk

    radar = None
    if owner is not None and getattr(owner, "pk", None):
        radar = Radar.objects.filter(pk=radar_pk(value), owner_id=owner.pk).first()
    if radar is None:
        raise RadarNotFound(_("You have no radar with this id; choose one of your radars."))
    return radar


def request_briefing(owner, *, kind: str, value: str, window: tuple[date | None, date | None], window_kind: str,
                     language: str, paper_ids: list[int] | None = None, repeat_weekly: bool = False) -> Briefing:  # fmt: skip
    """Store a checked request (``check_scope``, ``resolve_window``) and queue its writing: the form,
    the API and a radar's "brief this week" all come here. A fixed paper set is never repeated."""
    from .tasks import generate_briefing

    start, end = window
    briefing = Briefing.objects.create(owner=owner, scope_kind=kind, scope_value=value, paper_ids=paper_ids or [],
                                       window_kind=window_kind, window_start=start, window_end=end, language=language,
                                       repeat_weekly=bool(repeat_weekly) and kind != "papers")  # fmt: skip
    generate_briefing(briefing.pk)
    return briefing


def parse_paper_list(text: str) -> list[int]:
    """Catalogue ids of the arXiv ids / DOIs / ids in ``text`` (unknown ones are left out)."""
    arxiv, dois, pks = [], [], []
    for token in re.split(r"[\s,;]+", text or ""):
        parsed = arxiv_ids.split_id(token)
        if parsed:
            arxiv.append(parsed[0])
        elif token.lower().startswith(("doi:", "10.")):
            dois.append(token.lower().removeprefix("doi:"))
        elif token.isdigit():
            pks.append(int(token))
    found = Paper.objects.filter(Q(arxiv_id__in=arxiv) | Q(doi__in=dois) | Q(pk__in=pks)).values_list("pk", flat=True)
    return sorted(set(found))


def _in_window(queryset, start: date | None, end: date | None):
    if start and end:
        return queryset.filter(announced__gte=start, announced__lte=end)
    return queryset


def _ranked(queryset) -> list[Paper]:
    """Best first: attention elsewhere (upvotes), then the newest."""
    queryset = _with_votes(queryset).order_by("-votes", "-announced", "id")
    return list(queryset[:MAX_PAPERS])


def _with_votes(queryset):
    """What ``brief_papers`` reads: the primary category and the upvotes (its ``signals``)."""
    return queryset.annotate(votes=Sum("signals__upvotes")).select_related("primary_category")


def papers_in_order(ids: list[int]) -> list[Paper]:
    """The papers of ``ids`` in that order (unknown ids left out), ready for ``brief_papers``."""
    found = _with_votes(Paper.objects.filter(pk__in=ids)).in_bulk()
    return [found[i] for i in ids if i in found]


def category_papers(code: str, start: date | None, end: date | None) -> list[Paper]:
    filters = Q(paper_categories__category_id=code)
    if "." not in code:  # a whole archive: "math", "cs"
        filters = Q(paper_categories__category_id__startswith=f"{code}.") | Q(paper_categories__category_id=code)
    return _ranked(_in_window(Paper.objects.filter(filters).distinct(), start, end))


def query_papers(text: str, start: date | None, end: date | None) -> list[Paper]:
    """The search engine's ranking of the query (keywords + meaning, its syntax too), within the window.

    The engine's date filter is on the first-version date, a briefing's
    window on the announcement day (a few days later), so the engine ranks
    papers first posted from ``SUBMITTED_BEFORE`` days before the window
    on, and those announced in the window are kept, in the engine's order.
    """
    from academichub.search.engine import ranked_ids

    if not (start and end):
        return papers_in_order(ranked_ids(text, depth=MAX_PAPERS)[:MAX_PAPERS])
    window = {"after": (start - timedelta(days=SUBMITTED_BEFORE)).isoformat(),
              "before": (end + timedelta(days=1)).isoformat()}  # fmt: skip
    papers = papers_in_order(ranked_ids(text, filters=window, depth=MAX_PAPERS))
    return [p for p in papers if p.announced and start <= p.announced <= end][:MAX_PAPERS]


def set_papers(ids: list[int]) -> list[Paper]:
    return papers_in_order(ids)


def radar_papers(radar: str, start: date | None, end: date | None) -> list[Paper]:
    module, name = settings.BRIEFINGS_RADAR_FEED.split(":")
    return list(getattr(importlib.import_module(module), name)(radar, start, end))[:MAX_PAPERS]


def scope_papers(kind: str, value: str, paper_ids: list[int], start: date | None, end: date | None) -> list[Paper]:
    if kind == "category":
        return category_papers(value, start, end)
    if kind == "query":
        return query_papers(value, start, end)
    if kind == "radar":
        return radar_papers(value, start, end)
    return set_papers(paper_ids)


# ---------------------------------------------------------------- papers and vectors


def brief_papers(papers: list[Paper]) -> list[BriefPaper]:
    codes = _categories_of([p.pk for p in papers])
    return [BriefPaper(key=p.pk, title=tex.plain_text(p.title), abstract=tex.plain_text(p.abstract),
                       categories=codes.get(p.pk) or ([p.primary_category_id] if p.primary_category_id else []),
                       arxiv_id=p.arxiv_id or "", authors=p.author_list, announced=p.announced,
                       comments=p.comments, url=paper_url(p.arxiv_id, p.doi, p.pk),
                       signals=int(getattr(p, "votes", 0) or 0)) for p in papers]  # fmt: skip


def _categories_of(ids: list[int]) -> dict[int, list[str]]:
    from academichub.papers.models import PaperCategory

    out: dict[int, list[str]] = {}
    rows = PaperCategory.objects.filter(paper_id__in=ids).order_by("paper_id", "-is_primary", "id")
    for paper_id, code in rows.values_list("paper_id", "category_id"):
        out.setdefault(paper_id, []).append(code)
    return out


def paper_url(arxiv_id: str | None, doi: str | None, pk: int) -> str:
    from django.urls import reverse

    return reverse("web:paper", kwargs={"identifier": arxiv_id or (f"doi:{doi}" if doi else str(pk))})


def vectors(papers: list[BriefPaper]) -> np.ndarray:
    """The search index's stored vectors, and the same model for papers it has not embedded yet.

    Both come from ``academichub.search.vectors`` (the model named by
    ``ACADEMICHUB_EMBEDDER``), so every row is comparable with every other.
    """
    from academichub.search.vectors import embed_texts, paper_text, vectors_for

    try:
        stored = dict(vectors_for([p.key for p in papers]))
    except DatabaseError:  # the index table may be missing or being rebuilt: embed instead
        log.warning("stored vectors unavailable; embedding the briefing's papers", exc_info=True)
        stored = {}
    missing = [p for p in papers if p.key not in stored]
    if missing:
        fresh = embed_texts([paper_text(p.title, p.abstract) for p in missing])
        stored.update(zip((p.key for p in missing), fresh))
    return np.stack([stored[p.key] for p in papers]).astype(np.float32)


# ---------------------------------------------------------------- generation


def configured_backend():
    config = llm_backends.settings_from()
    return llm_backends.backend_from(config, cache_dir=paths.home() / "llm-cache")


def generate(briefing: Briefing, *, backend=None) -> Briefing:
    """Write ``briefing`` now (the Huey task calls this); failures are stored, never raised to a page."""
    started = time.monotonic()
    _update(briefing, status=Briefing.Status.RUNNING, progress=_("Selecting papers"))
    try:
        papers, before = _window_papers(briefing)
        if len(papers) < 2:
            raise ScopeError(_("Fewer than two papers match this scope and window; widen the window or the scope."))
        backend = backend if backend is not None else configured_backend()
        result = build_briefing(brief_papers(papers), vectors, language=_core_language(briefing.language),
                                scope=scope_label(briefing), window=window_label(briefing),
                                previous=brief_papers(before) if before else None, backend=backend,
                                on_progress=_progress_writer(briefing))  # fmt: skip
    except (ScopeError, llm_backends.LLMError) as exc:
        return _fail(briefing, str(exc), started)
    except Exception as exc:  # noqa: BLE001 - a briefing must end in a state the page can show
        log.exception("briefing %s failed", briefing.pk)
        return _fail(briefing, _("The briefing could not be written (%(error)s).") % {"error": type(exc).__name__}, started)
    return _store(briefing, result, started)


def _window_papers(briefing: Briefing) -> tuple[list[Paper], list[Paper]]:
    kind, value, ids = briefing.scope_kind, briefing.scope_value, briefing.paper_ids
    if kind == "papers":
        return scope_papers(kind, value, ids, None, None), []
    if kind == "radar":  # checked again: the radar may have been deleted since, and a row may come from elsewhere
        own_radar(value, briefing.owner)
    start, end = briefing.window_start, briefing.window_end
    before = scope_papers(kind, value, ids, *previous_window(start, end))
    return scope_papers(kind, value, ids, start, end), before


def _core_language(code: str) -> str:
    return "zh" if code.lower().startswith("zh") else "en"


def scope_label(briefing: Briefing) -> str:
    if briefing.scope_kind == "category":
        found = taxonomy.category(briefing.scope_value)
        name = (found.name_zh if _core_language(briefing.language) == "zh" else found.name_en) if found else ""
        return f"{briefing.scope_value} ({name})" if name else briefing.scope_value
    if briefing.scope_kind == "radar":
        name = radar_names([briefing]).get(briefing.scope_value, briefing.scope_value)
        with translation.override(briefing.language):
            return _("radar “%(name)s”") % {"name": name}
    return f"“{briefing.scope_value}”"


def radar_names(briefings) -> dict[str, str]:
    """Radar id (as stored in ``scope_value``) → its name, for the radar briefings among ``briefings``."""
    from academichub.radar.models import Radar

    ids = {int(b.scope_value) for b in briefings if b.scope_kind == "radar" and b.scope_value.isdigit()}
    return {str(pk): name for pk, name in Radar.objects.filter(pk__in=ids).values_list("pk", "name")} if ids else {}


def window_label(briefing: Briefing) -> str:
    if briefing.scope_kind == "papers" or not briefing.window_start:
        return _("a chosen set of papers")
    if briefing.window_start == briefing.window_end:
        return briefing.window_start.isoformat()
    return f"{briefing.window_start.isoformat()} – {briefing.window_end.isoformat()}"


def _progress_writer(briefing: Briefing):
    last = [0.0]
    stages = {"embed": _("Reading the papers"), "analyse": _("Finding themes and bridges")}

    def write(stage: str, text: str) -> None:
        now = time.monotonic()
        if stage in stages:
            _update(briefing, progress=stages[stage])
        elif now - last[0] >= PROGRESS_EVERY:
            last[0] = now
            _update(briefing, progress=_("Writing: %(section)s") % {"section": stage[:150]}, partial_text=text[-4000:])

    return write


def _update(briefing: Briefing, **fields) -> None:
    fields["heartbeat_at"] = timezone.now()  # a job killed mid-run stops beating: see requeue_stale
    for name, value in fields.items():
        setattr(briefing, name, value)
    Briefing.objects.filter(pk=briefing.pk).update(**fields)


def _fail(briefing: Briefing, message: str, started: float) -> Briefing:
    _update(briefing, status=Briefing.Status.FAILED, error=message, progress="", finished_at=timezone.now(),
            seconds=round(time.monotonic() - started, 3))  # fmt: skip
    return briefing


def _store(briefing: Briefing, result, started: float) -> Briefing:
    cited = set(result.cited_numbers())
    citations = [{"n": e.n, "paper_id": e.key, "arxiv_id": e.arxiv_id, "title": e.title, "url": e.url}
                 for e in result.catalogue if e.n in cited]  # fmt: skip
    usage = result.usage
    _update(briefing, status=Briefing.Status.DONE, progress="", partial_text="", document=result.to_dict(),
            text=to_markdown(result, link=lambda e: settings.SITE_URL.rstrip("/") + e.url if e.url.startswith("/") else e.url),
            citations=citations, grounding={**result.grounding.to_dict(), "llm_errors": usage.errors},
            engine=result.engine, model=", ".join(usage.models) or "offline",
            prompt_tokens=usage.prompt_tokens, completion_tokens=usage.completion_tokens, cost=round(usage.cost, 6),
            papers_in=result.papers_in, themes=len(result.themes), bridges=len(result.bridges), error="",
            finished_at=timezone.now(), seconds=round(time.monotonic() - started, 3))  # fmt: skip
    return briefing


def repeat_weekly(today: date | None = None) -> list[Briefing]:
    """New week briefings for the latest of each owner's repeating scopes (none twice for one week)."""
    start, end = resolve_window("week", anchor=today or latest_day())
    latest: dict[tuple, Briefing] = {}
    for briefing in Briefing.objects.filter(repeat_weekly=True).order_by("created_at", "id"):
        latest[(briefing.owner_id, briefing.scope_kind, briefing.scope_value, briefing.language)] = briefing
    created = []
    radars = radar_names(latest.values())
    for briefing in latest.values():
        if (briefing.window_end and briefing.window_end >= end) or (
                briefing.scope_kind == "radar" and briefing.scope_value not in radars):  # a deleted radar stops
            continue
        created.append(Briefing.objects.create(
            owner_id=briefing.owner_id, scope_kind=briefing.scope_kind, scope_value=briefing.scope_value,
            window_kind="week", window_start=start, window_end=end, language=briefing.language, repeat_weekly=True))
    return created


STALE_MINUTES = 15


def requeue_stale(now=None) -> list[int]:
    """Briefings whose job died (a worker killed mid-run, or a queued job lost with it): back to waiting.

    A running job writes its progress every few seconds; one silent for
    STALE_MINUTES, or a briefing still waiting that long, has no job left.
    The caller queues them again (writing is idempotent: a finished one is skipped)."""
    cutoff = (now or timezone.now()) - timedelta(minutes=STALE_MINUTES)
    open_states = [Briefing.Status.PENDING, Briefing.Status.RUNNING]
    silent = Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at=None, created_at__lt=cutoff)
    stale = list(Briefing.objects.filter(silent, status__in=open_states).values_list("pk", flat=True))
    Briefing.objects.filter(pk__in=stale).update(status=Briefing.Status.PENDING, progress="",
                                                 heartbeat_at=now or timezone.now())  # fmt: skip
    return stale

