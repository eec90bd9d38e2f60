"""Webhooks: each service's format posted to a real local server, signatures, retries with backoff,
attempt records, disabling with a notice, and SSRF refusals (at save and at send time)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import mail as django_mail
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from academichub.core import ssrf
from academichub.core import webhooks as core
from academichub.core.webhooks import Item, Message
from academichub.delivery import webhooks
from academichub.delivery.webhook_models import Webhook, WebhookAttempt, WebhookDelivery
from tests.delivery_helpers import Answer, Receiver, make_user, own_cache  # noqa: F401 (fixture)

Status = WebhookDelivery.Status
OK_BODY = json.dumps({"ok": True, "code": 0, "errcode": 0, "errmsg": "ok"}).encode()
MESSAGE = Message(
    title="3 new papers for “Diffusion” <radar>",
    url="https://hub.example.org/radars/7",
    intro="Matches of 2026-06-12 & later",
    items=(Item("Sorting in $O(n)$ & <b>space</b>", "https://hub.example.org/paper/2606.00001", "Chenrui Wu, Yuwei Wu",
                "We propose a sorter.", "matches: sorting"),
           Item("Second paper", "https://hub.example.org/paper/2606.00002", "Ana María López")),
    event="radar",
)  # fmt: skip


def public_resolver(host, port):
    return ["93.184.216.34"]


# -- pure: formats, signatures, SSRF policy ----------------------------------------------------


def test_each_service_gets_its_own_message_shape():
    slack = core.payload("slack", MESSAGE)
    assert slack["blocks"][0] == {"type": "header", "text": {"type": "plain_text", "text": MESSAGE.title, "emoji": True}}
    assert "*<https://hub.example.org/paper/2606.00001|Sorting in $O(n)$ &amp; &lt;b&gt;space&lt;/b&gt;>*" in (
        slack["blocks"][2]["text"]["text"])  # fmt: skip
    feishu = core.payload("feishu", MESSAGE)
    post = feishu["content"]["post"]["zh_cn"]
    assert feishu["msg_type"] == "post" and post["title"] == MESSAGE.title
    assert {"tag": "a", "text": MESSAGE.items[0].title, "href": MESSAGE.items[0].url} in sum(post["content"], [])
    ding = core.payload("dingtalk", MESSAGE)
    assert ding["msgtype"] == "markdown" and ding["markdown"]["title"] == MESSAGE.title
    assert "[Second paper](https://hub.example.org/paper/2606.00002)" in ding["markdown"]["text"]
    wecom = core.payload("wecom", MESSAGE)
    assert wecom["msgtype"] == "markdown" and wecom["markdown"]["content"].startswith("### 3 new papers")
    telegram = core.payload("telegram", MESSAGE, chat_id="-100123")
    assert telegram["chat_id"] == "-100123" and telegram["parse_mode"] == "HTML"
    assert "Sorting in $O(n)$ &amp; &lt;b&gt;space&lt;/b&gt;</a>" in telegram["text"]
    generic = core.payload("generic", MESSAGE, delivery="42")
    assert generic["event"] == "radar" and generic["delivery"] == "42" and len(generic["items"]) == 2
    assert Message.from_dict(json.loads(json.dumps(MESSAGE.to_dict()))) == MESSAGE


def test_long_messages_stay_within_each_services_limits():
    big = Message("Many", items=tuple(Item(f"Paper {n} " + "x" * 200, f"https://e.org/{n}", "A B", "y" * 400)
                                      for n in range(200)))  # fmt: skip
    assert len(core.payload("wecom", big)["markdown"]["content"].encode()) <= 4096
    assert len(core.payload("dingtalk", big)["markdown"]["text"].encode()) <= 20000
    assert len(core.payload("telegram", big, chat_id="1")["text"]) <= 4096
    assert len(core.payload("slack", big)["blocks"]) <= 50
    assert "(+" in core.payload("wecom", big)["markdown"]["content"]  # says how many were left out


def test_generic_signature_verifies_and_rejects_tampering_and_replays():
    request = core.build_request("generic", MESSAGE, url="https://e.org/h", timestamp=1_767_225_600, secret="s3cret",
                                 delivery="9")  # fmt: skip
    headers, body = request.headers, request.body
    expected = hmac.new(b"s3cret", b"1767225600." + body, hashlib.sha256).hexdigest()
    assert headers["X-AcademicHub-Signature"] == "v1=" + expected
    assert core.verify("s3cret", headers, body, now=1_767_225_600 + 60)
    assert not core.verify("s3cret", headers, body + b" ", now=1_767_225_600)
    assert not core.verify("other", headers, body, now=1_767_225_600)
    assert not core.verify("s3cret", headers, body, now=1_767_225_600 + 301)


def test_ssrf_policy_refuses_internal_addresses():
    refused = ["127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "0.0.0.0", "224.0.0.1",
               "100.64.0.1", "240.0.0.1", "::1", "fe80::1", "fc00::1", "::ffff:127.0.0.1", "ff02::1"]  # fmt: skip
    for address in refused:
        with pytest.raises(ssrf.Refused):
            ssrf.check("https://hook.example.org/x", resolver=lambda h, p, a=address: [a])
    assert ssrf.check("https://hook.example.org/x", resolver=public_resolver).addresses[0].exploded == "93.184.216.34"
    with pytest.raises(ssrf.Refused, match="10.0.0.5, a private address"):  # one bad answer is enough
        ssrf.check("https://hook.example.org/x", resolver=lambda h, p: ["93.184.216.34", "10.0.0.5"])
    with pytest.raises(ssrf.Refused, match="loopback"):
        ssrf.check("http://[::1]:8080/x")  # a literal address is not resolved, still checked
    allow = ssrf.networks(["10.0.0.0/8"])
    assert ssrf.check("http://chat.intranet/x", allow, resolver=lambda h, p: ["10.9.8.7"]).port == 80
    for url, reason in [("ftp://e.org/x", "only http"), ("https://user:pw@e.org/", "user name"),
                        ("https:///x", "no host"), ("http://e.org:99999/", "malformed")]:  # fmt: skip
        with pytest.raises(ssrf.Refused, match=reason):
            ssrf.check(url, resolver=public_resolver)
    with pytest.raises(ssrf.Refused, match="could not be resolved"):
        ssrf.check("https://nonexistent.invalid/x", resolver=lambda h, p: (_ for _ in ()).throw(OSError("nxdomain")))
    with pytest.raises(ValueError, match="not a network"):
        ssrf.networks(["10.0.0.0/33"])


# -- through a real local server -----------------------------------------------------------------


@pytest.fixture
def huey_immediate():
    """Tasks run in-process (and scheduled retries wait in Huey's in-memory schedule)."""
    HUEY.immediate = True
    yield HUEY
    HUEY.immediate = False


@pytest.fixture
def receiver():
    with Receiver() as server:
        yield server


@pytest.fixture
def loopback_allowed(settings):
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.1/32"]


def hook(owner, kind, url, **fields) -> Webhook:
    return Webhook.objects.create(owner=owner, name=f"{kind} hook", kind=kind, url=url, **fields)


def send(webhook, message=MESSAGE, capture=None, **kwargs) -> WebhookDelivery:
    with capture(execute=True):
        delivery = webhooks.enqueue(webhook, message, **kwargs)
    delivery.refresh_from_db()
    return delivery


@pytest.mark.django_db
@pytest.mark.usefixtures("own_cache", "huey_immediate", "loopback_allowed")
def test_every_service_receives_its_format_and_signature(receiver, django_capture_on_commit_callbacks):
    owner = make_user()
    receiver.answer(Answer(200, OK_BODY, {"Content-Type": "application/json"}))
    hooks = {
        "slack": hook(owner, "slack", receiver.url("/services/T0/B0/xyz")),
        "feishu": hook(owner, "feishu", receiver.url("/open-apis/bot/v2/hook/abc"), secret="fs-secret"),
        "dingtalk": hook(owner, "dingtalk", receiver.url("/robot/send?access_token=tok"), secret="SEC123"),
        "wecom": hook(owner, "wecom", receiver.url("/cgi-bin/webhook/send?key=k")),
        "telegram": hook(owner, "telegram", receiver.url("/bot123:ABC/sendMessage"), chat_id="-100123"),
        "generic": hook(owner, "generic", receiver.url("/mine"), secret="whsec_test"),
    }
    before = int(time.time())
    for webhook in hooks.values():
        delivery = send(webhook, capture=django_capture_on_commit_callbacks)
        assert delivery.status == Status.SUCCEEDED and delivery.attempts == 1, delivery.last_error
    got = {urlsplit(r.path).path: r for r in receiver.received}
    assert len(receiver.received) == 6
    for request in receiver.received:
        assert request.headers["Content-Type"] == "application/json; charset=utf-8"
        assert request.headers["Host"] == urlsplit(receiver.url()).netloc
    slack = json.loads(got["/services/T0/B0/xyz"].body)
    assert slack["blocks"][0]["type"] == "header" and slack["text"] == MESSAGE.title
    feishu_request = got["/open-apis/bot/v2/hook/abc"]
    feishu = json.loads(feishu_request.body)
    assert feishu["msg_type"] == "post"
    ts = int(feishu["timestamp"])
    assert before <= ts <= time.time() + 1
    expected = base64.b64encode(hmac.new(f"{ts}\nfs-secret".encode(), b"", hashlib.sha256).digest()).decode()
    assert feishu["sign"] == expected  # Feishu's documented recipe
    ding_request = got["/robot/send"]
    query = parse_qs(urlsplit(ding_request.path).query)
    millis = int(query["timestamp"][0])
    expected = base64.b64encode(hmac.new(b"SEC123", f"{millis}\nSEC123".encode(), hashlib.sha256).digest()).decode()
    assert query["access_token"] == ["tok"] and query["sign"] == [expected]  # DingTalk's documented recipe
    assert json.loads(ding_request.body)["msgtype"] == "markdown"
    assert json.loads(got["/cgi-bin/webhook/send"].body)["msgtype"] == "markdown"
    assert json.loads(got["/bot123:ABC/sendMessage"].body)["chat_id"] == "-100123"
    generic = got["/mine"]
    body = json.loads(generic.body)
    assert body["event"] == "radar" and body["delivery"] == str(hooks["generic"].deliveries.get().pk)
    assert generic.headers["X-AcademicHub-Event"] == "radar"
    assert core.verify("whsec_test", generic.headers, generic.body, now=int(time.time()))
    attempt = WebhookAttempt.objects.get(delivery__webhook=hooks["generic"])
    assert attempt.ok and attempt.status_code == 200 and attempt.address == "127.0.0.1"


@pytest.mark.django_db
@pytest.mark.usefixtures("own_cache", "huey_immediate", "loopback_allowed")
def test_failures_are_retried_with_backoff_and_every_attempt_is_recorded(receiver, django_capture_on_commit_callbacks):
    owner = make_user()
    receiver.answer(Answer(503, b"busy"), Answer(500, b"oops"), Answer(200, b"ok"))
    webhook = hook(owner, "slack", receiver.url("/services/x"))
    scheduled_before = len(HUEY.scheduled())
    delivery = send(webhook, capture=django_capture_on_commit_callbacks, key="radar:1:2026-06-12")
    assert delivery.status == Status.PENDING and delivery.attempts == 1
    first_at = WebhookAttempt.objects.get(delivery=delivery, number=1).at
    assert delivery.next_attempt_at == first_at + timedelta(seconds=core.backoff(1))
    assert len(HUEY.scheduled()) == scheduled_before + 1  # the retry waits in Huey's schedule
    # Due retries run; early ones do not (the claim is conditional on the time).
    assert webhooks.run_due(now=first_at + timedelta(seconds=5)) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert webhooks.run_due(now=delivery.next_attempt_at) == 1
    delivery.refresh_from_db()
    second_at = delivery.attempt_log.get(number=2).at
    assert delivery.status == Status.PENDING and delivery.next_attempt_at == second_at + timedelta(seconds=core.backoff(2))
    with django_capture_on_commit_callbacks(execute=True):
        webhooks.run(delivery.pk, now=delivery.next_attempt_at)
    delivery.refresh_from_db()
    attempts = list(delivery.attempt_log.values_list("number", "status_code", "ok"))
    assert attempts == [(1, 503, False), (2, 500, False), (3, 200, True)]
    assert delivery.status == Status.SUCCEEDED and len(receiver.received) == 3
    assert webhooks.run(delivery.pk, now=timezone.now() + timedelta(days=1)) is None  # never sent twice
    again = send(webhook, capture=django_capture_on_commit_callbacks, key="radar:1:2026-06-12")
    assert again.pk == delivery.pk and len(receiver.received) == 3  # idempotent per key
    webhook.refresh_from_db()
    assert webhook.consecutive_failures == 0


@pytest.mark.django_db
@pytest.mark.usefixtures("own_cache", "huey_immediate", "loopback_allowed")
def test_permanent_errors_and_redirects_are_not_retried(receiver, django_capture_on_commit_callbacks):
    owner = make_user()
    receiver.answer(Answer(404, b"no_service"), Answer(302, b"", {"Location": "http://169.254.169.254/latest"}),
                    Answer(200, json.dumps({"errcode": 310000, "errmsg": "sign not match"}).encode()))  # fmt: skip
    gone = send(hook(owner, "slack", receiver.url("/a")), capture=django_capture_on_commit_callbacks)
    assert gone.status == Status.FAILED and gone.attempts == 1 and "HTTP 404" in gone.last_error
    moved = send(hook(owner, "generic", receiver.url("/b"), secret="s"), capture=django_capture_on_commit_callbacks)
    assert moved.status == Status.FAILED and "redirects are not followed" in moved.last_error
    assert [urlsplit(r.path).path for r in receiver.received] == ["/a", "/b"]  # the redirect was not followed
    signed = send(hook(owner, "dingtalk", receiver.url("/c"), secret="x"), capture=django_capture_on_commit_callbacks)
    assert signed.status == Status.FAILED and "310000" in signed.last_error  # 200 with an error code is a failure


@pytest.mark.django_db
@pytest.mark.usefixtures("own_cache", "huey_immediate", "loopback_allowed")
def test_repeated_failures_disable_the_webhook_with_a_notice(receiver, client, settings,
                                                             django_capture_on_commit_callbacks):  # fmt: skip
    settings.WEBHOOK_MAX_ATTEMPTS, settings.WEBHOOK_DISABLE_AFTER = 2, 3
    owner = make_user()
    receiver.answer(Answer(500, b"down"))
    webhook = hook(owner, "generic", receiver.url("/down"), secret="s")
    first = send(webhook, capture=django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        webhooks.run(first.pk, now=first.next_attempt_at)
    first.refresh_from_db()
    assert first.status == Status.FAILED and first.attempts == 2
    second = send(webhook, capture=django_capture_on_commit_callbacks)
    webhook.refresh_from_db()
    assert not webhook.enabled and webhook.consecutive_failures == 3 and webhook.disabled_at
    assert "3 failed attempts in a row" in webhook.disabled_reason and "HTTP 500" in webhook.disabled_reason
    assert second.status == Status.FAILED
    third = send(webhook, capture=django_capture_on_commit_callbacks)
    assert third.status == Status.CANCELLED and len(receiver.received) == 3  # nothing more is posted
    (notice,) = django_mail.outbox
    assert notice.to == ["chenrui@example.org"] and "was disabled" in notice.body and "/settings/webhooks/" in notice.body
    client.force_login(owner)
    page = client.get("/settings/webhooks/").content.decode()
    assert "was disabled on" in page and "HTTP 500" in page
    assert "was disabled on" in client.get("/accounts/settings/").content.decode()  # on the settings page too
    detail = client.get(f"/settings/webhooks/{webhook.pk}/").content.decode()
    assert "Enable again" in detail and detail.count("<li>") >= 3  # each attempt is listed
    client.post(f"/settings/webhooks/{webhook.pk}/enable/")
    webhook.refresh_from_db()
    assert webhook.enabled and webhook.consecutive_failures == 0 and not webhook.disabled_reason


@pytest.mark.django_db
@pytest.mark.usefixtures("own_cache", "huey_immediate")
def test_ssrf_is_checked_again_at_send_time(receiver, settings, django_capture_on_commit_callbacks):
    """DNS rebinding: the host looked public when saved, resolves to loopback when sent."""
    owner = make_user()
    port = urlsplit(receiver.url()).port
    webhook = hook(owner, "generic", f"http://hooks.example.test:{port}/in", secret="s")
    with django_capture_on_commit_callbacks(execute=False):
        delivery = webhooks.enqueue(webhook, MESSAGE)
    rebound = webhooks.run(delivery.pk, resolver=lambda host, p: ["127.0.0.1"])
    assert rebound.status == Status.FAILED and receiver.received == []
    attempt = rebound.attempt_log.get()
    assert attempt.error.startswith("refused: hooks.example.test resolves to 127.0.0.1, a loopback address")
    # Allowed by the admin: the request goes to the address that was checked, under the URL's host name.
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    with django_capture_on_commit_callbacks(execute=False):
        pinned = webhooks.enqueue(webhook, MESSAGE)
    assert webhooks.run(pinned.pk, resolver=lambda host, p: ["127.0.0.1"]).status == Status.SUCCEEDED
    assert receiver.received[0].headers["Host"] == f"hooks.example.test:{port}"


@pytest.mark.django_db
@pytest.mark.usefixtures("own_cache")
def test_the_form_refuses_internal_urls_unless_allowed(client, settings, receiver):
    client.force_login(make_user())
    for url in (receiver.url("/x"), "http://localhost/hook", "http://169.254.169.254/latest/meta-data",
                "http://[::1]/x", "http://10.0.0.1/x"):  # fmt: skip
        response = client.post("/settings/webhooks/", {"name": "n", "kind": "generic", "url": url})
        assert response.status_code == 400 and "cannot receive webhooks" in response.content.decode(), url
    assert not Webhook.objects.exists()
    telegram = client.post("/settings/webhooks/", {"name": "t", "kind": "telegram", "url": "https://93.184.216.34/b"})
    assert telegram.status_code == 400 and "chat id" in telegram.content.decode()
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    response = client.post("/settings/webhooks/", {"name": "mine", "kind": "generic", "url": receiver.url("/x")})
    created = Webhook.objects.get()
    assert response.status_code == 302 and created.secret.startswith("whsec_")  # a signing secret was made
    assert created.secret in client.get(f"/settings/webhooks/{created.pk}/").content.decode()


@pytest.mark.django_db
@pytest.mark.usefixtures("own_cache", "huey_immediate", "loopback_allowed")
def test_send_a_test_from_the_page_and_owners_only(client, receiver, django_capture_on_commit_callbacks):
    from datetime import date

    from tests.factories import make_papers

    make_papers(date(2026, 6, 12), count=2)
    owner = make_user()
    receiver.answer(Answer(200, OK_BODY))
    webhook = hook(owner, "generic", receiver.url("/t"), secret="s")
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/settings/webhooks/{webhook.pk}/test/")
    assert response.status_code == 302
    body = json.loads(receiver.received[0].body)
    assert body["event"] == "test" and len(body["items"]) == 2 and "/paper/2606.00001" in body["items"][0]["url"]
    assert client.get(f"/settings/webhooks/{webhook.pk}/test/").status_code == 405
    client.force_login(make_user("yuwei", "yuwei@example.org"))
    assert client.get(f"/settings/webhooks/{webhook.pk}/").status_code == 404
    assert client.post(f"/settings/webhooks/{webhook.pk}/delete/").status_code == 404
    assert Webhook.objects.filter(pk=webhook.pk).exists()


@pytest.mark.django_db
@pytest.mark.usefixtures("own_cache", "loopback_allowed")
def test_a_generic_webhook_always_has_a_secret(client, receiver):
    owner = make_user()
    webhook = hook(owner, "slack", receiver.url("/s"))
    client.force_login(owner)
    response = client.post(f"/settings/webhooks/{webhook.pk}/", {"name": "now generic", "kind": "generic",
                                                                  "url": receiver.url("/g"), "secret": ""})  # fmt: skip
    webhook.refresh_from_db()
    assert response.status_code == 302 and webhook.kind == "generic" and webhook.secret.startswith("whsec_")
