from django.apps import AppConfig


class ProposalsConfig(AppConfig):
    name = "besluit.proposals"
    verbose_name = "Proposals"
