from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DailyConfig(AppConfig):
    """The public daily front page: curated picks, upvotes, submissions, trending, subscriptions."""

    name = "academichub.daily"
    label = "daily"
    verbose_name = _("Daily papers")


    def ready(self) -> None:
        """A pick, a submission or an organisation changes cards every reader sees: drop the cached pages."""
        from django.db.models.signals import post_delete, post_save

        from academichub.daily import page_cache
        from academichub.daily.models import PaperOrganization, Pick, Submission

        for model in (Pick, Submission, PaperOrganization):
            post_save.connect(page_cache.invalidate, sender=model, dispatch_uid=f"daily-pages-{model.__name__}-save")
            post_delete.connect(page_cache.invalidate, sender=model, dispatch_uid=f"daily-pages-{model.__name__}-delete")
