"""Radar email digests against a REAL SMTP server (aiosmtpd on loopback): several users and radars,
one message per (user, radar, period), both parts, RFC 8058 unsubscribe, empty periods, a refused
first attempt retried with backoff, and no duplicate after a crash and a rerun."""

from __future__ import annotations

import re
import socket
import threading
from datetime import date, datetime, timedelta, timezone
from email import message_from_bytes, policy
from urllib.parse import urlsplit

import pytest
from django.test import Client

from academichub.accounts.models import profile_for
from academichub.briefings.models import Briefing
from academichub.delivery import digests, mail
from academichub.delivery.digest_models import Digest, RadarDelivery
from academichub.delivery.models import OutgoingEmail
from academichub.radar.models import Radar
from tests.delivery_helpers import make_user, own_cache  # noqa: F401 (fixture)
from tests.radar_support import add_paper, hashing_vectors  # noqa: F401 (fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_cache", "hashing_vectors")]
MONDAY, TUESDAY = date(2026, 6, 29), date(2026, 6, 30)
NOW = datetime(2026, 6, 30, 12, 0, tzinfo=timezone.utc)  # 20:00 in Shanghai, 08:00 in New York


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SmtpServer:
    """aiosmtpd on 127.0.0.1 that keeps every accepted message and can refuse DATA (451) for chosen recipients."""

    def __init__(self):
        from aiosmtpd.controller import Controller

        self.received: list = []
        self.refuse: dict[str, int] = {}  # recipient -> how many more times to answer 451
        self.refused: list[str] = []
        self._lock = threading.Lock()
        self.controller = Controller(self, hostname="127.0.0.1", port=free_port())

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        with self._lock:
            for rcpt in envelope.rcpt_tos:
                if self.refuse.get(rcpt, 0) > 0:
                    self.refuse[rcpt] -= 1
                    self.refused.append(rcpt)
                    return "451 4.3.0 Try again later"
            self.received.append(message_from_bytes(envelope.original_content, policy=policy.default))
        return "250 OK"

    def to(self, address: str) -> list:
        return [m for m in self.received if m["To"] == address]


@pytest.fixture
def smtp(settings):
    server = SmtpServer()
    server.controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", server.controller.port, False
    settings.SITE_URL = "https://hub.example.org"
    yield server
    server.controller.stop()


@pytest.fixture
def huey_immediate():
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = True
    yield HUEY
    HUEY.immediate = False


def reader(name: str, zone: str):
    user = make_user(name, f"{name}@example.org")
    profile = profile_for(user)
    profile.time_zone = zone
    profile.save()
    return user


def radar(owner, name: str, keywords: str, *, frequency="day", email=True, **delivery) -> Radar:
    made = Radar.objects.create(owner=owner, name=name, keywords=keywords, email_enabled=email, email_frequency=frequency)
    Radar.objects.filter(pk=made.pk).update(created_at=NOW - timedelta(days=30))  # made before the periods tested
    if delivery:
        RadarDelivery.objects.create(radar=made, **delivery)
    return Radar.objects.get(pk=made.pk)


@pytest.fixture
def catalogue():
    """Monday: three graph papers and two on sorting; Tuesday: two more graph papers."""
    papers = {
        "graph-mon": [add_paper(n, f"Graph neural networks, part {n}", day=MONDAY,
                                abstract=f"Graphs are everywhere. We propose graph method {n} for molecules.")
                      for n in (1, 2, 3)],
        "sort-mon": [add_paper(n, f"Sorting in linear time {n}", day=MONDAY) for n in (4, 5)],
        "graph-tue": [add_paper(n, f"Graph transformers {n}", day=TUESDAY) for n in (6, 7)],
    }  # fmt: skip
    return papers


