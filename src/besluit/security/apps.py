from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SecurityConfig(AppConfig):
    name = "besluit.security"
    verbose_name = _("Security")

    def ready(self) -> None:
        from besluit.security import filemodes, signals

        signals.connect()
        filemodes.connect()
