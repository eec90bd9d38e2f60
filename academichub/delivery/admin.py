from django.contrib import admin

from academichub.delivery.models import OutgoingEmail


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(admin.ModelAdmin):
    """What was sent to whom, and what failed (read-only: the record of truth for idempotent sends)."""

    list_display = ("key", "to", "subject", "status", "attempts", "sent_at")
    list_filter = ("status", "kind")
    search_fields = ("key", "to", "subject")
    readonly_fields = [f.name for f in OutgoingEmail._meta.fields]


from academichub.delivery import admin_delivery  # noqa: E402,F401 — tokens and webhooks (delivery issue)
from academichub.delivery import admin_digests  # noqa: E402,F401 — digests and saved searches
