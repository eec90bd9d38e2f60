"""Delivery pages for radars, briefings and searches: settings, unsubscribing, exports, saved searches.

The radar edit page and the briefing page show these through template tags
(``delivery_links``); the forms post here. Radars and briefings are looked
up by owner, so someone else's gets a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from academichub.core import exports
from academichub.delivery import announce, citations, digests
from academichub.delivery.api import export_response
from academichub.delivery.digest_forms import RadarDeliveryForm, SaveSearchForm
from academichub.delivery.digest_models import BriefingWebhook, RadarDelivery, SavedSearch
from academichub.delivery.feeds import papers_in_order
from academichub.delivery.personal_feeds import search_url
from academichub.delivery.webhook_models import Webhook
from academichub.web.views import error_page

MAX_SAVED_SEARCHES = 100
BY_EXTENSION = {extension: name for name, (_writer, _media, extension) in exports.FORMATS.items()}


def _radar(request: HttpRequest, pk: int):
    from academichub.radar.models import Radar

    return get_object_or_404(Radar, pk=pk, owner=request.user)


def _briefing(request: HttpRequest, pk: int):
    from academichub.briefings.models import Briefing

    return get_object_or_404(Briefing, pk=pk, owner=request.user)


# -- radars --------------------------------------------------------------------------------------


@login_required
@require_POST
def radar_settings(request: HttpRequest, pk: int) -> HttpResponse:
    radar = _radar(request, pk)
    form = RadarDeliveryForm(request.POST, instance=digests.settings_for(radar), radar=radar)
    if form.is_valid():
        form.save()
        messages.success(request, _("Delivery settings saved."))
    else:
        problems = "; ".join(f"{form.fields[name].label}: {' '.join(errors)}" if name in form.fields else " ".join(errors)
                             for name, errors in form.errors.items())  # fmt: skip
        messages.error(request, _("Delivery settings not saved: %(problems)s") % {"problems": problems})
    return redirect("radar:edit", radar.pk)


@login_required
@require_POST
def radar_feed_token(request: HttpRequest, pk: int) -> HttpResponse:
    """A new private feed link (the old one stops working), or ``action=stop`` for none."""
    radar = _radar(request, pk)
    stop = request.POST.get("action") == "stop"
    digests.renew_feed_token(radar, stop=stop)
    messages.success(request, _("The private feed link is turned off.") if stop else
                     _("A new private feed link is ready; any older link no longer works."))  # fmt: skip
    return redirect("radar:edit", radar.pk)


def saved_papers(radar) -> list:
    """The papers its owner saved (☆ Save) from this radar, newest first."""
    from academichub.radar.models import SavedPaper

    saved = SavedPaper.objects.filter(user_id=radar.owner_id, radar=radar).order_by("-saved_at", "-id")
    return papers_in_order(list(saved.values_list("paper_id", flat=True)))


@login_required
@require_GET
def radar_export(request: HttpRequest, pk: int, extension: str) -> HttpResponse:
    radar = _radar(request, pk)
    fmt = BY_EXTENSION.get(extension)
    if fmt is None:
        return error_page(request, 404, _("Exports are .bib (BibTeX), .ris (RIS) and .json (CSL-JSON)."))
    papers = saved_papers(radar)
    if not papers:
        return error_page(request, 404, _("Nothing is saved from this radar yet: press ☆ Save on a paper in its feed."))
    return export_response([citations.citation_of(p) for p in papers], fmt)


@csrf_exempt  # RFC 8058: the mail client POSTs "List-Unsubscribe=One-Click" without a session; the token is the secret
def digest_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks (mail scanners open links); POST turns the radar's email off and says so."""
    if request.method == "POST":
        radar = digests.unsubscribe(token)
        if radar is None:
            raise Http404(token)
        return render(request, "delivery/digest_unsubscribe.html", {"radar": radar, "done": True, "token": token})
    options = RadarDelivery.objects.filter(unsubscribe_token=token).select_related("radar").first()
    if options is None:
        raise Http404(token)
    return render(request, "delivery/digest_unsubscribe.html", {"radar": options.radar, "done": False, "token": token})


