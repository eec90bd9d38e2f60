"""Admin views of tokens and webhooks (imported by ``delivery/admin.py``): read-mostly, for support."""

from __future__ import annotations

from django.contrib import admin

from academichub.delivery.token_models import PersonalAccessToken
from academichub.delivery.webhook_models import Webhook, WebhookAttempt, WebhookDelivery


@admin.register(PersonalAccessToken)
class PersonalAccessTokenAdmin(admin.ModelAdmin):
    """Only the digest is stored: the admin can see and revoke tokens, never read them."""

    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("name", "user__username", "prefix")
    readonly_fields = ("user", "prefix", "digest", "created_at", "last_used_at")


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin):
    list_display = ("name", "owner", "kind", "enabled", "consecutive_failures", "disabled_at")
    list_filter = ("kind", "enabled")
    search_fields = ("name", "owner__username")
    readonly_fields = ("consecutive_failures", "disabled_at", "disabled_reason", "created_at", "updated_at")


class AttemptInline(admin.TabularInline):
    model = WebhookAttempt
    extra = 0
    can_delete = False
    readonly_fields = [f.name for f in WebhookAttempt._meta.fields]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ("webhook", "event", "status", "attempts", "created_at", "next_attempt_at")
    list_filter = ("status", "event")
    readonly_fields = [f.name for f in WebhookDelivery._meta.fields]
    inlines = [AttemptInline]
