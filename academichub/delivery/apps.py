from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeliveryConfig(AppConfig):
    """Sending things out: email now (``delivery.mail``); feeds and webhooks come with the delivery issue."""

    name = "academichub.delivery"
    label = "delivery"
    verbose_name = _("Delivery")
