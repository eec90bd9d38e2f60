"""Server-rendered pages. Views stay thin: queries live in `queries`."""

from __future__ import annotations

from datetime import date

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from academichub.web import queries

PAGE_SIZE = 50


def today(request: HttpRequest) -> HttpResponse:
    day = queries.latest_day()
    return _day_page(request, day)


def day(request: HttpRequest, day: str) -> HttpResponse:
    try:
        parsed = date.fromisoformat(day)
    except ValueError:
        return error_page(request, 400, _("“%(day)s” is not a date; use YYYY-MM-DD.") % {"day": day})
    return _day_page(request, parsed)


def _day_page(request: HttpRequest, day: date | None) -> HttpResponse:
    if day is None:
        return render(request, "web/empty.html", status=200)
    pages = Paginator(queries.papers_of_day(day), PAGE_SIZE)
    page = pages.get_page(request.GET.get("page"))
    prev_day, next_day = queries.neighbour_days(day)
    context = {
        "day": day, "page": page, "total": pages.count, "prev_day": prev_day, "next_day": next_day,
        "offset": (page.number - 1) * PAGE_SIZE,
    }  # fmt: skip
    return render(request, "web/day.html", context)


def paper_detail(request: HttpRequest, identifier: str) -> HttpResponse:
    paper = queries.find_paper(identifier)
    if paper is None:
        raise Http404(identifier)
    categories = [pc.category for pc in paper.paper_categories.all()]
    return render(request, "web/paper.html", {"paper": paper, "categories": categories})


def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"ok": True})


def error_page(request: HttpRequest, status: int, message: str) -> HttpResponse:
    """The one place an error becomes a page (or JSON for API clients)."""
    if request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", ""):
        return JsonResponse({"error": message}, status=status)
    return render(request, "web/error.html", {"status": status, "message": message}, status=status)


def not_found(request: HttpRequest, exception=None) -> HttpResponse:
    return error_page(request, 404, _("Nothing here: no paper or page at this address."))


def server_error(request: HttpRequest) -> HttpResponse:
    return error_page(request, 500, _("Something went wrong on our side; it has been logged."))
