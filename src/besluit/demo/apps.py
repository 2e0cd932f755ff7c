from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "besluit.demo"
    verbose_name = "Demo"
