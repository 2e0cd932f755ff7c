from django.apps import AppConfig


class OpendataConfig(AppConfig):
    name = "besluit.opendata"
    verbose_name = "Opendata"
