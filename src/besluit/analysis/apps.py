from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalysisConfig(AppConfig):
    """No models: the app exists for its page, templates and ``weights`` command."""

    name = "besluit.analysis"
    verbose_name = _("Voting power analysis")
