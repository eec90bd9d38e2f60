"""What the delivery app keeps about radars, saved searches and briefings.

Kept in the delivery app (not as radar or briefing columns) so delivery can
change without touching those apps' tables:

* :class:`RadarDelivery`: how one radar is delivered (digest hour, the
  "nothing new" notice, which webhook, the private feed and unsubscribe tokens).
  Whether email is on and how often are the radar's own ``email_enabled`` and
  ``email_frequency``.
* :class:`Digest`: one row per (user, radar, period): the record that makes
  digests idempotent and carries the retry schedule of a failed send.
* :class:`SavedSearch`: a search a reader follows (page link and feed).
* :class:`BriefingWebhook`: a webhook a finished briefing is posted to.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

DEFAULT_HOUR = 7


def new_token() -> str:
    return secrets.token_urlsafe(24)


class RadarDelivery(models.Model):
    radar = models.OneToOneField("radar.Radar", on_delete=models.CASCADE, related_name="delivery_settings")
    hour = models.PositiveSmallIntegerField(_("hour"), default=DEFAULT_HOUR, validators=[MaxValueValidator(23)],
                                            help_text=_("In your own time zone (see your settings)."))  # fmt: skip
    notify_empty = models.BooleanField(_("email me when there is nothing new"), default=False)
    webhook = models.ForeignKey("delivery.Webhook", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                verbose_name=_("webhook"))  # fmt: skip
    feed_token = models.CharField(max_length=64, unique=True, null=True, blank=True)
    unsubscribe_token = models.CharField(max_length=64, unique=True, default=new_token)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("radar delivery")
        verbose_name_plural = _("radar deliveries")


class Digest(models.Model):
    """A radar's digest for one period: sent once, or recorded as empty, failed (with its retry) or refused."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SENT = "sent", _("sent")
        EMPTY = "empty", _("nothing new")
        SKIPPED = "skipped", _("no email wanted")
        FAILED = "failed", _("failed")
        REJECTED = "rejected", _("refused")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    radar = models.ForeignKey("radar.Radar", on_delete=models.CASCADE, related_name="+")
    period = models.CharField(max_length=20, help_text="day:YYYY-MM-DD or week:YYYY-Www (the reader's local calendar).")
    frequency = models.CharField(max_length=8)
    due_at = models.DateTimeField()
    start = models.DateField()
    end = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    papers = models.PositiveIntegerField(default=0)
    runs = models.PositiveIntegerField(default=0, help_text="Sending attempts (one per run of the job).")
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    email_key = models.CharField(max_length=200, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-due_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "radar", "period"], name="uniq_digest_period")]

    def __str__(self) -> str:
        return f"digest {self.radar_id} {self.period} ({self.status})"


class SavedSearch(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_searches")
    name = models.CharField(_("name"), max_length=120)
    query = models.CharField(max_length=1000, blank=True)
    filters = models.JSONField(default=dict, blank=True)
    sort = models.CharField(max_length=12, default="relevance")
    feed_token = models.CharField(max_length=64, unique=True, default=new_token)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("saved search")
        verbose_name_plural = _("saved searches")

    def __str__(self) -> str:
        return self.name


class BriefingWebhook(models.Model):
    briefing = models.ForeignKey("briefings.Briefing", on_delete=models.CASCADE, related_name="+")
    webhook = models.ForeignKey("delivery.Webhook", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["briefing", "webhook"], name="uniq_briefing_webhook")]
