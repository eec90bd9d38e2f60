from django.apps import AppConfig


class SourcesConfig(AppConfig):
    name = "academichub.sources"
    label = "sources"
    verbose_name = "Sources"
