"""Which languages and time zones a reader may choose, without touching the database.

Kept apart from the model so the middleware, the forms and the language switch
agree on one definition of "valid" (a profile may hold a value saved before a
language was removed or a zone renamed; callers then fall back, never crash).
"""

from __future__ import annotations

from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def default_language() -> str:
    """Callable default, so changing LANGUAGE_CODE never needs a migration."""
    return settings.LANGUAGE_CODE


def default_time_zone() -> str:
    """Callable default, so changing TIME_ZONE never needs a migration."""
    return settings.TIME_ZONE


def is_language(code: str | None) -> bool:
    return bool(code) and code in dict(settings.LANGUAGES)


# Files in the system zone database that are not zone names (Debian links
# "localtime" to /etc/localtime: the server's zone, not a reader's).
NOT_ZONES = frozenset({"localtime", "posixrules", "Factory"})


@lru_cache(maxsize=1)
def time_zone_names() -> tuple[str, ...]:
    """The IANA names this machine knows, sorted (for the settings page's list)."""
    return tuple(sorted(available_timezones() - NOT_ZONES))


def load_zone(name: str | None) -> ZoneInfo | None:
    """The zone for an IANA name, or None when zoneinfo cannot load it."""
    if not name:
        return None
    try:
        zone = ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None
    known = time_zone_names()
    if name in NOT_ZONES or (known and name not in known):
        return None
    return zone


def is_time_zone(name: str | None) -> bool:
    return load_zone(name) is not None


def validate_time_zone(name: str) -> None:
    """Model/form validator: only names zoneinfo can load are stored."""
    if not is_time_zone(name):
        raise ValidationError(
            _("“%(name)s” is not a time zone. Use an IANA name such as Asia/Shanghai or Europe/Berlin."),
            code="invalid_time_zone",
            params={"name": name},
        )
