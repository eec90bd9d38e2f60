"""Personal access tokens: how scripts and other programs act for a user in the JSON API.

Only a SHA-256 digest of each token is stored (as GitHub does): the token is
shown once, when it is made, and a stolen database gives no usable token.
A plain hash is enough because the tokens are 256 random bits, not passwords.
See ``academichub.delivery.tokens`` for issuing and checking them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PersonalAccessToken(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="access_tokens",
                             verbose_name=_("user"))  # fmt: skip
    name = models.CharField(_("name"), max_length=100, help_text=_("What the token is for, e.g. “Zotero sync”."))
    prefix = models.CharField(max_length=16, help_text="The token's first characters, to recognise it in lists.")
    digest = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the token, hex.")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("personal access token")
        verbose_name_plural = _("personal access tokens")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def active(self) -> bool:
        return self.revoked_at is None
