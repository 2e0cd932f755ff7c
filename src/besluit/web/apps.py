from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "besluit.web"
    verbose_name = "Web"
