"""Radar digests: each radar's best new papers by email (and to its webhook), once per period.

The hourly job (``tasks.send_radar_digests``) calls :func:`send_due`:

1. every radar with email on or a webhook chosen gets its latest scheduled
   period (``core.digest_schedule``: daily or weekly at the owner's local hour);
2. :func:`deliver` records a :class:`Digest` row per (user, radar, period)
   (a unique constraint: two workers cannot both create it), ranks the
   period's papers with ``radar.feed.feed_for`` (the one ranking entry point),
   posts them to the radar's webhook (``webhooks.enqueue``, idempotent per
   key) and sends the email through ``delivery.mail`` under a key of its own;
3. a failed send is recorded on the row and tried again after a growing wait
   (:data:`RETRY_AFTER`: a scheduled Huey task, and the hourly sweep for any
   task that was lost), a refusal for good is recorded and never retried.

Why nothing is sent twice: ``mail.send`` claims its key with one conditional
UPDATE before talking to SMTP and skips a key already sent, and the row is
updated only afterwards. A crash after the SMTP server accepted the message
but before the row says so leaves the key "sent" or "sending": the rerun sees
it and sends nothing (a "sending" key is taken up again only after
``mail.STALE_CLAIM``, see ``delivery.mail``). A period with no new papers
sends nothing unless the reader asked for the "nothing new" notice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from academichub.core import digest_schedule as schedule
from academichub.delivery import mail
from academichub.delivery.digest_models import Digest, RadarDelivery, new_token

log = logging.getLogger("academichub.delivery")
Status = Digest.Status
DIGEST_SIZE = 10
RETRY_AFTER = (timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2), timedelta(hours=6))
MAX_RUNS = len(RETRY_AFTER) + 1  # sending runs before a digest is given up (still recorded as failed)
STUCK = timedelta(hours=1)  # a pending digest this old was left by a run that died: take it up again
FINAL = (Status.SENT, Status.EMPTY, Status.SKIPPED, Status.REJECTED)


@dataclass
class Run:
    """What one pass of the job did (logged, returned by the task, asserted by tests)."""

    sent: int = 0
    empty: int = 0
    failed: int = 0
    skipped: int = 0  # done in an earlier run, waiting for a retry, or no email wanted
    digests: list[Digest] = field(default_factory=list)

    def count(self, digest: Digest) -> None:
        self.digests.append(digest)
        if getattr(digest, "handled_before", False):
            self.skipped += 1
        elif digest.status == Status.SENT:
            self.sent += 1
        elif digest.status == Status.EMPTY:
            self.empty += 1
        elif digest.status in (Status.FAILED, Status.REJECTED):
            self.failed += 1
        else:
            self.skipped += 1


# -- settings ------------------------------------------------------------------------------------


def settings_for(radar) -> RadarDelivery:
    """The radar's delivery settings, made with defaults on first use (safe against a concurrent maker)."""
    try:
        with transaction.atomic():
            row, _created = RadarDelivery.objects.get_or_create(radar=radar)
    except IntegrityError:
        row = RadarDelivery.objects.get(radar=radar)
    return row


def frequency_of(radar) -> str:
    return radar.email_frequency if radar.email_frequency in schedule.FREQUENCIES else "day"


# -- the job -------------------------------------------------------------------------------------


def send_due(now: datetime | None = None, *, connection=None) -> Run:
    """Deliver every radar's due period, then retry failed digests whose wait is over."""
    now = now or timezone.now()
    run = Run()
    for radar, period in due(now):
        run.count(deliver(radar, period, now=now, connection=connection))
    waiting = Q(status=Status.FAILED, next_attempt_at__lte=now) | Q(status=Status.PENDING, due_at__lt=now - STUCK)
    handled = [digest.pk for digest in run.digests]
    for digest in (Digest.objects.filter(waiting).exclude(pk__in=handled).select_related("radar__owner")
                   .order_by("due_at", "id")[:1000]):  # fmt: skip
        run.count(deliver(digest.radar, period_of(digest), now=now, connection=connection))
    log.info("radar digests: %d sent, %d empty, %d failed, %d skipped", run.sent, run.empty, run.failed, run.skipped)
    return run


