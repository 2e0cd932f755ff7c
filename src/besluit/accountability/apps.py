from django.apps import AppConfig


class AccountabilityConfig(AppConfig):
    name = "besluit.accountability"
    verbose_name = "Accountability"
