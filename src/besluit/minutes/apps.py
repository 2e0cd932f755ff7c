from django.apps import AppConfig


class MinutesConfig(AppConfig):
    name = "besluit.minutes"
    verbose_name = "Minutes"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from besluit.minutes import listeners

        listeners.connect()
