"""Radar pages: list, create/edit/delete, the feed with its chips, ratings, sharing, authors.

Every state change is a POST that works as a plain form (redirect back) and
with htmx (the feed section is re-rendered in place). Radars are looked up
with ``owner=request.user``, so another reader gets a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch, prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from academichub.core.citation_import import MAX_CHARS, CitationImportError
from academichub.papers.models import Author, Paper
from academichub.radar import authors as author_lookup
from academichub.radar import chips as chip_ops
from academichub.radar import coldstart
from academichub.radar.feed import feed_for, mark_shown, rate, reset_seen, save_paper
from academichub.radar.forms import RadarForm
from academichub.radar.models import WINDOW_DAYS, FollowedAuthor, Radar, SavedPaper, Window
from academichub.web.views import error_page

AUTHOR_PAGE_SIZE = 50
SAVED_PAGE_SIZE = 50
MAX_SUGGESTIONS = 20      # suggested authors/keywords one form may apply


def _own(request: HttpRequest, pk: int) -> Radar:
    return get_object_or_404(Radar, pk=pk, owner=request.user)


def _int(value) -> int:
    """A posted id as an int; -1 (matches nothing) for anything else."""
    return int(value) if isinstance(value, str) and value.isdigit() and len(value) < 18 else -1


def _window(request: HttpRequest, radar: Radar) -> str:
    value = request.POST.get("window") or request.GET.get("window") or radar.window
    return value if value in WINDOW_DAYS else radar.window


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _back_to_feed(request: HttpRequest, radar: Radar) -> HttpResponse:
    """htmx: the re-rendered feed section; plain form: a redirect to the feed (POST-redirect-GET)."""
    window = _window(request, radar)
    if _is_htmx(request):
        return render(request, "radar/_feed.html", _feed_context(request, radar, window))
    url = reverse("radar:feed", args=[radar.pk])
    return redirect(url + ("?" + urlencode({"window": window}) if window != radar.window else ""))


def _feed_context(request: HttpRequest, radar: Radar, window: str, *, shared: bool = False) -> dict:
    page = feed_for(radar, window=window, skip_seen=not shared)
    return {
        "radar": radar, "page": page, "chips": chip_ops.chips_for(radar), "shared": shared,
        "windows": Window.choices, "window": window, "addable": [(k, chip_ops.KINDS[k]) for k in chip_ops.ADDABLE],
    }  # fmt: skip


# ------------------------------------------------------------------ radars


@login_required
def radar_list(request: HttpRequest) -> HttpResponse:
    radars = Radar.objects.filter(owner=request.user)
    return render(request, "radar/list.html", {"radars": radars})


@login_required
def radar_create(request: HttpRequest) -> HttpResponse:
    form = RadarForm(request.POST if request.method == "POST" else None, initial={"name": _("My radar")})
    if request.method == "POST" and form.is_valid():
        radar = form.save(owner=request.user)
        messages.success(request, _("Radar “%(name)s” created.") % {"name": radar.name})
        return redirect("radar:feed", radar.pk)
    return render(request, "radar/form.html", {"form": form, "radar": None})


@login_required
def radar_edit(request: HttpRequest, pk: int) -> HttpResponse:
    radar = _own(request, pk)
    form = RadarForm(request.POST if request.method == "POST" else None, instance=radar)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Radar saved."))
        return redirect("radar:feed", radar.pk)
    return render(request, "radar/form.html", {"form": form, "radar": radar})


@login_required
@require_POST
def radar_delete(request: HttpRequest, pk: int) -> HttpResponse:
    radar = _own(request, pk)
    name = radar.name
    radar.delete()
    messages.success(request, _("Radar “%(name)s” deleted.") % {"name": name})
    return redirect("radar:list")


@login_required
def radar_feed(request: HttpRequest, pk: int) -> HttpResponse:
    """The feed page. The reader's radars (the menu) and this radar's filters are read once, for the
    ranking and the chips alike: the most visited page costs as few queries as it can."""
    radars = list(Radar.objects.filter(owner=request.user))
    radar = next((r for r in radars if r.pk == pk), None)
    if radar is None:
        raise Http404("no such radar")
    prefetch_related_objects([radar], Prefetch("followed", queryset=FollowedAuthor.objects.select_related("author")), "venues")
    context = _feed_context(request, radar, _window(request, radar))
    context["radars"] = radars
    return render(request, "radar/feed.html", context)


def shared_feed(request: HttpRequest, token: str) -> HttpResponse:
    """Read-only view of a radar for whoever has its link: no chips to remove, no ratings."""
    radar = get_object_or_404(Radar, share_token=token)
    return render(request, "radar/feed.html", _feed_context(request, radar, _window(request, radar), shared=True))


# ------------------------------------------------------------------ feed actions


@login_required
@require_POST
def another_batch(request: HttpRequest, pk: int) -> HttpResponse:
    radar = _own(request, pk)
    shown = [int(v) for v in request.POST.getlist("shown") if v.isdigit()][:200]
    mark_shown(radar, shown)
    return _back_to_feed(request, radar)


@login_required
@require_POST
def reset(request: HttpRequest, pk: int) -> HttpResponse:
    radar = _own(request, pk)
    reset_seen(radar)
    return _back_to_feed(request, radar)


@login_required
@require_POST
def rate_paper(request: HttpRequest, pk: int, paper_id: int) -> HttpResponse:
    radar = _own(request, pk)
    paper = get_object_or_404(Paper, pk=paper_id)
    value = request.POST.get("value", "")
    if value not in ("1", "-1", "0"):
        return error_page(request, 400, _("A rating is 1 (👍), -1 (👎) or 0 (clear)."))
    rate(request.user, paper, int(value), radar)
    return _back_to_feed(request, radar)


@login_required
@require_POST
def remove_chip(request: HttpRequest, pk: int) -> HttpResponse:
    radar = _own(request, pk)
    chip_ops.remove_chip(radar, request.POST.get("kind", ""), request.POST.get("value", ""))
    return _back_to_feed(request, radar)


@login_required
@require_POST
def add_chip(request: HttpRequest, pk: int) -> HttpResponse:
    radar = _own(request, pk)
    kind, value = request.POST.get("kind", ""), request.POST.get("value", "")
    result = chip_ops.add_chip(radar, kind, value)
    if result.choices:
        url = reverse("radar:pick_author", args=[radar.pk]) + "?" + urlencode({"name": value})
        if _is_htmx(request):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
            return response
        return redirect(url)
    if result.error:
        messages.error(request, result.error)
        if _is_htmx(request):
            context = _feed_context(request, radar, _window(request, radar))
            context["error"] = result.error
            return render(request, "radar/_feed.html", context)
    return _back_to_feed(request, radar)


@login_required
def pick_author(request: HttpRequest, pk: int) -> HttpResponse:
    """Choose which person a name means: namesakes grouped by co-authors, with their categories."""
    radar = _own(request, pk)
    if request.method == "POST":
        author = get_object_or_404(Author, pk=_int(request.POST.get("author")))
        try:
            chip_ops.follow(radar, author, max(_int(request.POST.get("group")), 0))
        except ValueError:
            return error_page(request, 400, _("That person is no longer listed under this name; choose again."))
        return redirect("radar:feed", radar.pk)
    name = request.GET.get("name", "")
    options = [(a, author_lookup.describe_people(a, author_lookup.people_of(a))) for a in author_lookup.resolve_name(name)]
    return render(request, "radar/pick_author.html", {"radar": radar, "name": name, "options": options})


@login_required
@require_POST
def share(request: HttpRequest, pk: int) -> HttpResponse:
    radar = _own(request, pk)
    if request.POST.get("action") == "stop":
        radar.share_token = None
        messages.success(request, _("The share link no longer works."))
    else:
        radar.new_share_token()
        messages.success(request, _("Anyone with the link can now read this radar."))
    radar.save(update_fields=["share_token", "updated_at"])
    return redirect("radar:edit", radar.pk)


# ------------------------------------------------------------------ authors


def author_page(request: HttpRequest, pk: int) -> HttpResponse:
    author = get_object_or_404(Author, pk=pk)
    papers = (Paper.objects.filter(authorships__author=author).select_related("primary_category", "venue")
              .order_by("-announced", "-id"))  # fmt: skip
    page = Paginator(papers, AUTHOR_PAGE_SIZE).get_page(request.GET.get("page"))
    groups = author_lookup.people_of(author)
    context = {
        "author": author, "page": page, "offset": (page.number - 1) * AUTHOR_PAGE_SIZE,
        "people": author_lookup.describe_people(author, groups) if len(groups) > 1 else [],
        "radars": Radar.objects.filter(owner=request.user) if request.user.is_authenticated else [],
    }  # fmt: skip
    return render(request, "radar/author.html", context)


def author_search(request: HttpRequest) -> HttpResponse:
    name = request.GET.get("name", "").strip()[:200]
    found = author_lookup.resolve_name(name) if name else []
    return render(request, "radar/author_search.html", {"name": name, "found": found})


@login_required
@require_POST
def follow_author(request: HttpRequest, pk: int) -> HttpResponse:
    """From an author page: follow this name (or one person under it) in one of your radars."""
    author = get_object_or_404(Author, pk=pk)
    radar = _own(request, _int(request.POST.get("radar")))
    try:
        chip_ops.follow(radar, author, max(_int(request.POST.get("group")), 0))
    except ValueError:
        return error_page(request, 400, _("That person is no longer listed under this name; choose again."))
    messages.success(request, _("%(name)s is now followed in “%(radar)s”.") % {"name": author.name, "radar": radar.name})
    return redirect("radar:feed", radar.pk)


# ------------------------------------------------------------------ saving


@login_required
@require_POST
def save_from_feed(request: HttpRequest, pk: int, paper_id: int) -> HttpResponse:
    """Save (``saved=1``) or unsave (``saved=0``) a card's paper; the feed re-ranks at once (a save is a 👍)."""
    radar = _own(request, pk)
    paper = get_object_or_404(Paper, pk=paper_id)
    value = request.POST.get("saved", "1")
    if value not in ("1", "0"):
        return error_page(request, 400, _("Saving takes saved=1 (save) or saved=0 (remove)."))
    save_paper(request.user, paper, radar, saved=value == "1")
    return _back_to_feed(request, radar)


