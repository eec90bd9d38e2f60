from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "academichub.ops"
    label = "ops"
    verbose_name = "Operations"