def due(now: datetime):
    """(radar, period) for each radar that delivers somewhere, its latest period not before the radar existed."""
    from academichub.accounts.models import Profile
    from academichub.accounts.preferences import default_time_zone
    from academichub.radar.models import Radar

    radars = list(Radar.objects.filter(Q(email_enabled=True) | Q(delivery_settings__webhook__isnull=False),
                                       owner__is_active=True).select_related("owner", "delivery_settings"))  # fmt: skip
    zones = dict(Profile.objects.filter(user__in={r.owner_id for r in radars}).values_list("user_id", "time_zone"))
    for radar in radars:
        options = getattr(radar, "delivery_settings", None)
        hour = options.hour if options else RadarDelivery._meta.get_field("hour").default
        period = schedule.latest_period(frequency_of(radar), now, zones.get(radar.owner_id) or default_time_zone(), hour)
        if period.due_at >= radar.created_at:
            yield radar, period


def period_of(digest: Digest) -> schedule.Period:
    return schedule.Period(digest.frequency, digest.period, digest.due_at, digest.start, digest.end)


def deliver(radar, period: schedule.Period, *, now: datetime | None = None, connection=None) -> Digest:
    """Deliver one radar's period unless that was done already; returns its record."""
    now = now or timezone.now()
    digest = _record(radar, period)
    if digest.status in FINAL or (digest.status == Status.FAILED and not _retry_due(digest, now)):
        digest.handled_before = True  # done, or waiting for its retry: nothing happens in this run
        return digest
    options = settings_for(radar)
    owner = radar.owner
    with translation.override(_language(owner)):
        page = _ranked(radar, period)
        digest.papers = len(page.items)
        if options.webhook_id and page.items:
            from academichub.delivery import announce

            announce.radar_period(radar, options.webhook, period, page)
        if not (radar.email_enabled and owner.email):
            return _finish(digest, Status.SKIPPED, now)
        if not page.items and not options.notify_empty:
            return _finish(digest, Status.EMPTY, now)
        email = render(radar, options, period, page)
    record = mail.send(email, key=digest.email_key, kind="radar-digest", connection=connection, attempts=1)
    return _after_send(digest, record, now)


def _record(radar, period: schedule.Period) -> Digest:
    values = {"frequency": period.frequency, "due_at": period.due_at, "start": period.start, "end": period.end,
              "email_key": f"radar-digest:{radar.owner_id}:{radar.pk}:{period.label}"}  # fmt: skip
    try:
        with transaction.atomic():
            digest, _created = Digest.objects.get_or_create(user_id=radar.owner_id, radar=radar, period=period.label,
                                                            defaults=values)  # fmt: skip
    except IntegrityError:
        digest = Digest.objects.get(user_id=radar.owner_id, radar=radar, period=period.label)
    return digest


def _retry_due(digest: Digest, now: datetime) -> bool:
    return digest.next_attempt_at is not None and digest.next_attempt_at <= now


def _language(user) -> str:
    from academichub.accounts.models import Profile

    return Profile.objects.filter(user=user).values_list("language", flat=True).first() or settings.LANGUAGE_CODE


def _ranked(radar, period: schedule.Period):
    """The period's best papers the reader has not seen or disliked (the radar page's ranking)."""
    from academichub.radar.feed import feed_for

    return feed_for(radar, window=period.frequency, end=period.end, size=DIGEST_SIZE)


def _finish(digest: Digest, status: str, now: datetime, error: str = "") -> Digest:
    digest.status, digest.finished_at, digest.next_attempt_at = status, now, None
    digest.last_error = error[:2000]
    digest.save(update_fields=["status", "papers", "runs", "finished_at", "next_attempt_at", "last_error"])
    return digest


def _after_send(digest: Digest, record: mail.OutgoingEmail, now: datetime) -> Digest:
    """Copy the email's outcome onto the digest; a failure gets its next attempt scheduled."""
    if record.status == record.Status.SENT:
        return _finish(digest, Status.SENT, now)
    if record.status == record.Status.REJECTED:
        return _finish(digest, Status.REJECTED, now, record.last_error)
    if record.status != record.Status.FAILED:  # "sending": claimed by another worker, or by a run that died
        return digest
    digest.runs += 1
    digest.status, digest.last_error = Status.FAILED, record.last_error[:2000]
    wait = RETRY_AFTER[digest.runs - 1] if digest.runs < MAX_RUNS else None
    digest.next_attempt_at = now + wait if wait else None
    digest.save(update_fields=["status", "papers", "runs", "last_error", "next_attempt_at"])
    if wait:
        transaction.on_commit(lambda: _schedule_retry(digest.pk, wait))
    else:
        log.warning("radar digest %s to %s given up after %d runs: %s", digest.email_key, record.to, digest.runs,
                    digest.last_error)  # fmt: skip
    return digest


