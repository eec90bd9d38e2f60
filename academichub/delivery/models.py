"""Every email the hub sends, one row per idempotency key."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class OutgoingEmail(models.Model):
    """One message identified by ``key`` (e.g. "daily-digest:2026-06-30:17"): sent at most once.

    ``status`` moves pending → sending → sent, or → failed (temporary trouble:
    a later run claims it again) or → rejected (the server refused it for good,
    e.g. an unknown mailbox: never retried). A "sending" row whose sender died
    is claimed again after a while. See ``academichub.delivery.mail``.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")
        REJECTED = "rejected", _("rejected")

    key = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=50, blank=True, db_index=True)
    to = models.EmailField()
    subject = models.CharField(max_length=300)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    message_id = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("outgoing email")
        verbose_name_plural = _("outgoing emails")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.key} → {self.to} ({self.status})"


# Personal access tokens and webhooks live in their own modules (the delivery
# issue); imported here so Django registers them with this app.
from academichub.delivery.token_models import PersonalAccessToken  # noqa: E402,F401
from academichub.delivery.webhook_models import Webhook, WebhookAttempt, WebhookDelivery  # noqa: E402,F401
from academichub.delivery.digest_models import BriefingWebhook, Digest, RadarDelivery, SavedSearch  # noqa: E402,F401
