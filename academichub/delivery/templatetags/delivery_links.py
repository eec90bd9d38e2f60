"""Delivery sections other apps' pages include with one tag (their views stay unchanged).

* ``{% radar_delivery radar %}`` on the radar edit page: digest settings, the
  private feed link, exports of the saved papers.
* ``{% briefing_delivery briefing %}`` on the briefing page: citation exports
  and "post to a webhook".
* ``{% save_search_box params result %}`` on the search page.

Rendering reads only: a radar without delivery settings yet is shown with
the defaults (the row is made when the form is saved), so a GET writes nothing.
"""

from __future__ import annotations

from django import template

from academichub.delivery.digest_forms import RadarDeliveryForm
from academichub.delivery.digest_models import BriefingWebhook, RadarDelivery
from academichub.delivery.webhook_models import Webhook

register = template.Library()


def _user(context):
    user = getattr(context.get("request"), "user", None)
    return user if user is not None and user.is_authenticated else None


@register.inclusion_tag("delivery/_radar_delivery.html", takes_context=True)
def radar_delivery(context, radar) -> dict:
    options = RadarDelivery.objects.filter(radar=radar).first() or RadarDelivery(radar=radar)
    return {"radar": radar, "options": options, "form": RadarDeliveryForm(instance=options, radar=radar),
            "csrf_token": context.get("csrf_token"), "request": context.get("request")}  # fmt: skip


@register.inclusion_tag("delivery/_briefing_delivery.html", takes_context=True)
def briefing_delivery(context, briefing) -> dict:
    user = _user(context)
    mine = user is not None and user.pk == briefing.owner_id
    hooks = list(Webhook.objects.filter(owner=user)) if mine else []
    rows = BriefingWebhook.objects.filter(briefing=briefing).select_related("webhook") if mine else []
    chosen = [row.webhook.name for row in rows]
    return {"briefing": briefing, "webhooks": hooks, "chosen": chosen, "csrf_token": context.get("csrf_token")}


@register.inclusion_tag("delivery/_save_search.html", takes_context=True)
def save_search_box(context, params, result=None) -> dict:
    show = _user(context) is not None and bool(params.query.strip() or params.filters)
    sort = getattr(result, "sort", None) or params.sort
    return {"show": show, "params": params, "sort": sort, "csrf_token": context.get("csrf_token")}
