"""Issuing, checking and revoking personal access tokens.

A token looks like ``ahp_`` + 43 URL-safe characters (256 random bits). The
prefix lets secret scanners and people recognise it; only its SHA-256 digest
is stored (``PersonalAccessToken.digest``), so checking a token is one indexed
lookup. ``last_used_at`` is written at most once a minute per token, so a
busy script does not turn every API read into a database write.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.utils import timezone

from academichub.delivery.token_models import PersonalAccessToken

PREFIX = "ahp_"
MAX_ACTIVE = 50  # tokens per user: more is a runaway script, not a person
TOUCH_EVERY = timedelta(minutes=1)


class TooManyTokens(Exception):
    """The user already has MAX_ACTIVE tokens: revoke one first."""


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue(user, name: str) -> tuple[PersonalAccessToken, str]:
    """A new token for `user`: the row, and the token itself (shown once, never stored)."""
    if PersonalAccessToken.objects.filter(user=user, revoked_at=None).count() >= MAX_ACTIVE:
        raise TooManyTokens
    token = PREFIX + secrets.token_urlsafe(32)
    row = PersonalAccessToken.objects.create(user=user, name=" ".join(name.split())[:100],
                                             prefix=token[:10], digest=digest(token))  # fmt: skip
    return row, token


def authenticate(token: str) -> PersonalAccessToken | None:
    """The active token row for `token` (with its user), or None; records the use."""
    token = (token or "").strip()
    if not token.startswith(PREFIX) or len(token) > 200:
        return None
    row = (PersonalAccessToken.objects.select_related("user")
           .filter(digest=digest(token), revoked_at=None, user__is_active=True).first())  # fmt: skip
    if row is not None:
        touch(row)
    return row


def touch(row: PersonalAccessToken) -> None:
    now = timezone.now()
    if row.last_used_at is None or now - row.last_used_at >= TOUCH_EVERY:
        PersonalAccessToken.objects.filter(pk=row.pk).update(last_used_at=now)
        row.last_used_at = now


def revoke(user, token_id: int) -> bool:
    """Revoke one of `user`'s tokens; False if it is not theirs or already revoked."""
    return bool(PersonalAccessToken.objects.filter(pk=token_id, user=user, revoked_at=None)
                .update(revoked_at=timezone.now()))  # fmt: skip