@pytest.fixture
def readers(catalogue):
    """Ada in London (UTC in summer is +1; she uses UTC), Li in Shanghai, Bo with email off."""
    ada, li, bo = reader("ada", "UTC"), reader("li", "Asia/Shanghai"), reader("bo", "UTC")
    radars = {
        "ada-graph": radar(ada, "Graphs", "graph"),  # daily at 07:00 UTC on Tuesday: Tuesday's papers
        "ada-sort": radar(ada, "Sorting", "sorting", frequency="week"),  # Monday's week: the sorting papers
        "li-graph": radar(li, "图", "graph"),  # 07:00 in Shanghai is 23:00 UTC Monday: Monday's papers
        "li-quantum": radar(li, "Quantum", "quantum"),  # nothing matches: no email
        "li-quiet": radar(li, "Quiet", "quantum", notify_empty=True),  # nothing matches, but asked to hear so
        "bo-graph": radar(bo, "Bo's graphs", "graph", email=False),  # email off
    }
    return {"ada": ada, "li": li, "bo": bo, **radars}


def subject(message) -> str:
    """Django folds a non-ASCII subject onto a continuation line; the parsed value keeps that space."""
    return str(message["Subject"]).strip()


def parts(message) -> tuple[str, str]:
    return message.get_body(("plain",)).get_content(), message.get_body(("html",)).get_content()


def test_one_email_per_user_radar_and_period_with_both_parts(smtp, readers, catalogue):
    run = digests.send_due(now=NOW)
    assert (run.sent, run.empty, run.failed) == (4, 1, 0)
    assert len(smtp.received) == 4
    subjects = sorted(subject(m) for m in smtp.received)
    assert subjects == sorted([
        "“Graphs”: 2 new papers · 2026-06-30", "“Sorting”: 2 new papers · 2026-06-23 – 2026-06-29",
        "“图”: 3 new papers · 2026-06-29", "“Quiet”: nothing new · 2026-06-29",
    ])  # fmt: skip
    assert len(smtp.to("ada@example.org")) == 2 and len(smtp.to("li@example.org")) == 2 and not smtp.to("bo@example.org")
    graphs = next(m for m in smtp.received if "Graphs" in subject(m))
    assert graphs.get_content_type() == "multipart/alternative" and graphs["Message-ID"]
    text, html = parts(graphs)
    for paper in catalogue["graph-tue"]:
        assert paper.title_text in text and paper.title_text in html
        assert f"https://hub.example.org/paper/{paper.arxiv_id}" in text
    assert not any(p.title_text in text for p in catalogue["graph-mon"])  # Monday's belong to Monday's period
    assert "TL;DR" in text and "TL;DR" in html and "matches “graph” in the title" in html
    assert "<script" not in html.lower() and 'style="' in html and "<html" in html
    statuses = dict(Digest.objects.values_list("radar__name", "status"))
    assert statuses == {"Graphs": "sent", "Sorting": "sent", "图": "sent", "Quantum": "empty", "Quiet": "sent"}


def test_rerunning_the_job_sends_nothing_more_and_the_next_period_sends_again(smtp, readers):
    digests.send_due(now=NOW)
    again = digests.send_due(now=NOW + timedelta(minutes=55))  # the next hourly run, same periods
    assert again.sent == 0 and len(smtp.received) == 4
    assert Digest.objects.count() == 5  # one row per (user, radar, period) with something to deliver
    add_paper(8, "Graph kernels revisited", day=date(2026, 7, 1))
    digests.send_due(now=NOW + timedelta(days=1))  # Wednesday: a new daily period for Ada
    wednesday = [m for m in smtp.received if "2026-07-01" in subject(m)]
    assert [m["To"] for m in wednesday] == ["ada@example.org"]
    assert "Graph kernels revisited" in parts(wednesday[0])[0]


def test_unsubscribe_headers_and_link_work(smtp, readers):
    digests.send_due(now=NOW)
    message = next(m for m in smtp.received if "Graphs" in subject(m))
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = re.fullmatch(r"<(https://hub\.example\.org/[^>]+)>", str(message["List-Unsubscribe"]).strip()).group(1)
    text, html = parts(message)
    assert url in text and f'href="{url}"' in html
    path = urlsplit(url).path
    page = Client().get(path)  # what a person (or a link scanner) opening the link sees: a question
    assert page.status_code == 200 and "<form" in page.content.decode()
    assert Radar.objects.get(pk=readers["ada-graph"].pk).email_enabled
    # RFC 8058: the mail client POSTs the body below, without cookies or a CSRF token.
    done = Client(enforce_csrf_checks=True).post(path, "List-Unsubscribe=One-Click",
                                                 content_type="application/x-www-form-urlencoded")  # fmt: skip
    assert done.status_code == 200 and "You are unsubscribed" in done.content.decode()
    assert not Radar.objects.get(pk=readers["ada-graph"].pk).email_enabled
    assert Radar.objects.get(pk=readers["ada-sort"].pk).email_enabled  # only that radar
    add_paper(9, "Graph kernels revisited", day=date(2026, 7, 1))
    before = len(smtp.to("ada@example.org"))
    digests.send_due(now=NOW + timedelta(days=1))
    assert len(smtp.to("ada@example.org")) == before  # no more Graphs digests
    assert Client().post("/radars/digest/unsubscribe/not-a-token/").status_code == 404


