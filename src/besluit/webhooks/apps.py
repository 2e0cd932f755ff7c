from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "besluit.webhooks"
    verbose_name = "Webhooks"

    def ready(self) -> None:
        from besluit.webhooks import listeners

        listeners.register()
