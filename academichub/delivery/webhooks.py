"""Sending webhook deliveries: SSRF checks, one attempt at a time, retries, self-disabling.

    from academichub.core.webhooks import Item, Message
    from academichub.delivery import webhooks

    webhooks.enqueue(hook, Message("3 new papers", url=..., items=(Item(...),)), key=f"radar:{radar.pk}:{day}")

``enqueue`` records a :class:`WebhookDelivery` (idempotent per ``key``) and
queues its first attempt on Huey once the transaction commits. Each attempt
(:func:`run`) claims the row with one conditional UPDATE (so a retried task or
the sweeper never sends it twice at once), checks the URL against SSRF again
and connects to the very address it checked (DNS rebinding), posts without
following redirects, and records a :class:`WebhookAttempt`. A failure worth
retrying is scheduled again after ``core.webhooks.backoff(n)``; the periodic
sweeper (:func:`run_due`) picks up any retry whose task was lost. After
``WEBHOOK_DISABLE_AFTER`` failed attempts in a row the webhook is disabled,
its pending deliveries cancelled, and the owner told (page notice + email).
"""

from __future__ import annotations

import logging
import secrets
import time
from datetime import datetime, timedelta
from urllib.parse import urlsplit, urlunsplit

import httpx
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from academichub.core import ssrf
from academichub.core import webhooks as core
from academichub.delivery.webhook_models import Webhook, WebhookAttempt, WebhookDelivery

log = logging.getLogger("academichub.delivery")
Status = WebhookDelivery.Status
STALE_CLAIM = timedelta(minutes=10)
RESPONSE_KEPT = 500


def max_attempts() -> int:
    return int(getattr(settings, "WEBHOOK_MAX_ATTEMPTS", 5))


def disable_after() -> int:
    return int(getattr(settings, "WEBHOOK_DISABLE_AFTER", 10))


def timeout() -> float:
    return float(getattr(settings, "WEBHOOK_TIMEOUT", 10))


def allow_list() -> tuple[ssrf.Network, ...]:
    """Networks an administrator allows despite being internal (``WEBHOOK_ALLOWED_NETWORKS``)."""
    return ssrf.networks(getattr(settings, "WEBHOOK_ALLOWED_NETWORKS", ()))


def check_url(url: str) -> ssrf.Target:
    """Raise ``ssrf.Refused`` (with a reason for the user) unless the URL may receive webhooks."""
    return ssrf.check(url, allow_list())


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


# -- queueing ----------------------------------------------------------------------------------


def enqueue(webhook: Webhook, message: core.Message, *, key: str = "") -> WebhookDelivery:
    """Record a delivery (once per `key`) and queue its first attempt after the transaction commits."""
    defaults = {"event": message.event[:40], "message": message.to_dict(), "next_attempt_at": timezone.now()}
    if not webhook.enabled:
        defaults.update(status=Status.CANCELLED, last_error="the webhook is disabled", finished_at=timezone.now())
    try:
        with transaction.atomic():
            if key:
                delivery, created = WebhookDelivery.objects.get_or_create(webhook=webhook, key=key[:200], defaults=defaults)
            else:
                delivery, created = WebhookDelivery.objects.create(webhook=webhook, **defaults), True
    except IntegrityError:  # a concurrent enqueue of the same key won
        return WebhookDelivery.objects.get(webhook=webhook, key=key[:200])
    if created and delivery.status == Status.PENDING:
        transaction.on_commit(lambda: _queue(delivery.pk))
    return delivery


def _queue(delivery_id: int, delay: float = 0) -> None:
    from academichub.delivery import tasks

    if delay:
        tasks.deliver_webhook.schedule(args=(delivery_id,), delay=delay)
    else:
        tasks.deliver_webhook(delivery_id)


# -- one attempt -------------------------------------------------------------------------------


