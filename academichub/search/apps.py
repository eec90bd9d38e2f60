from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "academichub.search"
    label = "search"
    verbose_name = "Search"
