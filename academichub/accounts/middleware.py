"""Per-reader language and time zone for signed-in users."""

from __future__ import annotations

from django.utils import timezone, translation

from academichub.accounts.models import profile_for
from academichub.accounts.preferences import is_language, load_zone


class UserPreferencesMiddleware:
    """Apply a signed-in reader's saved language and time zone to the request.

    Sits after LocaleMiddleware (which chose a language from the cookie or
    Accept-Language) and AuthenticationMiddleware, so for signed-in readers the
    profile wins and the same account reads the same on every device; anonymous
    readers keep LocaleMiddleware's choice and the server's TIME_ZONE."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            apply_preferences(request, profile_for(user))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()  # threads serve other readers next


def apply_preferences(request, profile) -> None:
    if is_language(profile.language):
        translation.activate(profile.language)
        request.LANGUAGE_CODE = translation.get_language()
    zone = load_zone(profile.time_zone)
    if zone is not None:
        timezone.activate(zone)
