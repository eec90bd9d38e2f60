"""A stored briefing: what was asked (scope, window, language), what was written, and how grounded it is.

The document is kept as JSON (sections, sentences, citations) so pages
render [n] as links without parsing text, and as Markdown for export.
A briefing is its owner's alone until shared: ``share_token`` makes a
read-only link, and clearing it revokes the link.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Briefing(models.Model):
    class Scope(models.TextChoices):
        CATEGORY = "category", _("Category")
        QUERY = "query", _("Search query")
        PAPERS = "papers", _("Paper set")
        RADAR = "radar", _("Radar")

    class Window(models.TextChoices):
        DAY = "day", _("Day")
        WEEK = "week", _("Week")
        MONTH = "month", _("Month")
        CUSTOM = "custom", _("Custom range")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Writing")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="briefings")
    scope_kind = models.CharField(max_length=12, choices=Scope.choices)
    scope_value = models.CharField(max_length=500, help_text="Category code, query text or radar id.")
    paper_ids = models.JSONField(default=list, blank=True, help_text="Explicit paper set (catalogue ids).")
    window_kind = models.CharField(max_length=8, choices=Window.choices, default=Window.WEEK)
    window_start = models.DateField(null=True, blank=True)
    window_end = models.DateField(null=True, blank=True)
    language = models.CharField(max_length=8, default="en")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    progress = models.CharField(max_length=200, blank=True)
    partial_text = models.TextField(blank=True, help_text="What the model has streamed so far.")
    document = models.JSONField(default=dict, blank=True)
    text = models.TextField(blank=True, help_text="Markdown.")
    citations = models.JSONField(default=list, blank=True, help_text="[{n, paper_id, arxiv_id, title}]")
    grounding = models.JSONField(default=dict, blank=True)
    engine = models.CharField(max_length=200, blank=True)
    model = models.CharField(max_length=200, blank=True)
    prompt_tokens = models.PositiveIntegerField(default=0)
    completion_tokens = models.PositiveIntegerField(default=0)
    cost = models.FloatField(default=0.0)
    papers_in = models.PositiveIntegerField(default=0)
    themes = models.PositiveIntegerField(default=0)
    bridges = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    share_token = models.CharField(max_length=64, unique=True, null=True, blank=True)
    repeat_weekly = models.BooleanField(default=False, help_text="Write this scope's briefing again every week.")
    seconds = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True, help_text="Last progress write of the job writing it.")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["owner", "created_at"], name="briefing_owner_created")]

    def __str__(self) -> str:
        return f"{self.get_scope_kind_display()} {self.scope_value} {self.window_start}…{self.window_end}"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    def share(self) -> str:
        if not self.share_token:
            self.share_token = secrets.token_urlsafe(24)
            self.save(update_fields=["share_token"])
        return self.share_token

    def unshare(self) -> None:
        self.share_token = None
        self.save(update_fields=["share_token"])

    def visible_to(self, user) -> bool:
        return bool(user and user.is_authenticated and user.pk == self.owner_id)
