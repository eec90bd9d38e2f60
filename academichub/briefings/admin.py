from django.contrib import admin

from .models import Briefing


@admin.register(Briefing)
class BriefingAdmin(admin.ModelAdmin):
    list_display = ("id", "owner", "scope_kind", "scope_value", "window_start", "window_end", "language", "status",
                    "model", "cost", "created_at")  # fmt: skip
    list_filter = ("status", "scope_kind", "language")
    search_fields = ("scope_value", "owner__username")
    readonly_fields = ("document", "citations", "grounding")
