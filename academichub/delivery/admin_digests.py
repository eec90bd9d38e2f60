"""Admin views of digests and saved searches (imported by ``delivery/admin.py``): what was sent, what failed."""

from __future__ import annotations

from django.contrib import admin

from academichub.delivery.digest_models import Digest, RadarDelivery, SavedSearch


@admin.register(Digest)
class DigestAdmin(admin.ModelAdmin):
    """Each radar's digest per period: sent, empty, or failed with its next attempt (read-only: the record of truth)."""

    list_display = ("radar", "user", "period", "status", "papers", "runs", "next_attempt_at", "finished_at")
    list_filter = ("status", "frequency")
    search_fields = ("user__username", "radar__name", "period", "email_key")
    readonly_fields = [f.name for f in Digest._meta.fields]


@admin.register(RadarDelivery)
class RadarDeliveryAdmin(admin.ModelAdmin):
    list_display = ("radar", "hour", "notify_empty", "webhook", "updated_at")
    readonly_fields = ("feed_token", "unsubscribe_token", "updated_at")


@admin.register(SavedSearch)
class SavedSearchAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "query", "sort", "created_at")
    search_fields = ("name", "query", "user__username")
    readonly_fields = ("feed_token", "created_at")
