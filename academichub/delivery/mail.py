"""Send an email once: multipart (text + HTML), recorded, retried, idempotent.

The one way the hub sends mail (daily trending emails now; digests and
alerts of the delivery issue reuse it)::

    from academichub.delivery import mail

    email = mail.render("daily/email/digest", context, to="a@example.org", subject="…")
    record = mail.send(email, key=f"daily-digest:{day}:{subscriber.pk}", kind="daily-digest")
    record.status  # "sent", "failed" (retried by a later run) or "rejected" (never retried)

Why a key: jobs are retried (Huey retries, a worker restarts mid-run), and a
reader must not get the same email twice. ``send`` records the key in
``OutgoingEmail`` and claims the row with one conditional UPDATE before
talking to the SMTP server, so two workers cannot both send it, and a key
already sent is skipped. If the sender dies between claiming and recording,
the row stays "sending" and is claimed again after ``STALE_CLAIM``; that is
the one case where a message may go out twice (at-least-once beats lost).

Why retries here: SMTP servers greylist and drop connections (4xx,
disconnects); those are retried with backoff within the call. A 5xx refusal
(unknown recipient) is permanent and marked "rejected".
"""

from __future__ import annotations

import logging
import smtplib
import time
from dataclasses import dataclass, field
from datetime import timedelta
from email.utils import make_msgid
from typing import Callable

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from academichub.delivery.models import OutgoingEmail

log = logging.getLogger("academichub.delivery")

ATTEMPTS = 3
BACKOFF_SECONDS = (2.0, 10.0)  # waits between the attempts of one call
STALE_CLAIM = timedelta(minutes=30)
Status = OutgoingEmail.Status


@dataclass
class Email:
    to: str
    subject: str
    text: str
    html: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    from_email: str = ""


def render(template: str, context: dict, *, to: str, subject: str, headers: dict | None = None) -> Email:
    """Render ``<template>.txt`` and ``<template>.html`` (the HTML part is optional: "" if absent)."""
    from django.template import TemplateDoesNotExist

    text = render_to_string(f"{template}.txt", context)
    try:
        html = render_to_string(f"{template}.html", context)
    except TemplateDoesNotExist:
        html = ""
    return Email(to=to, subject=" ".join(subject.split()), text=text, html=html, headers=dict(headers or {}))


def send(email: Email, key: str, *, kind: str = "", connection=None, attempts: int = ATTEMPTS,
         sleep: Callable[[float], None] = time.sleep) -> OutgoingEmail:  # fmt: skip
    """Send `email` unless `key` was sent already (or is being sent); returns its record."""
    record, mine = _claim(email, key, kind)
    if not mine:
        return record
    message = _message(email, record, connection)
    for attempt in range(1, attempts + 1):
        try:
            message.send(fail_silently=False)
        except Exception as exc:  # noqa: BLE001 — classified below, recorded on the row
            permanent = is_permanent(exc)
            last = permanent or attempt == attempts
            _record_failure(record, exc, permanent=permanent, final=last)
            if last:
                return record
            sleep(BACKOFF_SECONDS[min(attempt - 1, len(BACKOFF_SECONDS) - 1)])
        else:
            return _record_sent(record)
    return record


def _claim(email: Email, key: str, kind: str) -> tuple[OutgoingEmail, bool]:
    """The row for `key`, and whether this call may send it (one conditional UPDATE decides)."""
    record, _created = OutgoingEmail.objects.get_or_create(
        key=key, defaults={"to": email.to, "subject": email.subject[:300], "kind": kind}
    )
    now = timezone.now()
    stale = Q(status=Status.SENDING, claimed_at__lt=now - STALE_CLAIM)
    claimable = Q(status__in=[Status.PENDING, Status.FAILED]) | stale
    won = OutgoingEmail.objects.filter(claimable, pk=record.pk).update(status=Status.SENDING, claimed_at=now)
    record.refresh_from_db()
    return record, bool(won)


def _message(email: Email, record: OutgoingEmail, connection) -> EmailMultiAlternatives:
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip("> ") or "localhost"
    if not record.message_id:  # the same Message-ID on every attempt: receivers can drop duplicates
        record.message_id = make_msgid(domain=domain)
        record.save(update_fields=["message_id"])
    headers = {"Message-ID": record.message_id, **email.headers}
    message = EmailMultiAlternatives(
        subject=email.subject, body=email.text, from_email=email.from_email or settings.DEFAULT_FROM_EMAIL,
        to=[email.to], headers=headers, connection=connection or get_connection(),
    )  # fmt: skip
    if email.html:
        message.attach_alternative(email.html, "text/html")
    return message


def is_permanent(exc: Exception) -> bool:
    """5xx answers about the recipient or the message: retrying cannot help."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _msg in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code >= 500
    return False


def _record_failure(record: OutgoingEmail, exc: Exception, *, permanent: bool, final: bool) -> None:
    record.attempts += 1
    record.last_error = f"{type(exc).__name__}: {exc}"[:2000]
    fields = ["attempts", "last_error"]
    if final:
        record.status = Status.REJECTED if permanent else Status.FAILED
        fields.append("status")
        log.warning("email %s to %s %s after %d attempts: %s", record.key, record.to, record.status,
                    record.attempts, record.last_error)  # fmt: skip
    record.save(update_fields=fields)


def _record_sent(record: OutgoingEmail) -> OutgoingEmail:
    record.attempts += 1
    record.status = Status.SENT
    record.sent_at = timezone.now()
    record.last_error = ""
    record.save(update_fields=["attempts", "status", "sent_at", "last_error"])
    return record


def was_sent(key: str) -> bool:
    return OutgoingEmail.objects.filter(key=key, status=Status.SENT).exists()
