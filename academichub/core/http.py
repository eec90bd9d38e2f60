"""A polite HTTP client for crawling scholarly services.

arXiv asks harvesters for "no more than one request every three seconds" and
answers bursts with 503 + ``Retry-After``; other services behave alike. Every
source goes through ``PoliteClient`` so that spacing, retries and the wording
of failures are the same everywhere. Time is injected (``sleep``, ``clock``,
``jitter``) so the tests can check the waits without waiting.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import httpx

DEFAULT_USER_AGENT = "AcademicHub/0.1 (self-hosted paper hub; polite crawler)"
RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_WAIT = 600.0  # seconds; a longer Retry-After means "come back later", not "wait"
RESUME_HINT = "the run will resume from its checkpoint next time"


class FetchError(Exception):
    """A request that did not produce a usable response.

    ``status`` is the last HTTP status (None when no response arrived);
    ``retryable`` tells the scheduler whether trying again later can help
    (a 503 can, a 404 cannot); ``body`` keeps the last response body because
    some services explain the failure there (arXiv's API puts its error in an
    Atom entry of the 400 response).
    """

    def __init__(self, message: str, *, url: str, status: int | None = None,
                 retryable: bool = False, body: bytes = b""):  # fmt: skip
        super().__init__(message)
        self.url = url
        self.status = status
        self.retryable = retryable
        self.body = body


class PoliteClient:
    """``httpx.Client`` with spacing between requests, retries and clear errors.

    One instance per service: the spacing is per client. Requests are
    serialised by a lock so threads sharing a client still keep the spacing.
    ``max_retries`` counts retries, so a request is tried ``max_retries + 1``
    times in all.
    """

    def __init__(self, min_interval: float = 3.0, max_retries: int = 4, backoff_base: float = 2.0,
                 timeout: float = 30.0, user_agent: str = DEFAULT_USER_AGENT,
                 sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic,
                 jitter: Callable[[], float] = random.random, *,
                 max_wait: float = MAX_WAIT, name: str | None = None,
                 headers: Mapping[str, str] | None = None,
                 transport: httpx.BaseTransport | None = None):  # fmt: skip
        if min_interval < 0 or max_retries < 0 or backoff_base < 1 or timeout <= 0:
            raise ValueError("min_interval and max_retries must be >= 0, backoff_base >= 1, timeout > 0")
        self.min_interval = min_interval
        self.max_retries = max_retries
        self.backoff_base = backoff_base
        self.timeout = timeout
        self.max_wait = max_wait
        self.name = name
        self._sleep, self._clock, self._jitter = sleep, clock, jitter
        self._last_request: float | None = None
        self._lock = threading.Lock()
        self._client = httpx.Client(
            timeout=httpx.Timeout(timeout), follow_redirects=True, transport=transport,
            headers={"User-Agent": user_agent, **dict(headers or {})},
        )

    # -- public API ---------------------------------------------------------

    def get(self, url: str, params: Mapping[str, object] | None = None) -> httpx.Response:
        """GET ``url``; returns only a 2xx (or 304) response, else raises ``FetchError``."""
        with self._lock:
            return self._get_with_retries(url, params)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> PoliteClient:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    # -- the retry loop -----------------------------------------------------

    def _get_with_retries(self, url: str, params) -> httpx.Response:
        """Try up to ``max_retries + 1`` times, sleeping as long as each failure asks."""
        failure: _Failure | None = None
        for attempt in range(self.max_retries + 1):
            if failure is not None:
                self._sleep(failure.wait)
            self._respect_interval()
            outcome = self._attempt(url, params, attempt)
            if isinstance(outcome, httpx.Response):
                return outcome
            failure = outcome
            if not failure.retryable:
                raise failure.error(self, url, attempt + 1)
        raise failure.error(self, url, self.max_retries + 1, exhausted=True)

    def _attempt(self, url: str, params, attempt: int) -> httpx.Response | _Failure:
        """One request; the response if usable, else a ``_Failure`` saying what to do."""
        try:
            response = self._client.get(url, params=params)
        except httpx.TimeoutException as exc:
            return _Failure("timeout", exc=exc, wait=self._backoff(attempt))
        except httpx.TooManyRedirects as exc:
            return _Failure("redirects", exc=exc, retryable=False)
        except httpx.TransportError as exc:  # refused, reset, cut-off body, DNS ...
            return _Failure("connection", exc=exc, wait=self._backoff(attempt))
        finally:
            self._last_request = self._clock()
        if response.is_success or response.status_code == 304:
            return response
        return self._status_failure(response, attempt)

    def _status_failure(self, response: httpx.Response, attempt: int) -> _Failure:
        """Retry 429/5xx after ``Retry-After`` (or backoff); give up on the rest, or on waits over the cap."""
        status = response.status_code
        if status not in RETRYABLE_STATUSES:
            return _Failure("status", response=response, retryable=False)
        asked = retry_after_seconds(response.headers, now=time.time())
        if asked is not None and asked > self.max_wait:
            return _Failure("too_long", response=response, wait=asked, retryable=False,
                            give_up_later=True, cap=self.max_wait)  # fmt: skip
        wait = asked if asked is not None else self._backoff(attempt)
        return _Failure("status", response=response, wait=wait)

    # -- waiting ------------------------------------------------------------

    def _respect_interval(self) -> None:
        """Sleep until ``min_interval`` (+ up to 10 % jitter) has passed since the last request."""
        if self._last_request is None or self.min_interval <= 0:
            return
        spacing = self.min_interval * (1.0 + 0.1 * self._jitter())
        remaining = spacing - (self._clock() - self._last_request)
        if remaining > 0:
            self._sleep(remaining)

    def _backoff(self, attempt: int) -> float:
        """Exponential backoff (base**(attempt+1) s) plus up to one second of jitter, capped."""
        return min(self.backoff_base ** (attempt + 1) + self._jitter(), self.max_wait)

    def service_name(self, url: str) -> str:
        """How messages name the service: the ``name`` given, "arXiv", or the host."""
        if self.name:
            return self.name
        host = urlsplit(url).hostname or url
        return "arXiv" if host == "arxiv.org" or host.endswith(".arxiv.org") else host


class _Failure:
    """What went wrong with one attempt, how long to wait, and whether to retry."""

    def __init__(self, kind: str, *, exc: Exception | None = None, response: httpx.Response | None = None,
                 wait: float = 0.0, retryable: bool = True, give_up_later: bool = False,
                 cap: float = MAX_WAIT):  # fmt: skip
        self.kind, self.exc, self.response, self.cap = kind, exc, response, cap
        self.wait, self.retryable = wait, retryable
        self.give_up_later = give_up_later  # not retried now, but worth retrying on a later run

    def error(self, client: PoliteClient, url: str, attempts: int, exhausted: bool = False) -> FetchError:
        status = self.response.status_code if self.response is not None else None
        body = self.response.content if self.response is not None else b""
        message = _message(self, client.service_name(url), url, attempts, client.timeout, exhausted)
        retryable = exhausted or self.give_up_later or (status in RETRYABLE_STATUSES)
        return FetchError(message, url=url, status=status, retryable=retryable, body=body)


_NUMBERS = {1: "once", 2: "twice", 3: "three times", 4: "four times", 5: "five times", 6: "six times"}


def _times(n: int) -> str:
    return _NUMBERS.get(n, f"{n} times")


def _message(failure: _Failure, name: str, url: str, attempts: int, timeout: float, exhausted: bool) -> str:
    """The human message: what happened, and what the user (or the scheduler) should do."""
    if failure.kind == "timeout":
        return (f"{name} did not answer within {timeout:g} s, {_times(attempts)} ({url}); "
                f"the service or the network is slow — {RESUME_HINT}")  # fmt: skip
    if failure.kind == "connection":
        return (f"could not get a complete answer from {name} ({failure.exc or 'connection error'}), "
                f"{_times(attempts)} ({url}); check the network connection, proxy or firewall "
                f"— {RESUME_HINT}")  # fmt: skip
    if failure.kind == "redirects":
        return f"{name} redirected too many times ({url}); the address is probably wrong — check it"
    status = failure.response.status_code
    reason = failure.response.reason_phrase or ""
    if failure.kind == "too_long":
        return (f"{name} answered {status} and asked us to wait {failure.wait:.0f} s, longer than "
                f"the {failure.cap:.0f} s we are willing to wait ({url}); {RESUME_HINT}")  # fmt: skip
    if exhausted:
        why = ("it is rate-limiting us; the crawler will slow down" if status == 429
               else "it may be down for maintenance")  # fmt: skip
        return f"{name} answered {status} {_times(attempts)} ({url}); {why} — {RESUME_HINT}"
    return f"{name} answered {status} {reason} for {url}; {_advice(status)}"


def _advice(status: int) -> str:
    """What to do about a status that retrying will not fix."""
    if status == 404 or status == 410:
        return "the address or identifier does not exist — check it (not retried)"
    if status in (401, 403):
        return "access was refused — check credentials, or whether the service blocks this client (not retried)"
    if status == 400 or status == 422:
        return "the service rejected the request as malformed — check the query parameters (not retried)"
    return "this is not a temporary error, so it was not retried — check the request"


def retry_after_seconds(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """Seconds asked for by ``Retry-After`` (delta-seconds or HTTP-date), or None.

    For an HTTP-date the response's own ``Date`` header is the reference when
    present, so our clock being off does not matter; else ``now`` (epoch s).
    """
    value = (headers.get("retry-after") or "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    when = _http_date(value)
    if when is None:
        return None
    reference = _http_date(headers.get("date") or "")
    base = reference.timestamp() if reference else (now if now is not None else time.time())
    return max(0.0, when.timestamp() - base)


def _http_date(value: str) -> datetime | None:
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)
