from django.contrib import admin

from academichub.sources.models import Checkpoint, SourceConfig, SourceRun


@admin.register(SourceRun)
class SourceRunAdmin(admin.ModelAdmin):
    list_display = ("source", "started", "finished", "status", "fetched", "new", "updated", "merged", "failed",
                    "warning")  # fmt: skip
    list_filter = ("status", "source")
    readonly_fields = [f.name for f in SourceRun._meta.fields]


@admin.register(Checkpoint)
class CheckpointAdmin(admin.ModelAdmin):
    list_display = ("key", "updated")
    readonly_fields = ("key", "value", "updated")


@admin.register(SourceConfig)
class SourceConfigAdmin(admin.ModelAdmin):
    """Per-source settings; they win over $ACADEMICHUB_HOME/sources.toml and the defaults (README: Sources)."""

    list_display = ("name", "enabled", "interval_minutes", "schedule", "options", "updated")
    list_editable = ("enabled",)
    list_filter = ("enabled",)
    search_fields = ("name",)