def test_an_empty_period_sends_nothing(smtp, readers):
    digests.send_due(now=NOW)
    quantum = Digest.objects.get(radar=readers["li-quantum"])
    assert quantum.status == "empty" and quantum.papers == 0
    assert not [m for m in smtp.received if "Quantum" in subject(m)]
    quiet = next(m for m in smtp.received if "Quiet" in subject(m))
    assert "Nothing new matched this radar" in parts(quiet)[0]


def test_a_refused_first_attempt_is_recorded_and_retried_with_backoff(smtp, readers, huey_immediate,
                                                                     django_capture_on_commit_callbacks):
    smtp.refuse["li@example.org"] = 2  # both of Li's digests are refused once (451: try later)
    scheduled = len(huey_immediate.scheduled())
    with django_capture_on_commit_callbacks(execute=True):
        run = digests.send_due(now=NOW)
    assert run.failed == 2 and len(smtp.received) == 2 and smtp.refused == ["li@example.org"] * 2
    failed = Digest.objects.get(radar=readers["li-graph"])
    assert failed.status == "failed" and failed.runs == 1 and "451" in failed.last_error
    assert failed.next_attempt_at == NOW + digests.RETRY_AFTER[0]
    assert len(huey_immediate.scheduled()) == scheduled + 2  # each retry waits in Huey's schedule
    assert OutgoingEmail.objects.get(key=failed.email_key).status == "failed"
    assert digests.send_due(now=NOW + timedelta(minutes=2)).sent == 0  # the wait is not over yet
    retried = digests.retry(failed.pk, now=failed.next_attempt_at)  # what the scheduled task runs
    assert retried.status == "sent"
    digests.send_due(now=NOW + timedelta(minutes=6))  # the sweep takes up the other one
    assert len(smtp.to("li@example.org")) == 2 and len(smtp.received) == 4
    assert OutgoingEmail.objects.get(key=failed.email_key).attempts == 2
    assert digests.send_due(now=NOW + timedelta(hours=3)).sent == 0  # and never again


def test_repeated_failures_back_off_then_give_up_recorded(smtp, readers):
    smtp.refuse["li@example.org"] = 100
    moment = NOW
    for expected_wait in digests.RETRY_AFTER:
        digests.send_due(now=moment)
        digest = Digest.objects.get(radar=readers["li-graph"])
        assert digest.next_attempt_at - moment == expected_wait
        moment = digest.next_attempt_at
    digests.send_due(now=moment)
    digest = Digest.objects.get(radar=readers["li-graph"])
    assert digest.status == "failed" and digest.runs == digests.MAX_RUNS and digest.next_attempt_at is None
    assert not smtp.to("li@example.org")


def test_a_permanent_refusal_is_not_retried(smtp, readers, settings):
    from unittest import mock

    import smtplib

    refused = smtplib.SMTPRecipientsRefused({"ada@example.org": (550, b"no such user")})
    with mock.patch("django.core.mail.backends.smtp.EmailBackend.send_messages", side_effect=refused):
        digests.deliver(readers["ada-graph"], _period(readers["ada-graph"]), now=NOW)
    digest = Digest.objects.get(radar=readers["ada-graph"])
    assert digest.status == "rejected" and digest.next_attempt_at is None
    digests.send_due(now=NOW + timedelta(hours=1))
    assert not [m for m in smtp.received if "Graphs" in subject(m)]


def _period(radar_row):
    return next(p for r, p in digests.due(NOW) if r.pk == radar_row.pk)


