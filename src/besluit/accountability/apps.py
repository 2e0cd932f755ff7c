from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountabilityConfig(AppConfig):
    name = "besluit.accountability"
    verbose_name = _("Accountability")

    def ready(self) -> None:
        from besluit import hooks
        from besluit.accountability import services

        hooks.listen(hooks.SubmissionDecided, services.on_submission_decided)
        hooks.listen(hooks.PollClosed, services.on_poll_closed)
