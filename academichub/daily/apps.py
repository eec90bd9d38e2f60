from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DailyConfig(AppConfig):
    """The public daily front page: curated picks, upvotes, submissions, trending, subscriptions."""

    name = "academichub.daily"
    label = "daily"
    verbose_name = _("Daily papers")

