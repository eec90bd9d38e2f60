"""Who is calling the API: a personal access token or the browser session.

Personal endpoints use ``auth=personal_auth``::

    from academichub.api.auth import personal_auth

    @router.get("/mine", auth=personal_auth)
    def mine(request):
        request.auth  # the User (request.access_token is the token row, or None for a session)

A script sends ``Authorization: Bearer ahp_…`` (tokens are made in Settings →
API tokens); the hub's own pages call the same endpoints with the session
cookie (and Django's CSRF token on unsafe methods). Public endpoints that
personalise when they can call :func:`caller`.

Every API request is also counted by :class:`ApiThrottle` (installed on the
whole NinjaAPI): per token, per signed-in user, or per address for anonymous
calls, in fixed windows kept in the cache (``academichub.web.ratelimit``).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from ninja.security import HttpBearer
from ninja.security import SessionAuth as NinjaSessionAuth
from ninja.throttling import BaseThrottle

from academichub.web import ratelimit


class TokenAuth(HttpBearer):
    """``Authorization: Bearer <personal access token>``."""

    def authenticate(self, request: HttpRequest, token: str):
        from academichub.delivery import tokens

        row = tokens.authenticate(token)
        if row is None:
            return None
        request.user, request.access_token = row.user, row
        return row.user


class SessionAuth(NinjaSessionAuth):
    """The signed-in browser session (CSRF-checked by django-ninja on unsafe methods)."""

    def authenticate(self, request: HttpRequest, key):
        user = super().authenticate(request, key)
        if user is not None:
            request.access_token = None
        return user


# Tried in order: a token first (scripts), then the session (the hub's pages).
personal_auth = [TokenAuth(), SessionAuth()]


def caller(request: HttpRequest):
    """The user behind a request to a public endpoint: token, else session, else anonymous."""
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        user = TokenAuth().authenticate(request, header[7:].strip())
        if user is not None:
            return user
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else AnonymousUser()


# -- rate limits -------------------------------------------------------------------------------


def api_limit(signed_in: bool) -> ratelimit.Limit:
    """Requests per hour: ``API_RATE_LIMIT`` for tokens and sessions, ``API_RATE_LIMIT_ANON`` otherwise."""
    name, default = ("API_RATE_LIMIT", 3600) if signed_in else ("API_RATE_LIMIT_ANON", 1200)
    return ratelimit.Limit(attempts=int(getattr(settings, name, default)), window=3600)


def _who(request: HttpRequest) -> tuple[str, bool]:
    token = getattr(request, "access_token", None)
    if token is not None:
        return f"token:{token.pk}", True
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}", True
    return ratelimit.by_ip(request), False


class ApiThrottle(BaseThrottle):
    """Counts every API call against its caller; over the limit, 429 with Retry-After."""

    scope = "api"

    def allow_request(self, request: HttpRequest) -> bool:
        key, signed_in = _who(request)
        limit = api_limit(signed_in)
        if ratelimit.exceeded(self.scope, [key], limit):
            self._wait = limit.window
            return False
        ratelimit.hit(self.scope, key, limit)
        return True

    def wait(self) -> float | None:
        return getattr(self, "_wait", None)
