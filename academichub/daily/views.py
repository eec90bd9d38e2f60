"""The daily pages. Views stay thin: listing, votes, submit and subscriptions do the work."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.core.validators import validate_email
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from academichub.accounts.models import is_curator
from academichub.daily import curation, listing, page_cache, periods, subscriptions, votes
from academichub.daily.models import Organization, Subscriber
from academichub.daily.submit import submit as submit_paper
from academichub.papers.models import Paper
from academichub.web import queries
from academichub.web.ratelimit import Limit, by_field, by_ip, ratelimit
from academichub.web.views import error_page

PAGE_SIZE = 100
VOTE_LIMIT = Limit(attempts=60, window=10 * 60)
SUBMIT_LIMIT = Limit(attempts=20, window=60 * 60)
SUBSCRIBE_LIMIT = Limit(attempts=5, window=60 * 60)


def by_user(request: HttpRequest) -> str | None:
    user = getattr(request, "user", None)
    return f"user:{user.pk}" if user is not None and user.is_authenticated else None


def safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return fallback


# -- day, week, month --------------------------------------------------------------------------


def today(request: HttpRequest) -> HttpResponse:
    day = queries.latest_day()
    if day is None:
        return render(request, "web/empty.html")
    return _period_page(request, periods.containing("day", day))


def period_page(request: HttpRequest, kind: str, slug: str) -> HttpResponse:
    try:
        period = periods.parse(kind, slug)
    except ValueError:
        return error_page(request, 400, _bad_period_message(kind, slug))
    return _period_page(request, period)


def _bad_period_message(kind: str, slug: str) -> str:
    if kind == "day":
        return _("“%(day)s” is not a date; use YYYY-MM-DD.") % {"day": slug[:40]}
    if kind == "week":
        return _("“%(week)s” is not a week; use YYYY-Www, e.g. 2026-W27.") % {"week": slug[:40]}
    return _("“%(month)s” is not a month; use YYYY-MM, e.g. 2026-06.") % {"month": slug[:40]}


def _period_page(request: HttpRequest, period: periods.Period) -> HttpResponse:
    """The cards come from the shared page cache; only the upvote buttons are the reader's own."""
    sort = listing.sort_key(request.GET.get("sort"))
    number = _page_number(request.GET.get("page"))
    key = page_cache.page_key(period.kind, period.slug, sort, number)
    shared = page_cache.shared_page(key, lambda: _shared_page(period, sort, number))
    here = request.get_full_path()
    community, picked = page_cache.fill_votes(shared, request, here)
    context = {**shared.context, "community_html": community, "picked_html": picked, "here": here}
    return render(request, "daily/period.html", context)


def _page_number(value: str | None) -> str:
    """The ?page= value as the cache key sees it: digits, or "1" (what the paginator makes of anything else)."""
    return value if value and value.isdigit() and len(value) <= 6 else "1"


def _shared_page(period: periods.Period, sort: str, number: str) -> page_cache.SharedPage:
    """Everything of the page that is the same for every reader: cards without votes, calendar, links."""
    picks = listing.picks_of(period.start) if period.kind == "day" else []
    pages = Paginator(listing.ids_in(period, sort, exclude=[p.paper_id for p in picks]), PAGE_SIZE)
    page = pages.get_page(number)
    papers, picked = listing.page_of_cards(listing.cards(page), picks, None, (page.number - 1) * PAGE_SIZE)
    month = periods.containing("month", period.start)
    context = {
        "period": period, "day": period.start, "sort": sort, "sorts": listing.SORTS, "page": page_cache.Pager.of(page),
        "total": pages.count + len(picks), "has_picks": bool(picked),
        "calendar": listing.calendar_of(month, period.start if period.kind == "day" else None), "month": month,
        "week_slug": periods.containing("week", period.start).slug, "sort_choices": sort_choices(),
        "weekday_names": WEEKDAYS, **_neighbours(period),
    }  # fmt: skip
    context.update(period_label=label(period), prev_label=label(context["prev"]), next_label=label(context["next"]))
    return page_cache.SharedPage(
        context, page_cache.render_cards(papers), page_cache.render_cards(picked),
        vote_urls={paper.pk: paper.vote_url for paper in papers + picked},
    )  # fmt: skip


WEEKDAYS = [date(2024, 1, day) for day in range(1, 8)]  # a Monday-to-Sunday week, for the calendar's header


def sort_choices() -> list[tuple[str, str]]:
    return [("trending", _("Trending")), ("upvotes", _("Upvotes")), ("newest", _("Newest"))]


def label(period: periods.Period | None) -> str:
    """How a period is named in the date navigation: 2026-06-30, 2026-W27 (06-29 – 07-05), June 2026."""
    if period is None:
        return ""
    if period.kind == "day":
        return period.start.isoformat()
    if period.kind == "week":
        return f"{period.slug} ({period.start:%m-%d} – {period.end:%m-%d})"
    return formats.date_format(period.start, "YEAR_MONTH_FORMAT")


def _neighbours(period: periods.Period) -> dict:
    """Links to the previous and next period that exist (days: the neighbouring days with papers)."""
    if period.kind == "day":
        prev_day, next_day = queries.neighbour_days(period.start)
        return {"prev": prev_day and periods.containing("day", prev_day),
                "next": next_day and periods.containing("day", next_day)}  # fmt: skip
    first, last = listing.earliest_day(), queries.latest_day()
    before, after = period.previous(), period.next()
    return {"prev": before if first and before.end >= first else None,
            "next": after if last and after.start <= last else None}  # fmt: skip


