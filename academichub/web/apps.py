from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "academichub.web"
    label = "web"
    verbose_name = "Web"
