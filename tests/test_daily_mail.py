"""Subscribing without an account (double opt-in), the weekday trending email, and delivery.mail:
multipart, idempotent, retried. Django's locmem backend, and one real SMTP server (aiosmtpd)."""

from __future__ import annotations

import re
import smtplib
import socket
from datetime import date, datetime, timezone
from email import message_from_bytes, policy

import pytest
from django.core import mail as django_mail
from django.core.cache import cache
from django.core.mail.backends.base import BaseEmailBackend
from django.test import Client

from academichub.daily import scores, subscriptions, votes
from academichub.daily.models import Subscriber
from academichub.delivery import mail
from academichub.delivery.models import OutgoingEmail
from tests.daily_helpers import make_user, papers_on

pytestmark = pytest.mark.django_db
TUESDAY = datetime(2026, 6, 30, 7, 0, tzinfo=timezone.utc)
SATURDAY = datetime(2026, 7, 4, 7, 0, tzinfo=timezone.utc)


@pytest.fixture(autouse=True)
def locmem(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = "https://hub.example.org"
    cache.clear()


def confirm_link(message) -> str:
    return re.search(r"https://hub\.example\.org(/daily/subscribe/confirm/[\w-]+/)", message.body).group(1)


def subscribed(client, email: str) -> Subscriber:
    """Subscribe and confirm through the pages, as a reader would."""
    client.post("/daily/subscribe/", {"email": email})
    client.post(confirm_link(django_mail.outbox[-1]))
    return Subscriber.objects.get(email=email)


def trending_day(count: int = 3):
    papers = papers_on(date(2026, 6, 30), count=count)
    votes.toggle(make_user("ada"), papers[1].pk)
    scores.recompute(now=TUESDAY)
    return papers


# -- double opt-in -----------------------------------------------------------------------------


def test_subscribing_sends_a_confirmation_and_only_a_post_confirms(client):
    response = client.post("/daily/subscribe/", {"email": "Reader@Example.org"})
    assert response.status_code == 200 and "Check your inbox" in response.content.decode()
    (message,) = django_mail.outbox
    assert message.to == ["reader@example.org"] and "Confirm" in message.subject
    assert [mime for _body, mime in message.alternatives] == ["text/html"]  # text and HTML
    link = confirm_link(message)
    assert link in message.alternatives[0][0]
    subscriber = Subscriber.objects.get()
    assert not subscriber.active
    page = client.get(link)  # a mail scanner opening the link changes nothing
    assert page.status_code == 200 and "<form method=\"post\">" in page.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.confirmed_at is None
    assert "You are subscribed" in client.post(link).content.decode()
    subscriber.refresh_from_db()
    assert subscriber.active


def test_the_same_answer_whoever_is_subscribed_and_no_repeated_mail(client):
    subscribed(client, "a@example.org")
    sent = len(django_mail.outbox)
    again = client.post("/daily/subscribe/", {"email": "a@example.org"})
    assert "Check your inbox" in again.content.decode() and len(django_mail.outbox) == sent
    assert client.post("/daily/subscribe/", {"email": "not-an-address"}).status_code == 400
    assert client.get("/daily/subscribe/confirm/no-such-token/").status_code == 404


def test_the_confirmation_is_in_the_readers_language(client):
    client.cookies["django_language"] = "zh-hans"
    client.post("/daily/subscribe/", {"email": "li@example.org"})
    (message,) = django_mail.outbox
    assert message.subject == "请确认订阅 AcademicHub 每日热门论文" and "请确认" in message.body
    assert Subscriber.objects.get().language == "zh-hans"


def test_subscribing_is_rate_limited(client):
    for n in range(5):
        client.post("/daily/subscribe/", {"email": f"x{n}@example.org"})
    assert client.post("/daily/subscribe/", {"email": "x9@example.org"}).status_code == 429


# -- the weekday email ---------------------------------------------------------------------------


def test_the_weekday_email_goes_to_confirmed_readers_once(client):
    papers = trending_day()
    reader = subscribed(client, "reader@example.org")
    client.post("/daily/subscribe/", {"email": "pending@example.org"})  # never confirmed
    gone = subscribed(client, "gone@example.org")
    Client(enforce_csrf_checks=True).post(f"/daily/unsubscribe/{gone.token}/")  # one-click, no CSRF token
    django_mail.outbox.clear()
    run = subscriptions.send_digest(now=TUESDAY)
    assert (run.sent, run.skipped, run.failed, run.papers) == (1, 0, 0, 3)
    (message,) = django_mail.outbox
    assert message.to == [reader.email] and "2026-06-30" in message.subject
    assert message.extra_headers["List-Unsubscribe"] == f"<https://hub.example.org/daily/unsubscribe/{reader.token}/>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    html = message.alternatives[0][0]
    assert message.body.index(papers[1].title_text) < message.body.index(papers[0].title_text)  # most upvoted first
    assert papers[1].title_text in html and "TL;DR" in html
    rerun = subscriptions.send_digest(now=TUESDAY)  # a retried job
    assert (rerun.sent, rerun.skipped) == (0, 1) and len(django_mail.outbox) == 1
    assert OutgoingEmail.objects.get(key=f"daily-digest:2026-06-30:{reader.pk}").status == "sent"


def test_no_email_at_weekends(client):
    trending_day()
    subscribed(client, "reader@example.org")
    django_mail.outbox.clear()
    run = subscriptions.send_digest(now=SATURDAY)
    assert run.sent == 0 and "weekend" in run.reason and django_mail.outbox == []


def test_unsubscribe_page_asks_before_acting(client):
    reader = subscribed(client, "reader@example.org")
    assert "<form" in client.get(f"/daily/unsubscribe/{reader.token}/").content.decode()
    reader.refresh_from_db()
    assert reader.active
    assert "You are unsubscribed" in client.post(f"/daily/unsubscribe/{reader.token}/").content.decode()
    reader.refresh_from_db()
    assert not reader.active


# -- delivery.mail -----------------------------------------------------------------------------


class ScriptedBackend(BaseEmailBackend):
    """Raises the scripted exceptions in turn, then delivers into `delivered`."""

    def __init__(self, failures=(), **kwargs):
        super().__init__(**kwargs)
        self.failures = list(failures)
        self.delivered = []

    def send_messages(self, messages):
        if self.failures:
            raise self.failures.pop(0)
        self.delivered.extend(messages)
        return len(messages)


def an_email(to="a@example.org") -> mail.Email:
    return mail.Email(to=to, subject="Hello", text="plain", html="<p>html</p>")


def test_transient_failures_are_retried_with_backoff():
    backend, waits = ScriptedBackend([smtplib.SMTPServerDisconnected("gone"), ConnectionRefusedError()]), []
    record = mail.send(an_email(), key="t:1", connection=backend, sleep=waits.append)
    assert record.status == "sent" and record.attempts == 3 and waits == list(mail.BACKOFF_SECONDS)
    (message,) = backend.delivered
    assert message.extra_headers["Message-ID"] == record.message_id


def test_a_permanent_refusal_is_not_retried_and_never_resent():
    refused = smtplib.SMTPRecipientsRefused({"a@example.org": (550, b"no such user")})
    backend = ScriptedBackend([refused])
    record = mail.send(an_email(), key="t:2", connection=backend, sleep=lambda s: None)
    assert record.status == "rejected" and record.attempts == 1 and "no such user" in record.last_error
    again = mail.send(an_email(), key="t:2", connection=ScriptedBackend(), sleep=lambda s: None)
    assert again.status == "rejected" and again.attempts == 1


def test_a_failed_send_is_taken_up_by_the_next_run_and_sent_once():
    busy = [smtplib.SMTPResponseException(421, b"try later")] * 3
    first = mail.send(an_email(), key="t:3", connection=ScriptedBackend(busy), sleep=lambda s: None)
    assert first.status == "failed" and first.attempts == 3
    backend = ScriptedBackend()
    assert mail.send(an_email(), key="t:3", connection=backend, sleep=lambda s: None).status == "sent"
    assert mail.send(an_email(), key="t:3", connection=backend, sleep=lambda s: None).attempts == 4
    assert len(backend.delivered) == 1


def test_a_message_being_sent_elsewhere_is_left_alone():
    from django.utils import timezone as dj_timezone

    OutgoingEmail.objects.create(key="t:4", to="a@example.org", subject="Hello", status="sending",
                                 claimed_at=dj_timezone.now())  # fmt: skip
    backend = ScriptedBackend()
    assert mail.send(an_email(), key="t:4", connection=backend).status == "sending" and backend.delivered == []


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_real_smtp_server_gets_a_multipart_email(client, settings):
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message

    received = []

    class Collect(Message):
        def handle_message(self, message):
            received.append(message)

    controller = Controller(Collect(message_class=None), hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", controller.port, False
        papers = trending_day()
        client.post("/daily/subscribe/", {"email": "smtp@example.org"})
        assert len(received) == 1
        link = re.search(r"/daily/subscribe/confirm/[\w-]+/", received[0].get_payload(0).get_payload(decode=True)
                         .decode()).group(0)  # fmt: skip
        client.post(link)
        assert subscriptions.send_digest(now=TUESDAY).sent == 1
    finally:
        controller.stop()
    digest = message_from_bytes(received[-1].as_bytes(), policy=policy.default)
    assert digest["To"] == "smtp@example.org" and digest.get_content_type() == "multipart/alternative"
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text, html = digest.get_body(("plain",)).get_content(), digest.get_body(("html",)).get_content()
    assert papers[1].title_text in text and papers[1].title_text in html and "<html>" in html
    assert OutgoingEmail.objects.filter(status="sent").count() == 2  # confirmation and digest


def test_an_old_confirmation_link_does_not_resubscribe(client):
    reader = subscribed(client, "reader@example.org")
    client.post(f"/daily/unsubscribe/{reader.token}/")
    assert client.post(f"/daily/subscribe/confirm/{reader.token}/").status_code == 404
    reader.refresh_from_db()
    assert not reader.active
    client.post("/daily/subscribe/", {"email": "reader@example.org"})  # coming back: a new link
    reader.refresh_from_db()
    assert reader.unsubscribed_at is None and reader.confirmed_at is None
    client.post(confirm_link(django_mail.outbox[-1]))
    reader.refresh_from_db()
    assert reader.active
