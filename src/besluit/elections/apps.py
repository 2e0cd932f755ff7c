from django.apps import AppConfig


class ElectionsConfig(AppConfig):
    name = "besluit.elections"
    verbose_name = "Elections"
