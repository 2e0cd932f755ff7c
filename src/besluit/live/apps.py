from django.apps import AppConfig


class LiveConfig(AppConfig):
    name = "besluit.live"
    verbose_name = "Live meeting"

    def ready(self):
        from besluit.live import listeners

        listeners.connect()
