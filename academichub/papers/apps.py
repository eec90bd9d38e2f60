from django.apps import AppConfig


class PapersConfig(AppConfig):
    name = "academichub.papers"
    label = "papers"
    verbose_name = "Catalogue"

    def ready(self) -> None:
        from academichub.papers import signals  # noqa: F401 — connects the receivers