def test_a_crash_after_the_server_accepted_then_a_rerun_sends_no_duplicate(smtp, readers, monkeypatch):
    """The job dies after SMTP accepted Ada's message but before anything recorded it as sent."""
    real = mail._record_sent

    def die(record):
        raise KeyboardInterrupt("killed between send and record")

    monkeypatch.setattr(mail, "_record_sent", die)
    with pytest.raises(KeyboardInterrupt):
        digests.send_due(now=NOW)
    assert len(smtp.received) == 1  # the server has it
    crashed = OutgoingEmail.objects.get(status="sending")
    monkeypatch.setattr(mail, "_record_sent", real)
    digests.send_due(now=NOW + timedelta(minutes=1))  # the rerun (a retried task, the next hourly run)
    keys = [m["Message-ID"] for m in smtp.received]
    assert len(keys) == len(set(keys)) == 4  # everyone once, the crashed one not again
    assert OutgoingEmail.objects.get(pk=crashed.pk).status == "sending"  # left alone while it may be in flight
    assert Digest.objects.get(email_key=crashed.key).status == "pending"


def test_a_crash_after_the_email_was_recorded_then_a_rerun_sends_no_duplicate(smtp, readers, monkeypatch):
    """The job dies after the email was recorded sent but before the digest row was updated."""
    calls = []
    real = digests._after_send

    def die_once(digest, record, now):
        calls.append(record.key)
        if len(calls) == 1:
            raise RuntimeError("injected crash")
        return real(digest, record, now)

    monkeypatch.setattr(digests, "_after_send", die_once)
    with pytest.raises(RuntimeError):
        digests.send_due(now=NOW)
    assert len(smtp.received) == 1 and Digest.objects.get(email_key=calls[0]).status == "pending"
    digests.send_due(now=NOW + timedelta(minutes=1))
    assert len(smtp.received) == 4 and len({m["Message-ID"] for m in smtp.received}) == 4
    assert Digest.objects.get(email_key=calls[0]).status == "sent"


def test_digest_in_the_readers_language_with_the_latest_briefing(smtp, readers):
    li = readers["li"]
    profile = profile_for(li)
    profile.language = "zh-hans"
    profile.save()
    Briefing.objects.create(owner=li, scope_kind="radar", scope_value=str(readers["li-graph"].pk), status="done",
                            finished_at=NOW - timedelta(days=2), language="zh-hans",
                            document={"sections": [{"kind": "overview", "title": "概览", "sentences": [
                                {"text": "本周图神经网络的论文集中在分子上 [1]。", "cites": [1]}]}]})  # fmt: skip
    digests.send_due(now=NOW)
    message = next(m for m in smtp.to("li@example.org") if "图" in subject(m))
    text, html = parts(message)
    assert "篇新论文" in subject(message)
    assert "本周图神经网络的论文集中在分子上" in text and "[1]" not in text and "本周图神经网络" in html
    assert "/briefings/" in html


def test_the_due_moment_follows_the_readers_hour(smtp, readers):
    options = RadarDelivery.objects.create(radar=readers["ada-graph"], hour=13)  # 13:00 UTC: not yet at 12:00
    assert [p.label for r, p in digests.due(NOW) if r.pk == options.radar_id] == ["day:2026-06-29"]
    assert [p.label for r, p in digests.due(NOW + timedelta(hours=1)) if r.pk == options.radar_id] == ["day:2026-06-30"]


def test_the_hourly_task_is_registered():
    from academichub.delivery import tasks

    task = tasks.send_radar_digests.task_class()  # a periodic task: minute 5 of every hour
    assert task.validate_datetime(datetime(2026, 6, 30, 9, 5)) and task.validate_datetime(datetime(2026, 6, 30, 23, 5))
    assert not task.validate_datetime(datetime(2026, 6, 30, 9, 6))


# -- kill -9 between the SMTP server's acceptance and the record, then a rerun ----------------------

