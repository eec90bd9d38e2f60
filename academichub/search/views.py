"""The search page: ``/search?q=…`` server-rendered; htmx requests get only the results block."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode

from academichub.search import engine
from academichub.search.params import request_params


def search_page(request: HttpRequest) -> HttpResponse:
    params = request_params(request.GET)
    result = engine.search(params.query, filters=params.filters, sort=params.sort, page=params.page,
                           limit=params.limit)  # fmt: skip
    keep = {"q": params.query, **params.filters, "sort": result.sort}
    if params.limit != engine.DEFAULT_LIMIT:
        keep["limit"] = result.limit
    context = {"result": result, "params": params, "sorts": engine.SORTS, "base_query": urlencode(keep),
               "offset": (result.page - 1) * result.limit, "categories": _category_choices()}  # fmt: skip
    template = "search/_results.html" if request.headers.get("HX-Request") else "search/search.html"
    return render(request, template, context)


def _category_choices() -> list[str]:
    """Category codes offered in the filter box (a datalist: any code can still be typed)."""
    from academichub.papers.models import Category

    return list(Category.objects.order_by("code").values_list("code", flat=True)[:400])
