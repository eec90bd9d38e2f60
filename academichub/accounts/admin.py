from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from academichub.accounts.models import Profile


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    """Profiles beside users; staff users are the hub's curators."""

    list_display = ("user", "email", "language", "time_zone", "curator")
    list_filter = ("language", "user__is_staff")
    search_fields = ("user__username", "user__email")
    list_select_related = ("user",)
    raw_id_fields = ("user",)

    @admin.display(description=_("email"), ordering="user__email")
    def email(self, profile: Profile) -> str:
        return profile.user.email

    @admin.display(boolean=True, description=_("curator"), ordering="user__is_staff")
    def curator(self, profile: Profile) -> bool:
        return profile.user.is_staff
