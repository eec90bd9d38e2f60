"""Settings pages: personal access tokens and webhooks. Thin: tokens/webhooks modules do the work."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from academichub.delivery import tokens, webhooks
from academichub.delivery.forms import TokenForm, WebhookForm
from academichub.delivery.token_models import PersonalAccessToken
from academichub.delivery.webhook_models import Webhook
from academichub.web.ratelimit import Limit, ratelimit

TOKEN_LIMIT = Limit(attempts=10, window=60 * 60)  # new tokens per user per hour
WEBHOOK_LIMIT = Limit(attempts=30, window=60 * 60)  # webhook saves and test sends per user per hour
DELIVERIES_SHOWN = 20


def by_user(request: HttpRequest) -> str | None:
    user = getattr(request, "user", None)
    return f"user:{user.pk}" if user is not None and user.is_authenticated else None


# -- tokens ------------------------------------------------------------------------------------


@login_required
@ratelimit("token-create", keys=(by_user,), limit=TOKEN_LIMIT)
def token_list(request: HttpRequest) -> HttpResponse:
    """List the user's tokens; POST makes one and shows it once (it is not stored)."""
    form, new_token, status = TokenForm(request.POST or None), None, 200
    if request.method == "POST" and form.is_valid():
        try:
            _row, new_token = tokens.issue(request.user, form.cleaned_data["name"])
        except tokens.TooManyTokens:
            form.add_error(None, _("You have %(n)d active tokens; revoke one first.") % {"n": tokens.MAX_ACTIVE})
        else:
            form = TokenForm()
    if form.errors:
        status = 400
    rows = PersonalAccessToken.objects.filter(user=request.user)
    return render(request, "delivery/tokens.html", {"form": form, "tokens": rows, "new_token": new_token}, status=status)


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    if tokens.revoke(request.user, token_id):
        messages.success(request, _("The token is revoked: programs using it are now refused."))
    return redirect("delivery:tokens")


# -- webhooks ----------------------------------------------------------------------------------


@login_required
@ratelimit("webhook-save", keys=(by_user,), limit=WEBHOOK_LIMIT)
def webhook_list(request: HttpRequest) -> HttpResponse:
    """The user's webhooks with their state; POST adds one."""
    form = WebhookForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        webhook = form.save(commit=False)
        webhook.owner = request.user
        webhook.save()
        messages.success(request, _("Webhook “%(name)s” added. Send a test to check it.") % {"name": webhook.name})
        return redirect("delivery:webhook", webhook.pk)
    hooks = Webhook.objects.filter(owner=request.user)
    context = {"form": form, "webhooks": hooks, "disabled": [h for h in hooks if not h.enabled]}
    return render(request, "delivery/webhooks.html", context, status=400 if form.errors else 200)


@login_required
@ratelimit("webhook-save", keys=(by_user,), limit=WEBHOOK_LIMIT)
def webhook_detail(request: HttpRequest, webhook_id: int) -> HttpResponse:
    """Edit one webhook and see its recent deliveries, each with its attempts."""
    webhook = get_object_or_404(Webhook, pk=webhook_id, owner=request.user)
    form = WebhookForm(request.POST or None, instance=webhook)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Saved."))
        return redirect("delivery:webhook", webhook.pk)
    deliveries = webhook.deliveries.prefetch_related("attempt_log")[:DELIVERIES_SHOWN]
    context = {"webhook": webhook, "form": form, "deliveries": deliveries}
    return render(request, "delivery/webhook.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
@ratelimit("webhook-save", keys=(by_user,), limit=WEBHOOK_LIMIT)
def webhook_action(request: HttpRequest, webhook_id: int, action: str) -> HttpResponse:
    """test: queue a sample message; enable: turn a disabled webhook back on; delete."""
    webhook = get_object_or_404(Webhook, pk=webhook_id, owner=request.user)
    if action == "test":
        webhooks.enqueue(webhook, webhooks.sample_message(request.build_absolute_uri("/").rstrip("/")))
        messages.success(request, _("A test message is on its way; its delivery appears below."))
    elif action == "enable":
        webhooks.enable(webhook)
        messages.success(request, _("The webhook is enabled again."))
    elif action == "delete":
        webhook.delete()
        messages.success(request, _("The webhook is deleted."))
        return redirect("delivery:webhooks")
    else:
        raise Http404(action)
    return redirect("delivery:webhook", webhook.pk)