def run(delivery_id: int, *, now: datetime | None = None, transport: httpx.BaseTransport | None = None,
        resolver: ssrf.Resolver = ssrf.system_resolver) -> WebhookDelivery | None:  # fmt: skip
    """Make the delivery's next attempt if it is due; returns the updated row (None if not claimed)."""
    now = now or timezone.now()
    delivery = _claim(delivery_id, now)
    if delivery is None:
        return None
    webhook = delivery.webhook
    if not webhook.enabled:
        return _close(delivery, Status.CANCELLED, "the webhook is disabled", now)
    number = delivery.attempts + 1
    verdict, attempt = _attempt(webhook, delivery, number, now, transport, resolver)
    attempt.save()
    delivery.attempts = number
    return _after_attempt(delivery, webhook, verdict, now)


def _claim(delivery_id: int, now: datetime) -> WebhookDelivery | None:
    due = Q(status=Status.PENDING, next_attempt_at__lte=now) | Q(status=Status.SENDING, claimed_at__lt=now - STALE_CLAIM)
    if not WebhookDelivery.objects.filter(due, pk=delivery_id).update(status=Status.SENDING, claimed_at=now):
        return None
    return WebhookDelivery.objects.select_related("webhook", "webhook__owner").get(pk=delivery_id)


def _attempt(webhook: Webhook, delivery: WebhookDelivery, number: int, now: datetime, transport, resolver):
    """Check, send, judge: (verdict, unsaved attempt row)."""
    attempt = WebhookAttempt(delivery=delivery, number=number, at=now)
    request = core.build_request(webhook.kind, core.Message.from_dict(delivery.message), url=webhook.url,
                                 timestamp=int(now.timestamp()), secret=webhook.secret, chat_id=webhook.chat_id,
                                 delivery=str(delivery.pk))  # fmt: skip
    try:
        target = ssrf.check(request.url, allow_list(), resolver)
    except ssrf.Refused as exc:
        attempt.error = f"refused: {exc}"
        return core.Verdict(False, False, attempt.error), attempt
    started = time.monotonic()
    try:
        status, body, address = _post(request, target, transport)
    except httpx.HTTPError as exc:
        attempt.error = _redact(f"{type(exc).__name__}: {exc}", webhook.url)
        attempt.duration_ms = int((time.monotonic() - started) * 1000)
        return core.Verdict(False, True, attempt.error), attempt
    attempt.duration_ms = int((time.monotonic() - started) * 1000)
    verdict = core.judge(webhook.kind, status, body)
    attempt.status_code, attempt.address, attempt.ok = status, address, verdict.ok
    attempt.response = body[:RESPONSE_KEPT].decode("utf-8", "replace")
    attempt.error = "" if verdict.ok else _redact(verdict.detail, webhook.url)
    return verdict, attempt


def _post(request: core.Request, target: ssrf.Target, transport) -> tuple[int, bytes, str]:
    """POST to the checked address itself (Host header and TLS name stay the URL's host); no redirects."""
    address = target.addresses[0]
    parts = urlsplit(request.url)
    literal = f"[{address}]" if address.version == 6 else str(address)
    pinned = urlunsplit((parts.scheme, f"{literal}:{target.port}", parts.path or "/", parts.query, ""))
    headers = {**request.headers, "Host": parts.netloc}
    with httpx.Client(timeout=timeout(), follow_redirects=False, trust_env=False, transport=transport) as client:
        with client.stream("POST", pinned, content=request.body, headers=headers,
                           extensions={"sni_hostname": target.host}) as response:  # fmt: skip
            body = b""
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) >= 4096:
                    break
    return response.status_code, body, str(address)


def _redact(text: str, url: str) -> str:
    """Errors must not echo secrets that live in webhook URLs (Slack paths, Telegram bot tokens, keys)."""
    parts = urlsplit(url)
    for secret in (parts.path, parts.query):
        if len(secret) > 1:
            text = text.replace(secret, "/…")
    return text[:2000]


def _after_attempt(delivery: WebhookDelivery, webhook: Webhook, verdict: core.Verdict, now: datetime):
    if verdict.ok:
        Webhook.objects.filter(pk=webhook.pk).update(consecutive_failures=0)
        return _close(delivery, Status.SUCCEEDED, "", now)
    Webhook.objects.filter(pk=webhook.pk).update(consecutive_failures=F("consecutive_failures") + 1)
    webhook.refresh_from_db(fields=["consecutive_failures", "enabled"])
    if webhook.enabled and webhook.consecutive_failures >= disable_after():
        disable(webhook, verdict.detail, now)
    if verdict.retryable and delivery.attempts < max_attempts() and webhook.enabled:
        wait = core.backoff(delivery.attempts)
        delivery.status, delivery.last_error = Status.PENDING, verdict.detail[:2000]
        delivery.next_attempt_at = now + timedelta(seconds=wait)
        delivery.save(update_fields=["status", "attempts", "last_error", "next_attempt_at"])
        transaction.on_commit(lambda: _queue(delivery.pk, delay=wait))
        return delivery
    return _close(delivery, Status.FAILED, verdict.detail, now)