POPULATE = """
from datetime import date, datetime, timezone
from django.contrib.auth import get_user_model
from academichub.core.records import PaperRecord, Version
from academichub.papers.storage import CatalogueWriter
from academichub.radar.models import Radar
day = date(2026, 6, 30)
CatalogueWriter("test").write([PaperRecord(
    arxiv_id=f"2606.{n:05d}", title=f"Graph networks {n}", abstract="We propose a graph method.", authors=["Ada Lovelace"],
    categories=["cs.LG"], versions=[Version(1, day)], announced=day, announce_type="new") for n in range(1, 4)])
for name in ("ada", "bo", "cy"):
    user = get_user_model().objects.create_user(name, f"{name}@example.org", "pw-kill-12345")
    radar = Radar.objects.create(owner=user, name="Graphs", keywords="graph", email_enabled=True)
    Radar.objects.filter(pk=radar.pk).update(created_at=datetime(2026, 6, 1, tzinfo=timezone.utc))
"""


def test_kill_9_after_the_server_accepted_then_rerun_sends_each_digest_once(tmp_path, expected_vendor):
    import os
    import signal

    from tests.external import external_hub, hub, hub_popen, query

    server = SmtpServer()
    victim: list = []

    async def kill_then_accept(smtp_server, session, envelope):
        """The first message: the server keeps it (before the kill, so the test sees it), and the sender dies
        before it hears "250"."""
        first = victim and not server.received
        server.received.append(message_from_bytes(envelope.original_content, policy=policy.default))
        if first:
            os.kill(victim[0].pid, signal.SIGKILL)
        return "250 OK"

    server.handle_DATA = kill_then_accept
    server.controller.start()
    at = "--at=2026-06-30T12:00:00+00:00"
    try:
        with external_hub(tmp_path, expected_vendor) as env:
            env.update(EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(server.controller.port), EMAIL_USE_TLS="0",
                       SITE_URL="https://hub.example.org", ACADEMICHUB_EMBEDDER="hashing")  # fmt: skip
            hub(env, "manage", "shell", "-c", POPULATE)
            victim.append(hub_popen(env, "manage", "send_digests", at))
            assert victim[0].wait(timeout=300) == -9
            assert len(server.received) == 1
            statuses = sorted(r[0] for r in query(env, "SELECT status FROM delivery_outgoingemail"))
            assert statuses == ["sending"]  # accepted by the server, never recorded as sent
            rerun = hub(env, "manage", "send_digests", at)
            assert "2 sent" in rerun.stdout, rerun.stdout + rerun.stderr
            hub(env, "manage", "send_digests", "--at=2026-06-30T13:05:00+00:00")  # the next hourly run
            rows = query(env, "SELECT status FROM delivery_digest")
    finally:
        server.controller.stop()
    recipients = sorted(m["To"] for m in server.received)
    assert recipients == ["ada@example.org", "bo@example.org", "cy@example.org"]  # each once, none twice
    assert sorted(r[0] for r in rows) == ["pending", "sent", "sent"]  # the killed one stays unconfirmed


def test_periods_tile_the_announcement_days_in_every_time_zone():
    from academichub.core import digest_schedule as schedule

    for zone in ("UTC", "Asia/Shanghai", "America/New_York", "Pacific/Kiritimati", "Not/AZone"):
        moment, covered = datetime(2026, 3, 1, 0, 30, tzinfo=timezone.utc), []
        for _ in range(60):  # two months of hourly runs around the US/EU daylight-saving changes
            period = schedule.latest_period("day", moment, zone, 7)
            if not covered or covered[-1] != period:
                covered.append(period)
            moment += timedelta(hours=13)
        days = [p.end for p in covered]
        assert days == [days[0] + timedelta(days=n) for n in range(len(days))], zone  # no gap, no repeat
        assert len({p.label for p in covered}) == len(covered)
    weekly = schedule.latest_period("week", datetime(2026, 7, 1, 12, tzinfo=timezone.utc), "Europe/Berlin", 9)
    assert (weekly.label, weekly.start, weekly.end) == ("week:2026-W27", date(2026, 6, 23), date(2026, 6, 29))
    assert weekly.due_at == datetime(2026, 6, 29, 7, tzinfo=timezone.utc)  # 09:00 in Berlin, summer time
    with pytest.raises(ValueError, match="frequency"):
        schedule.latest_period("month", NOW, "UTC", 7)