def jump(request: HttpRequest) -> HttpResponse:
    """The calendar's date field (a GET form): go to that day's page."""
    try:
        day = date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        return error_page(request, 400, _bad_period_message("day", request.GET.get("date", "")))
    return redirect("daily:day", day.isoformat())


def trending(request: HttpRequest) -> HttpResponse:
    papers = listing.decorate(listing.trending_papers(limit=PAGE_SIZE), request.user)
    return render(request, "daily/trending.html", {"papers": papers, "here": request.get_full_path()})


def organisation(request: HttpRequest, slug: str) -> HttpResponse:
    org = get_object_or_404(Organization, slug=slug)
    papers = Paper.objects.filter(daily_organizations__organization=org).order_by("-announced", "-id")
    papers = listing.with_cards(papers)
    page = Paginator(papers, PAGE_SIZE).get_page(request.GET.get("page"))
    papers = listing.number(listing.decorate(page, request.user), (page.number - 1) * PAGE_SIZE)
    context = {"org": org, "page": page, "papers": papers, "here": request.get_full_path()}
    return render(request, "daily/organisation.html", context)


# -- upvotes -----------------------------------------------------------------------------------


@require_POST
@ratelimit("vote", keys=(by_user,), limit=VOTE_LIMIT)
def vote(request: HttpRequest, paper_id: int) -> HttpResponse:
    """Toggle the reader's upvote. htmx gets the new button; a plain form post goes back to the page."""
    back = safe_next(request, reverse("daily:today")) + f"#paper-{paper_id}"
    if not request.user.is_authenticated:
        login = f"{reverse('accounts:login')}?next={back.split('#')[0]}"
        if request.headers.get("HX-Request"):
            return HttpResponse(status=204, headers={"HX-Redirect": login})
        return redirect_to_login(back)
    if not Paper.objects.filter(pk=paper_id).exists():
        return error_page(request, 404, _("There is no such paper to upvote."))
    state = votes.toggle(request.user, paper_id)
    if request.headers.get("HX-Request"):
        button = {"vote_url": request.path, "voted": state.voted, "upvote_count": state.upvotes}
        context = {"paper": button, "here": safe_next(request, ""), "upvote_label": _("Upvote"),
                   "unvote_label": _("Remove your upvote")}  # fmt: skip
        return render(request, "daily/_vote.html", context)
    return redirect(back)


# -- submissions -------------------------------------------------------------------------------


@login_required
@ratelimit("submit", keys=(by_user,), limit=SUBMIT_LIMIT)
def submit(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return render(request, "daily/submit.html", {"identifier": request.GET.get("id", "")})
    text = request.POST.get("identifier", "")
    outcome = submit_paper(text, request.user)
    if outcome.ok:
        messages.success(request, outcome.message)
        return redirect(_where(outcome.paper))
    status = {"invalid": 400, "not_found": 404, "unavailable": 503, "duplicate": 409}[outcome.status]
    context = {"identifier": text, "outcome": outcome}
    return render(request, "daily/submit.html", context, status=status)


def _where(paper: Paper) -> str:
    """The paper's card on its day, or its own page when the catalogue has no announcement day for it."""
    if paper.announced:
        return reverse("daily:day", args=[paper.announced.isoformat()]) + f"#paper-{paper.pk}"
    return reverse("web:paper", args=[paper.arxiv_id or paper.pk])


# -- curation ----------------------------------------------------------------------------------


def curate(request: HttpRequest, day: str) -> HttpResponse:
    """The curators' page for one day: pick papers, order them, write a note."""
    if not is_curator(request.user):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        raise PermissionDenied
    try:
        period = periods.parse("day", day)
    except ValueError:
        return error_page(request, 400, _bad_period_message("day", day))
    if request.method == "POST":
        problem = curation.apply(period.start, request.POST, request.user)
        if problem:
            messages.error(request, problem)
        else:
            messages.success(request, _("The picks of %(day)s are saved.") % {"day": period.start.isoformat()})
        return redirect("daily:curate", period.slug)
    picks = listing.picks_of(period.start)
    candidates = listing.cards(listing.ids_in(period, "upvotes", exclude=[p.paper_id for p in picks])[:PAGE_SIZE])
    return render(request, "daily/curate.html", {"day": period.start, "picks": picks, "candidates": candidates})


# -- subscriptions -----------------------------------------------------------------------------


@ratelimit("subscribe", keys=(by_ip, by_field("email")), limit=SUBSCRIBE_LIMIT)
def subscribe(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return render(request, "daily/subscribe.html", {})
    email = request.POST.get("email", "").strip()
    try:
        validate_email(email)
    except ValidationError:
        return render(request, "daily/subscribe.html", {"email": email[:200], "invalid": True}, status=400)
    subscriptions.subscribe(email, get_language() or "en")
    return render(request, "daily/subscribe_sent.html", {"email": email})


def confirm(request: HttpRequest, token: str) -> HttpResponse:
    return _token_page(request, token, "confirm")


@csrf_exempt  # RFC 8058 one-click unsubscribe: mail clients POST without a session; the token is the secret
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    return _token_page(request, token, "unsubscribe")


def _token_page(request: HttpRequest, token: str, action: str) -> HttpResponse:
    """GET shows a button; POST acts (a link opened by a mail scanner changes nothing)."""
    done = None
    if request.method == "POST":
        done = (subscriptions.confirm if action == "confirm" else subscriptions.unsubscribe)(token)
        if done is None:
            raise Http404(token)
    elif not Subscriber.objects.filter(token=token).exists():
        raise Http404(token)
    return render(request, "daily/subscription_action.html", {"action": action, "token": token, "done": done})