# -- briefings -----------------------------------------------------------------------------------


@login_required
@require_POST
def briefing_webhook(request: HttpRequest, pk: int) -> HttpResponse:
    """Post this briefing to one of the owner's webhooks: now if it is ready, else when it is."""
    briefing = _briefing(request, pk)
    webhook = Webhook.objects.filter(owner=request.user, pk=_int(request.POST.get("webhook"))).first()
    if webhook is None:
        return error_page(request, 400, _("Choose one of your webhooks (add them in Settings → Webhooks)."))
    BriefingWebhook.objects.get_or_create(briefing=briefing, webhook=webhook)
    if briefing.status == briefing.Status.DONE:
        announce.post_briefing(briefing, webhook)
        messages.success(request, _("The briefing is on its way to “%(name)s”.") % {"name": webhook.name})
    else:
        messages.success(request, _("The briefing will be posted to “%(name)s” when it is ready.") % {"name": webhook.name})
    return redirect("briefings:detail", briefing.pk)


def _int(value) -> int:
    return int(value) if isinstance(value, str) and value.isdigit() and len(value) < 18 else -1


def briefing_papers(briefing) -> list:
    """The papers a briefing cites, in the order of its reference numbers."""
    ordered = sorted(briefing.citations, key=lambda c: c.get("n") or 0)
    return papers_in_order([c["paper_id"] for c in ordered if isinstance(c.get("paper_id"), int)])


def _citations_response(request: HttpRequest, briefing, extension: str) -> HttpResponse:
    fmt = BY_EXTENSION.get(extension)
    if fmt is None:
        return error_page(request, 404, _("Exports are .bib (BibTeX), .ris (RIS) and .json (CSL-JSON)."))
    papers = briefing_papers(briefing)
    if not papers:
        return error_page(request, 409, _("This briefing cites no papers yet."))
    return export_response([citations.citation_of(p) for p in papers], fmt)


@login_required
@require_GET
def briefing_citations(request: HttpRequest, pk: int, extension: str) -> HttpResponse:
    return _citations_response(request, _briefing(request, pk), extension)


@require_GET
def shared_briefing_citations(request: HttpRequest, token: str, extension: str) -> HttpResponse:
    from academichub.briefings.models import Briefing

    return _citations_response(request, get_object_or_404(Briefing, share_token=token), extension)


# -- saved searches ------------------------------------------------------------------------------


@login_required
@require_POST
def save_search(request: HttpRequest) -> HttpResponse:
    """Save the search the page shows (its query, filters and sort) and offer its feed."""
    from academichub.search import engine
    from academichub.search.params import request_params

    params = request_params(request.POST)
    form = SaveSearchForm(request.POST)
    if not form.is_valid() or not (params.query.strip() or params.filters):
        return error_page(request, 400, _("Nothing to save: search for something first."))
    if SavedSearch.objects.filter(user=request.user).count() >= MAX_SAVED_SEARCHES:
        return error_page(request, 400, _("You have %(n)d saved searches; delete one first.") % {"n": MAX_SAVED_SEARCHES})
    name = " ".join((form.cleaned_data["name"] or params.query or " ".join(params.filters.values())).split())[:120]
    SavedSearch.objects.create(user=request.user, name=name, query=params.query[:1000], filters=params.filters,
                               sort=params.sort if params.sort in engine.SORTS else "relevance")  # fmt: skip
    messages.success(request, _("Search “%(name)s” saved; its feed is below.") % {"name": name})
    return redirect("delivery:searches")


@login_required
@require_GET
def saved_searches(request: HttpRequest) -> HttpResponse:
    rows = [(saved, search_url(saved)) for saved in SavedSearch.objects.filter(user=request.user)]
    return render(request, "delivery/searches.html", {"searches": rows})


@login_required
@require_POST
def delete_search(request: HttpRequest, search_id: int) -> HttpResponse:
    get_object_or_404(SavedSearch, pk=search_id, user=request.user).delete()
    messages.success(request, _("The saved search is deleted; its feed no longer works."))
    return redirect("delivery:searches")