def _close(delivery: WebhookDelivery, status: str, error: str, now: datetime) -> WebhookDelivery:
    delivery.status, delivery.last_error, delivery.finished_at = status, error[:2000], now
    delivery.next_attempt_at = None
    delivery.save(update_fields=["status", "attempts", "last_error", "finished_at", "next_attempt_at"])
    return delivery


def run_due(now: datetime | None = None, **options) -> int:
    """Attempt every delivery whose time has come (the sweeper for lost or delayed tasks)."""
    now = now or timezone.now()
    due = Q(status=Status.PENDING, next_attempt_at__lte=now) | Q(status=Status.SENDING, claimed_at__lt=now - STALE_CLAIM)
    ids = list(WebhookDelivery.objects.filter(due).order_by("next_attempt_at", "id").values_list("pk", flat=True)[:500])
    return sum(1 for pk in ids if run(pk, now=now, **options) is not None)


# -- disabling ---------------------------------------------------------------------------------


def disable(webhook: Webhook, reason: str, now: datetime | None = None) -> None:
    """Stop using a failing webhook, cancel what was waiting, and tell its owner."""
    now = now or timezone.now()
    reason = f"{webhook.consecutive_failures} failed attempts in a row; the last: {reason}"[:2000]
    if not Webhook.objects.filter(pk=webhook.pk, enabled=True).update(enabled=False, disabled_at=now, disabled_reason=reason):
        return
    webhook.enabled, webhook.disabled_at, webhook.disabled_reason = False, now, reason
    WebhookDelivery.objects.filter(webhook=webhook, status=Status.PENDING).update(
        status=Status.CANCELLED, last_error="the webhook was disabled", finished_at=now, next_attempt_at=None)
    log.warning("webhook %s of %s disabled: %s", webhook.pk, webhook.owner_id, reason)
    transaction.on_commit(lambda: notify_disabled(webhook))


def notify_disabled(webhook: Webhook) -> None:
    """Email the owner (once per disabling) through the hub's one mail sender."""
    from django.urls import reverse

    from academichub.delivery import mail

    owner = webhook.owner
    if not owner.email:
        return
    link = settings.SITE_URL + reverse("delivery:webhooks")
    email = mail.render("delivery/email/webhook_disabled", {"webhook": webhook, "user": owner, "link": link},
                        to=owner.email, subject=f"AcademicHub: webhook “{webhook.name}” was disabled")  # fmt: skip
    mail.send(email, key=f"webhook-disabled:{webhook.pk}:{int(webhook.disabled_at.timestamp())}", kind="webhook-disabled")


def enable(webhook: Webhook) -> None:
    Webhook.objects.filter(pk=webhook.pk).update(enabled=True, consecutive_failures=0, disabled_at=None, disabled_reason="")


# -- a test message ----------------------------------------------------------------------------


def sample_message(site_url: str | None = None) -> core.Message:
    """The latest day's first papers: what a "Send a test" button posts."""
    from django.urls import reverse

    from academichub.core import tldr
    from academichub.web import queries

    base = site_url or settings.SITE_URL
    day = queries.latest_day()
    papers = list(queries.papers_of_day(day)[:3]) if day else []
    items = tuple(core.Item(title=p.title_text, url=base + reverse("web:paper", args=[p.arxiv_id or str(p.pk)]),
                            authors=", ".join(p.author_list[:3]) + (" et al." if len(p.author_list) > 3 else ""),
                            summary=tldr.extract(p.abstract_text)) for p in papers)  # fmt: skip
    return core.Message(title="AcademicHub test message", url=base + reverse("daily:today"),
                        intro="If you can read this, the webhook works.", items=items, event="test")  # fmt: skip
