"""``{% webhook_notices %}``: the signed-in user's disabled webhooks, as a notice (one query)."""

from __future__ import annotations

from django import template

from academichub.delivery.webhook_models import Webhook

register = template.Library()


@register.inclusion_tag("delivery/_disabled_notice.html", takes_context=True)
def webhook_notices(context) -> dict:
    user = getattr(context.get("request"), "user", None)
    if user is None or not user.is_authenticated:
        return {"disabled": []}
    return {"disabled": list(Webhook.objects.filter(owner=user, enabled=False).order_by("-disabled_at"))}
