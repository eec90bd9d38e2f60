"""Server-rendered pages. Views stay thin: queries live in `queries`."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from academichub.core.facets import FACETS
from academichub.web import queries


def paper_detail(request: HttpRequest, identifier: str) -> HttpResponse:
    paper = queries.find_paper(identifier)
    if paper is None:
        raise Http404(identifier)
    categories = [pc.category for pc in paper.paper_categories.all()]
    facet = request.GET.get("similar")  # "alike in": background / method / result (core.facets); else overall
    return render(request, "web/paper.html", {"paper": paper, "categories": categories,
                                              "similar_facet": facet if facet in FACETS else None})


def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"ok": True})


def error_page(request: HttpRequest, status: int, message: str) -> HttpResponse:
    """The one place an error becomes a page (or JSON for API clients)."""
    if request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", ""):
        from academichub.api.site import error_body  # the API's one error shape, also for URLs no route matched

        code = {400: "bad_request", 403: "forbidden", 404: "not_found", 429: "rate_limited"}.get(status, "error")
        return JsonResponse(error_body(code, str(message)), status=status)
    return render(request, "web/error.html", {"status": status, "message": message}, status=status)


def not_found(request: HttpRequest, exception=None) -> HttpResponse:
    return error_page(request, 404, _("Nothing here: no paper or page at this address."))


def server_error(request: HttpRequest) -> HttpResponse:
    return error_page(request, 500, _("Something went wrong on our side; it has been logged."))
