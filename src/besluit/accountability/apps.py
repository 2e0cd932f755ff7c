from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountabilityConfig(AppConfig):
    name = "besluit.accountability"
    verbose_name = _("Accountability")

    def ready(self) -> None:
        from besluit import hooks

        # By name: the services (and the voting services under them) load at the first event.
        listeners = "besluit.accountability.services.listeners"
        hooks.listen(hooks.SubmissionDecided, f"{listeners}:on_submission_decided")
        hooks.listen(hooks.PollClosed, f"{listeners}:on_poll_closed")
