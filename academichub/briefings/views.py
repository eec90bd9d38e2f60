"""Briefing pages: request one, watch it being written (htmx polling), read, share, export.

A briefing is its owner's: anyone else gets 404 (not 403, which would
confirm it exists) unless they hold its share link, which is read-only.
So is a radar: its briefings page and "brief this radar's week" answer
404 to anyone but the radar's owner.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from academichub.radar.models import Radar
from academichub.web.views import error_page

from .forms import BriefingForm
from .models import Briefing
from .services import radar_names, request_briefing, resolve_window

EXPORTS = {"md": "text/markdown; charset=utf-8", "html": "text/html; charset=utf-8"}


def own(request: HttpRequest, pk: int) -> Briefing:
    briefing = get_object_or_404(Briefing, pk=pk)
    if not briefing.visible_to(request.user):
        raise Http404("no such briefing")
    return briefing


@login_required
@require_http_methods(["GET", "POST"])
def index(request: HttpRequest) -> HttpResponse:
    form = BriefingForm(request.POST or None, initial={"language": _language_of(request)}, owner=request.user)
    if request.method == "POST" and form.is_valid():
        briefing = form.create(request.user)
        return redirect("briefings:detail", pk=briefing.pk)
    briefings = named(list(Briefing.objects.filter(owner=request.user)[:100]))
    status = 400 if form.errors else 200
    return render(request, "briefings/index.html", {"form": form, "briefings": briefings}, status=status)


def named(briefings: list[Briefing]) -> list[Briefing]:
    """Each briefing with ``label``: what it briefs as a reader knows it (a radar by its name, not its id)."""
    radars = radar_names(briefings)
    for briefing in briefings:
        value = briefing.scope_value
        briefing.label = radars.get(value, value) if briefing.scope_kind == "radar" else value
    return briefings


@login_required
@require_http_methods(["GET", "POST"])
def radar(request: HttpRequest, radar_id: int) -> HttpResponse:
    """A radar's past briefings; POST writes this week's ("Brief this radar's week")."""
    found = get_object_or_404(Radar, pk=radar_id, owner=request.user)
    if request.method == "POST":
        briefing = request_briefing(request.user, kind="radar", value=str(found.pk), window_kind="week",
                                    window=resolve_window("week"),  # the latest week with papers, as the feed shows it
                                    language=_language_of(request), repeat_weekly=request.POST.get("repeat_weekly"))  # fmt: skip
        return redirect("briefings:detail", pk=briefing.pk)
    past = Briefing.objects.filter(owner=request.user, scope_kind="radar", scope_value=str(found.pk))[:100]
    return render(request, "briefings/radar.html", {"radar": found, "briefings": past})


def _language_of(request: HttpRequest) -> str:
    return "zh-hans" if (getattr(request, "LANGUAGE_CODE", "") or "").startswith("zh") else "en"


@login_required
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    briefing = own(request, pk)
    return render(request, "briefings/detail.html", context(request, briefing, shared=False))


@login_required
@require_GET
def status(request: HttpRequest, pk: int) -> HttpResponse:
    """The part of the page htmx swaps in while the briefing is written (it stops polling when done)."""
    briefing = own(request, pk)
    return render(request, "briefings/_body.html", context(request, briefing, shared=False))


@login_required
@require_POST
def share(request: HttpRequest, pk: int) -> HttpResponse:
    briefing = own(request, pk)
    if request.POST.get("action") == "unshare":
        briefing.unshare()
    else:
        briefing.share()
    return redirect("briefings:detail", pk=briefing.pk)


@require_GET
def shared(request: HttpRequest, token: str) -> HttpResponse:
    briefing = _by_token(token)
    return render(request, "briefings/detail.html", context(request, briefing, shared=True))


@login_required
@require_GET
def export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    return _export(request, own(request, pk), fmt)


@require_GET
def shared_export(request: HttpRequest, token: str, fmt: str) -> HttpResponse:
    return _export(request, _by_token(token), fmt)


def _by_token(token: str) -> Briefing:
    briefing = Briefing.objects.filter(share_token=token).first() if token else None
    if briefing is None:
        raise Http404("no such shared briefing")
    return briefing


def _export(request: HttpRequest, briefing: Briefing, fmt: str) -> HttpResponse:
    if fmt not in EXPORTS:
        return error_page(request, 404, _("Exports are .md (Markdown) and .html."))
    if briefing.status != Briefing.Status.DONE:
        return error_page(request, 409, _("This briefing is not ready yet."))
    if fmt == "md":
        body = briefing.text
    else:
        page = context(request, briefing, shared=True, base=settings.SITE_URL)
        body = render_to_string("briefings/export.html", page, request=request)
    response = HttpResponse(body, content_type=EXPORTS[fmt])
    response["Content-Disposition"] = f'attachment; filename="briefing-{briefing.pk}.{fmt}"'
    return response


def context(request: HttpRequest, briefing: Briefing, *, shared: bool, base: str = "") -> dict:
    references = [{**c, "url": absolute(c.get("url", ""), base)} for c in briefing.citations]
    return {"briefing": briefing, "sections": presented(briefing, references), "shared": shared,
            "references": references, "grounding": briefing.grounding, "label": named([briefing])[0].label}  # fmt: skip


def absolute(url: str, base: str) -> str:
    return f"{base.rstrip('/')}{url}" if base and url.startswith("/") else url


def presented(briefing: Briefing, references: list[dict]) -> list[dict]:
    """The stored document with each [n] turned into (n, url, title) for the template."""
    document = briefing.document or {}
    by_n = {c["n"]: c for c in references}
    zh = (document.get("language") or "") == "zh"
    out = []
    for section in document.get("sections", []):
        sentences = []
        for sentence in section.get("sentences", []):
            cites = [by_n[n] for n in sentence.get("cites", []) if n in by_n]
            text = sentence["text"].rstrip()
            closed = text.endswith(("。", ".", "!", "?", "”"))
            sentences.append({"text": text if closed and not cites else text.rstrip("。."), "cites": cites,
                              "end": "" if closed and not cites else ("。" if zh else "."),
                              "flags": sentence.get("flags", [])})  # fmt: skip
        out.append({"title": section["title"], "kind": section["kind"], "sentences": sentences,
                    "engine": section.get("engine", "")})  # fmt: skip
    return out