def _schedule_retry(digest_id: int, wait: timedelta) -> None:
    from academichub.delivery import tasks

    tasks.retry_radar_digest.schedule(args=(digest_id,), delay=wait.total_seconds())


def retry(digest_id: int, now: datetime | None = None, *, connection=None) -> Digest | None:
    """The scheduled retry of one failed digest (does nothing if it was sent or retried meanwhile)."""
    digest = Digest.objects.filter(pk=digest_id).select_related("radar__owner").first()
    if digest is None:
        return None
    return deliver(digest.radar, period_of(digest), now=now, connection=connection)


# -- unsubscribing ------------------------------------------------------------------------------


def unsubscribe(token: str):
    """Turn the radar's email off (RFC 8058 one-click and the page's button); None for an unknown token."""
    from academichub.radar.models import Radar

    options = RadarDelivery.objects.filter(unsubscribe_token=token).select_related("radar").first() if token else None
    if options is None:
        return None
    Radar.objects.filter(pk=options.radar_id).update(email_enabled=False)
    options.radar.email_enabled = False
    return options.radar


def renew_feed_token(radar, stop: bool = False) -> RadarDelivery:
    """A new private feed link (the old one stops working), or none at all."""
    options = settings_for(radar)
    options.feed_token = None if stop else new_token()
    options.save(update_fields=["feed_token", "updated_at"])
    return options


# -- the email -----------------------------------------------------------------------------------


def absolute(path: str) -> str:
    return settings.SITE_URL + path


def render(radar, options: RadarDelivery, period: schedule.Period, page) -> mail.Email:
    """The digest as text and HTML (inline styles, no scripts), with RFC 8058 unsubscribe headers."""
    from academichub.daily import listing

    papers = listing.decorate(listing.cards([item.paper.pk for item in page.items]))  # one query, in rank order
    unsubscribe_url = absolute(reverse("delivery:digest_unsubscribe", args=[options.unsubscribe_token]))
    context = {
        "radar": radar, "period": period, "items": list(zip(papers, page.items)), "site_url": settings.SITE_URL,
        "radar_url": absolute(reverse("radar:feed", args=[radar.pk])),
        "settings_url": absolute(reverse("radar:edit", args=[radar.pk])), "unsubscribe_url": unsubscribe_url,
        "briefing": latest_briefing(radar, period), "window": window_text(period),
    }  # fmt: skip
    if page.items:
        subject = _("“%(radar)s”: %(n)d new papers · %(window)s") % {"radar": radar.name, "n": len(papers),
                                                                       "window": context["window"]}  # fmt: skip
    else:
        subject = _("“%(radar)s”: nothing new · %(window)s") % {"radar": radar.name, "window": context["window"]}
    headers = {"List-Unsubscribe": f"<{unsubscribe_url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
               "List-Id": f"<radar-{radar.pk}.{_list_domain()}>"}  # fmt: skip
    return mail.render("delivery/email/radar_digest", context, to=radar.owner.email, subject=subject, headers=headers)


def window_text(period: schedule.Period) -> str:
    if period.start == period.end:
        return period.end.isoformat()
    return f"{period.start.isoformat()} – {period.end.isoformat()}"


def _list_domain() -> str:
    from urllib.parse import urlsplit

    return urlsplit(settings.SITE_URL).hostname or "localhost"


def latest_briefing(radar, period: schedule.Period):
    """The owner's newest finished briefing of this radar, else of anything, written since the period began."""
    from academichub.briefings.models import Briefing
    from academichub.delivery.announce import briefing_summary

    done = Briefing.objects.filter(owner_id=radar.owner_id, status=Briefing.Status.DONE)
    of_radar = done.filter(scope_kind=Briefing.Scope.RADAR, scope_value=str(radar.pk)).order_by("-finished_at").first()
    since = period.due_at - timedelta(days=period.days)
    briefing = of_radar or done.filter(finished_at__gte=since).order_by("-finished_at").first()
    if briefing is None:
        return None
    summary = briefing_summary(briefing)
    if not summary:
        return None
    return {"briefing": briefing, "summary": summary, "url": absolute(reverse("briefings:detail", args=[briefing.pk]))}
