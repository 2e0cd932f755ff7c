from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "besluit.accounts"
    verbose_name = "Accounts"
