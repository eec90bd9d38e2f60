"""Fixed-window rate limits kept in Django's cache, for any form that can be abused.

Why the cache: no table and no migration, the same code on LocMem (one
process) and Redis (all workers and hosts), and counters expire by themselves.
Why a fixed window: one counter per key is enough to slow down password
guessing and account spam; a burst across a window boundary may reach twice the
limit, which is acceptable for that purpose.

Usage (login counts only failures, by address and by account)::

    @ratelimit("login", keys=(by_ip, by_field("username")), counts=not_signed_in)
    def login(request): ...
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from functools import wraps
from typing import Callable, Iterable

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.translation import ngettext

KeyFunc = Callable[[HttpRequest], "str | None"]
CountFunc = Callable[[HttpRequest, HttpResponse], bool]


@dataclass(frozen=True)
class Limit:
    """At most `attempts` counted requests per key within `window` seconds."""

    attempts: int = 10
    window: int = 15 * 60


DEFAULT_LIMIT = Limit()


# -- keys: what one counter is about ------------------------------------------------------


def client_ip(request: HttpRequest) -> str:
    """REMOTE_ADDR only: forwarded headers are trivially forged unless a proxy
    we control rewrites them, so behind a proxy configure it to set REMOTE_ADDR."""
    return request.META.get("REMOTE_ADDR") or "unknown"


def by_ip(request: HttpRequest) -> str:
    return "ip:" + client_ip(request)


def by_field(name: str) -> KeyFunc:
    """A key from a POSTed field (case-folded), e.g. the username being tried."""

    def key(request: HttpRequest) -> str | None:
        value = (request.POST.get(name) or "").strip().casefold()
        return f"{name}:{value}" if value else None

    return key


def cache_key(scope: str, key: str) -> str:
    """Hashed, so user input never reaches the cache backend's key syntax."""
    digest = hashlib.sha256(f"{scope}\0{key}".encode()).hexdigest()[:40]
    return f"ratelimit:{scope}:{digest}"


# -- counters -------------------------------------------------------------------------------


def count(scope: str, key: str) -> int:
    return int(cache.get(cache_key(scope, key), 0))


def hit(scope: str, key: str, limit: Limit = DEFAULT_LIMIT) -> int:
    """Count one attempt; the window starts with the first attempt."""
    name = cache_key(scope, key)
    cache.add(name, 0, timeout=limit.window)
    try:
        return cache.incr(name)
    except ValueError:  # expired between add() and incr()
        cache.set(name, 1, timeout=limit.window)
        return 1


def exceeded(scope: str, keys: Iterable[str], limit: Limit = DEFAULT_LIMIT) -> bool:
    return any(count(scope, key) >= limit.attempts for key in keys)


def reset(scope: str, key: str) -> None:
    cache.delete(cache_key(scope, key))


# -- the decorator -------------------------------------------------------------------------


def every_attempt(request: HttpRequest, response: HttpResponse) -> bool:
    return True


def not_signed_in(request: HttpRequest, response: HttpResponse) -> bool:
    """For login views: only attempts that did not sign anyone in count."""
    user = getattr(request, "user", None)
    return not (user and user.is_authenticated)


def too_many(request: HttpRequest, limit: Limit = DEFAULT_LIMIT) -> HttpResponse:
    """HTTP 429 as a normal error page, with Retry-After for scripts."""
    from academichub.web.views import error_page

    minutes = math.ceil(limit.window / 60)
    message = ngettext(
        "Too many attempts. For your security, please wait %(minutes)d minute and try again.",
        "Too many attempts. For your security, please wait %(minutes)d minutes and try again.",
        minutes,
    ) % {"minutes": minutes}
    response = error_page(request, 429, message)
    response["Retry-After"] = str(limit.window)
    return response


def ratelimit(scope: str, *, keys: Iterable[KeyFunc] = (by_ip,), limit: Limit = DEFAULT_LIMIT,
              methods: Iterable[str] = ("POST",), counts: CountFunc = every_attempt):  # fmt: skip
    """Refuse a view with 429 once any of its keys used up `limit`; otherwise run
    it and, if `counts(request, response)`, count the attempt against every key."""
    keys, methods = tuple(keys), frozenset(methods)

    def decorator(view):
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.method not in methods:
                return view(request, *args, **kwargs)
            found = [key for key in (make(request) for make in keys) if key]
            if exceeded(scope, found, limit):
                return too_many(request, limit)
            response = view(request, *args, **kwargs)
            if counts(request, response):
                for key in found:
                    hit(scope, key, limit)
            return response

        return wrapper

    return decorator
