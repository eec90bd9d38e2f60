"""Webhooks: a target per chat service or endpoint, each delivery, each attempt.

A :class:`Webhook` belongs to one user and names a service (its message format
comes from ``academichub.core.webhooks``). Something to say becomes a
:class:`WebhookDelivery`; every try to post it is a :class:`WebhookAttempt`,
so the owner can see exactly what happened. After ``WEBHOOK_DISABLE_AFTER``
failed attempts in a row the webhook disables itself and says why. The logic
lives in ``academichub.delivery.webhooks``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Webhook(models.Model):
    class Kind(models.TextChoices):
        SLACK = "slack", "Slack"
        FEISHU = "feishu", _("Feishu / Lark")
        DINGTALK = "dingtalk", _("DingTalk")
        WECOM = "wecom", _("WeCom (WeChat Work)")
        TELEGRAM = "telegram", "Telegram"
        GENERIC = "generic", _("Generic JSON (signed)")

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="webhooks",
                              verbose_name=_("owner"))  # fmt: skip
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("service"), max_length=10, choices=Kind.choices)
    url = models.URLField(_("URL"), max_length=1000)
    secret = models.CharField(_("secret"), max_length=200, blank=True,
                              help_text=_("Signing secret: generated for generic webhooks; "
                                          "for Feishu and DingTalk, the bot's own signing secret."))  # fmt: skip
    chat_id = models.CharField(_("chat id"), max_length=100, blank=True, help_text=_("Telegram only."))
    enabled = models.BooleanField(_("enabled"), default=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.kind})"


class WebhookDelivery(models.Model):
    """One message for one webhook, tried until it succeeds or gives up."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SENDING = "sending", _("sending")
        SUCCEEDED = "succeeded", _("delivered")
        FAILED = "failed", _("failed")
        CANCELLED = "cancelled", _("cancelled")

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    key = models.CharField(max_length=200, blank=True, help_text="Idempotency key of the caller (e.g. radar:7:2026-06-30).")
    event = models.CharField(max_length=40, default="notice")
    message = models.JSONField(help_text="The message (academichub.core.webhooks.Message as a dict).")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["webhook", "key"], condition=~Q(key=""), name="uniq_webhook_delivery_key"),
        ]


class WebhookAttempt(models.Model):
    """One HTTP request (or the refusal to make it), as it happened."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveIntegerField()
    at = models.DateTimeField()
    ok = models.BooleanField(default=False)
    status_code = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    response = models.TextField(blank=True, help_text="The first characters of the response body.")
    duration_ms = models.PositiveIntegerField(default=0)
    address = models.CharField(max_length=64, blank=True, help_text="The IP address connected to.")

    class Meta:
        ordering = ["delivery", "number"]
        constraints = [models.UniqueConstraint(fields=["delivery", "number"], name="uniq_webhook_attempt_number")]
