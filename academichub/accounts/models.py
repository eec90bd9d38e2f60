"""A reader's preferences, one row per user, kept beside Django's own User."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from academichub.accounts.preferences import default_language, default_time_zone, validate_time_zone


class Profile(models.Model):
    """Language and time zone. A separate table so the stock User model stays swappable."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile",
                                verbose_name=_("user"))  # fmt: skip
    language = models.CharField(_("language"), max_length=16, choices=settings.LANGUAGES, default=default_language)
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default=default_time_zone,
        validators=[validate_time_zone],
        help_text=_("An IANA name such as Asia/Shanghai; dates and times are shown in it."),
    )

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self) -> str:
        return str(self.user)


def profile_for(user) -> Profile:
    """The user's profile, created on first use for users who predate profiles
    (or were made with `academichub createuser` / the admin)."""
    profile, _created = Profile.objects.get_or_create(user=user)
    return profile


def is_curator(user) -> bool:
    """Curators are staff users: they may use /admin/ and moderate shared content."""
    return bool(user and user.is_authenticated and user.is_staff)
