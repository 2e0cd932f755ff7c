from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "besluit.accounts"
    verbose_name = "Accounts"

    def ready(self):
        # The <id:...> URL converter, before any urls.py or views module builds its
        # routes (the first of our apps to be ready; besluit.urls imports it as well).
        from besluit import converters  # noqa: F401
