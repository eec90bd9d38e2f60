"""Sign-up and settings forms; Django's own forms do login and password reset."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UserCreationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from academichub.accounts.models import Profile


class SignUpForm(UserCreationForm):
    """Username, email and password (checked by AUTH_PASSWORD_VALIDATORS).

    Email is required and unique because it is the only way back in after a
    forgotten password. The hidden time zone is filled by accounts.js from the
    browser, so new readers see local times without visiting settings."""

    email = forms.EmailField(
        label=_("Email"),
        max_length=254,
        help_text=_("Used for password resets and, if you ask for it, digests. Never shown to others."),
    )
    time_zone = forms.CharField(required=False, max_length=64,
                                widget=forms.HiddenInput(attrs={"data-detect-time-zone": ""}))  # fmt: skip

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ("username", "email")

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip()
        if get_user_model().objects.filter(email__iexact=email).exists():
            raise ValidationError(
                _("An account with this email address exists already. Sign in, or reset its password."),
                code="duplicate_email",
            )
        return email


class ProfileForm(forms.ModelForm):
    """Language and time zone; the time zone is free text with a list of IANA names."""

    class Meta:
        model = Profile
        fields = ("language", "time_zone")
        widgets = {
            "time_zone": forms.TextInput(attrs={"list": "time-zones", "autocomplete": "off", "spellcheck": "false"}),
        }