@login_required
def saved_list(request: HttpRequest) -> HttpResponse:
    """The reader's saved papers, newest first (exports are the delivery app's)."""
    saved = (SavedPaper.objects.filter(user=request.user)
             .select_related("paper__primary_category", "paper__venue", "radar"))  # fmt: skip
    page = Paginator(saved, SAVED_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "radar/saved.html", {"page": page, "offset": (page.number - 1) * SAVED_PAGE_SIZE})


@login_required
@require_POST
def unsave(request: HttpRequest, paper_id: int) -> HttpResponse:
    save_paper(request.user, get_object_or_404(Paper, pk=paper_id), saved=False)
    messages.success(request, _("Removed from your saved papers."))
    return redirect("radar:saved")


# ------------------------------------------------------------------ cold start


@login_required
def import_library(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload or paste a library; matched papers become seeds, and authors/keywords are suggested."""
    radar = _own(request, pk)
    if request.method != "POST":
        return render(request, "radar/import.html", {"radar": radar})
    upload = request.FILES.get("library")
    data = upload.read(MAX_CHARS + 1) if upload else request.POST.get("text", "")
    try:
        report = coldstart.import_library(radar, data, upload.name if upload else "")
    except CitationImportError as exc:
        return render(request, "radar/import.html", {"radar": radar, "error": str(exc)}, status=400)
    return render(request, "radar/import.html", {"radar": radar, "report": report})


@login_required
@require_POST
def apply_suggestions(request: HttpRequest, pk: int) -> HttpResponse:
    """Follow the ticked authors and add the ticked keywords from an import."""
    radar = _own(request, pk)
    authors = Author.objects.filter(pk__in=[_int(v) for v in request.POST.getlist("author")[:MAX_SUGGESTIONS]])
    for author in authors:
        chip_ops.follow(radar, author)
    keywords = [k for k in request.POST.getlist("keyword")[:MAX_SUGGESTIONS] if k.strip()]
    for keyword in keywords:
        chip_ops.add_chip(radar, "keyword", keyword[:200])
    messages.success(request, _("Authors followed: %(authors)d · keywords added: %(keywords)d.")
                     % {"authors": len(authors), "keywords": len(keywords)})  # fmt: skip
    return redirect("radar:feed", radar.pk)


@login_required
def onboarding(request: HttpRequest, pk: int) -> HttpResponse:
    """"Rate these 10 papers": 👍/👎/skip for each, sent as one form; the answers are ratings."""
    radar = _own(request, pk)
    if request.method == "POST":
        values = {_int(key.removeprefix("rating-")): int(value) for key, value in list(request.POST.items())[:100]
                  if key.startswith("rating-") and value in ("1", "-1")}  # fmt: skip
        count = coldstart.record_ratings(request.user, radar, values)
        messages.success(request, ngettext("%(n)d rating saved: the feed now ranks with it.",
                                           "%(n)d ratings saved: the feed now ranks with them.", count) % {"n": count})
        return redirect("radar:feed", radar.pk)
    return render(request, "radar/onboarding.html", {"radar": radar, "papers": coldstart.onboarding_papers(radar)})
