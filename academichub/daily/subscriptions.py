"""“Get trending papers in your email inbox”: double opt-in, then a weekday email of the top trending.

No account is needed. An address is stored pending and sent a confirmation
link; only a confirmed address gets the daily email. Confirming and
unsubscribing happen on POST (the link opens a page with a button), because
mail scanners open every GET link. Every message goes through
``delivery.mail`` with a key, so a retried job never mails anyone twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from academichub.core.schedule import is_announcement_day
from academichub.daily import listing
from academichub.daily.models import Subscriber, new_token
from academichub.delivery import mail

log = logging.getLogger("academichub.daily")
DIGEST_SIZE = 10


def absolute(path: str) -> str:
    return settings.SITE_URL + path


def subscribe(email: str, language: str) -> Subscriber:
    """Store the address (pending) and mail a confirmation link; for a confirmed address, nothing changes.

    The caller shows the same "check your inbox" page whatever happened, so
    the form cannot be used to find out who is subscribed.
    """
    email = email.strip().lower()
    try:
        with transaction.atomic():
            subscriber, _created = Subscriber.objects.get_or_create(email=email, defaults={"language": language})
    except IntegrityError:
        subscriber = Subscriber.objects.get(email=email)
    if subscriber.active:
        return subscriber
    if subscriber.unsubscribed_at:  # coming back: a new token, a new confirmation
        subscriber.unsubscribed_at, subscriber.confirmed_at, subscriber.token = None, None, new_token()
    subscriber.language = language
    subscriber.save()
    send_confirmation(subscriber)
    return subscriber


def send_confirmation(subscriber: Subscriber) -> mail.OutgoingEmail:
    """One confirmation per token (idempotent: resubmitting the form does not spam the address)."""
    with translation.override(subscriber.language):
        context = {"confirm_url": absolute(reverse("daily:confirm", args=[subscriber.token])),
                   "site_url": settings.SITE_URL}  # fmt: skip
        email = mail.render("daily/email/confirm", context, to=subscriber.email,
                            subject=_("Confirm your subscription to AcademicHub's trending papers"))  # fmt: skip
    record = mail.send(email, key=f"daily-confirm:{subscriber.pk}:{subscriber.token[:16]}", kind="daily-confirm")
    Subscriber.objects.filter(pk=subscriber.pk).update(confirmation_sent_at=timezone.now())
    return record


def confirm(token: str) -> Subscriber | None:
    """The confirmed subscriber; None for an unknown token or one that was unsubscribed since."""
    subscriber = Subscriber.objects.filter(token=token, unsubscribed_at__isnull=True).first()
    if subscriber and subscriber.confirmed_at is None:
        subscriber.confirmed_at = timezone.now()
        subscriber.save(update_fields=["confirmed_at"])
    return subscriber


def unsubscribe(token: str) -> Subscriber | None:
    subscriber = Subscriber.objects.filter(token=token).first()
    if subscriber and subscriber.unsubscribed_at is None:
        subscriber.unsubscribed_at = timezone.now()
        subscriber.save(update_fields=["unsubscribed_at"])
    return subscriber


@dataclass
class DigestRun:
    day: date
    sent: int = 0
    skipped: int = 0  # already sent earlier (idempotent re-run)
    failed: int = 0
    papers: int = 0
    reason: str = ""


def send_digest(now: datetime | None = None, force: bool = False) -> DigestRun:
    """The weekday email of the top trending papers to every confirmed subscriber, once per day each."""
    now = now or timezone.now()
    run = DigestRun(day=now.date())
    if not (force or is_announcement_day(run.day)):
        run.reason = "weekend: no email"
        return run
    papers = listing.decorate(listing.trending_papers(now, limit=DIGEST_SIZE))
    run.papers = len(papers)
    if not papers:
        run.reason = "no papers in the trending window"
        return run
    for subscriber in Subscriber.objects.filter(confirmed_at__isnull=False, unsubscribed_at__isnull=True):
        key = f"daily-digest:{run.day.isoformat()}:{subscriber.pk}"
        if mail.was_sent(key):
            run.skipped += 1
            continue
        record = _send_one(subscriber, papers, run.day, key)
        if record.status == record.Status.SENT:
            run.sent += 1
        else:
            run.failed += 1
    log.info("daily digest %s: %d sent, %d already sent, %d failed", run.day, run.sent, run.skipped, run.failed)
    return run


def _send_one(subscriber: Subscriber, papers: list, day: date, key: str):
    unsubscribe_url = absolute(reverse("daily:unsubscribe", args=[subscriber.token]))
    with translation.override(subscriber.language):
        context = {"papers": papers, "day": day, "site_url": settings.SITE_URL, "unsubscribe_url": unsubscribe_url}
        email = mail.render("daily/email/digest", context, to=subscriber.email,
                            subject=_("Trending papers on AcademicHub · %(day)s") % {"day": day.isoformat()},
                            headers={"List-Unsubscribe": f"<{unsubscribe_url}>",
                                     "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"})  # fmt: skip
    return mail.send(email, key=key, kind="daily-digest")
