"""PoliteClient against a real HTTP server on 127.0.0.1 (never the internet).

Waiting is injected: ``FakeTime`` records every sleep and advances a fake
clock, so backoff and spacing are checked exactly without slowing the suite.
Only the timeout tests spend real time (a few tenths of a second).
"""

from __future__ import annotations

import socket
import time
from email.utils import formatdate

import httpx
import pytest

from academichub.core.http import FetchError, PoliteClient, retry_after_seconds
from tests.httpserver import Reply


class FakeTime:
    """A clock that only moves when the client sleeps (or the test says so)."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def clock(self) -> float:
        return self.now


@pytest.fixture
def fake() -> FakeTime:
    return FakeTime()


def client(fake: FakeTime, **options) -> PoliteClient:
    settings = {"min_interval": 0.0, "timeout": 5.0, "jitter": lambda: 0.0, "sleep": fake.sleep, "clock": fake.clock}
    settings.update(options)
    return PoliteClient(**settings)


def test_returns_a_2xx_response_and_identifies_itself(local_server, fake):
    local_server.script("/feed", Reply(200, body=b"<ok/>"))
    with client(fake, user_agent="AcademicHubTest/1 (mailto:test@example.org)") as http:
        response = http.get(local_server.url("/feed"), params={"verb": "ListRecords", "set": "cs"})
    assert response.status_code == 200 and response.content == b"<ok/>"
    (request,) = local_server.requests_for("/feed")
    assert request.param("verb") == "ListRecords" and request.param("set") == "cs"
    assert request.headers["User-Agent"] == "AcademicHubTest/1 (mailto:test@example.org)"
    assert fake.sleeps == []


def test_429_with_retry_after_seconds_waits_as_asked_then_succeeds(local_server, fake):
    local_server.script("/api", Reply(429, headers={"Retry-After": "7"}), Reply(200, body="fine"))
    with client(fake) as http:
        assert http.get(local_server.url("/api")).text == "fine"
    assert len(local_server.requests_for("/api")) == 2
    assert fake.sleeps == [7.0]


def test_retry_after_as_http_date_is_honoured(local_server, fake):
    when = formatdate(time.time() + 120, usegmt=True)  # the server's own Date header is the reference
    local_server.script("/api", Reply(503, headers={"Retry-After": when}), Reply(200, body="back"))
    with client(fake) as http:
        assert http.get(local_server.url("/api")).text == "back"
    assert len(fake.sleeps) == 1 and 117 <= fake.sleeps[0] <= 121


def test_retry_after_longer_than_the_cap_gives_up_at_once(local_server, fake):
    local_server.script("/api", Reply(503, headers={"Retry-After": "3600"}))
    with client(fake, max_wait=600) as http, pytest.raises(FetchError) as caught:
        http.get(local_server.url("/api"))
    error = caught.value
    assert (error.status, error.retryable) == (503, True)
    assert "3600 s" in str(error) and "600 s" in str(error) and "checkpoint" in str(error)
    assert len(local_server.requests_for("/api")) == 1 and fake.sleeps == []


def test_503_five_times_gives_up_with_a_useful_message(local_server, fake):
    local_server.script("/oai2", Reply(503, body="maintenance"))  # the last reply repeats
    http = client(fake, max_retries=4, backoff_base=2.0, jitter=lambda: 0.5)
    with http, pytest.raises(FetchError) as caught:
        http.get(local_server.url("/oai2"))
    error = caught.value
    assert len(local_server.requests_for("/oai2")) == 5
    assert fake.sleeps == [2.5, 4.5, 8.5, 16.5]  # exponential backoff plus jitter
    assert (error.status, error.retryable, error.url) == (503, True, local_server.url("/oai2"))
    assert "answered 503 five times" in str(error)
    assert "down for maintenance" in str(error) and "resume from its checkpoint" in str(error)
    assert error.body == b"maintenance"


def test_the_message_names_arxiv_for_arxiv_hosts():
    http = PoliteClient(min_interval=0)
    with http:
        assert http.service_name("https://export.arxiv.org/api/query") == "arXiv"
        assert http.service_name("https://rss.arxiv.org/rss/cs.CV") == "arXiv"
        assert http.service_name("https://api.crossref.org/works") == "api.crossref.org"
    assert PoliteClient(min_interval=0, name="Crossref").service_name("https://x.org") == "Crossref"


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
def test_every_retryable_status_is_retried(local_server, fake, status):
    local_server.script("/x", Reply(status), Reply(200, body="ok"))
    with client(fake) as http:
        assert http.get(local_server.url("/x")).text == "ok"
    assert len(local_server.requests_for("/x")) == 2


@pytest.mark.parametrize("status", [400, 401, 403, 404, 410, 422])
def test_client_errors_are_not_retried(local_server, fake, status):
    local_server.script("/missing", Reply(status, body="nope"))
    with client(fake) as http, pytest.raises(FetchError) as caught:
        http.get(local_server.url("/missing"))
    assert (caught.value.status, caught.value.retryable) == (status, False)
    assert f"answered {status}" in str(caught.value) and "not retried" in str(caught.value)
    assert len(local_server.requests_for("/missing")) == 1 and fake.sleeps == []


def test_404_message_says_the_address_is_wrong(local_server, fake):
    local_server.script("/abs/0000.0000", Reply(404))
    with client(fake) as http, pytest.raises(FetchError) as caught:
        http.get(local_server.url("/abs/0000.0000"))
    assert "does not exist" in str(caught.value)


def test_a_timeout_is_retried_then_succeeds(local_server, fake):
    local_server.script("/slow", Reply(200, body="too late", delay=2.0), Reply(200, body="in time"))
    with client(fake, timeout=0.3) as http:
        assert http.get(local_server.url("/slow")).text == "in time"
    assert len(local_server.requests_for("/slow")) == 2
    assert fake.sleeps == [2.0]  # one backoff step, no jitter


def test_timeouts_until_retries_run_out(local_server, fake):
    local_server.script("/hung", Reply(200, delay=2.0))
    with client(fake, timeout=0.2, max_retries=1) as http, pytest.raises(FetchError) as caught:
        http.get(local_server.url("/hung"))
    assert (caught.value.status, caught.value.retryable) == (None, True)
    assert "did not answer within 0.2 s, twice" in str(caught.value)


def test_a_body_cut_short_is_retried(local_server, fake):
    body = b"<feed>" + b"x" * 5000 + b"</feed>"
    local_server.script("/big", Reply(200, body=body, truncate=100), Reply(200, body=body))
    with client(fake) as http:
        assert http.get(local_server.url("/big")).content == body
    assert len(local_server.requests_for("/big")) == 2


def test_a_connection_closed_without_answer_is_retried(local_server, fake):
    local_server.script("/flaky", Reply(drop=True), Reply(200, body="ok"))
    with client(fake) as http:
        assert http.get(local_server.url("/flaky")).text == "ok"


def test_a_refused_connection_ends_in_a_retryable_fetch_error(fake):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with client(fake, max_retries=1) as http, pytest.raises(FetchError) as caught:
        http.get(f"http://127.0.0.1:{port}/")
    assert (caught.value.status, caught.value.retryable) == (None, True)
    assert "check the network" in str(caught.value) and "twice" in str(caught.value)


def test_304_not_modified_is_returned(local_server, fake):
    local_server.script("/cached", Reply(304))
    with client(fake) as http:
        assert http.get(local_server.url("/cached")).status_code == 304


def test_redirects_are_followed(local_server, fake):
    local_server.script("/old", Reply(301, headers={"Location": "/new"}))
    local_server.script("/new", Reply(200, body="moved"))
    with client(fake) as http:
        assert http.get(local_server.url("/old")).text == "moved"


def test_min_interval_spaces_requests_with_jitter(local_server, fake):
    local_server.script("/p", Reply(200, body="ok"))
    with client(fake, min_interval=3.0, jitter=lambda: 0.5) as http:
        for _ in range(3):
            http.get(local_server.url("/p"))
        fake.now += 2.0  # the caller spent 2 s elsewhere: only the rest is waited
        http.get(local_server.url("/p"))
    assert fake.sleeps == pytest.approx([3.15, 3.15, 1.15])  # 3 s + 10 % of the interval x jitter 0.5
    assert len(local_server.requests_for("/p")) == 4


def test_min_interval_holds_on_the_wire_with_the_real_clock(local_server):
    local_server.script("/p", Reply(200, body="ok"))
    with PoliteClient(min_interval=0.2, timeout=5.0) as http:
        for _ in range(3):
            http.get(local_server.url("/p"))
    arrivals = [r.at for r in local_server.requests_for("/p")]
    gaps = [b - a for a, b in zip(arrivals, arrivals[1:])]
    assert all(gap >= 0.19 for gap in gaps), gaps


def test_close_and_context_manager(fake):
    http = client(fake)
    with http as same:
        assert same is http
    assert http._client.is_closed
    with pytest.raises(RuntimeError):
        http.get("http://127.0.0.1:9/")


@pytest.mark.parametrize("bad", [{"min_interval": -1}, {"max_retries": -1}, {"backoff_base": 0.5}, {"timeout": 0}])
def test_nonsense_settings_are_refused(bad):
    with pytest.raises(ValueError):
        PoliteClient(**bad)


def test_retry_after_parsing():
    assert retry_after_seconds(httpx.Headers({"Retry-After": "120"})) == 120
    headers = httpx.Headers({"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT", "Date": "Wed, 21 Oct 2015 07:27:30 GMT"})
    assert retry_after_seconds(headers) == 30
    past = httpx.Headers({"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"})
    assert retry_after_seconds(past, now=time.time()) == 0  # a date in the past means "now"
    assert retry_after_seconds(httpx.Headers({"Retry-After": "soon"})) is None
    assert retry_after_seconds(httpx.Headers({})) is None
