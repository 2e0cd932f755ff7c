from django.apps import AppConfig


class VotingConfig(AppConfig):
    name = "besluit.voting"
    verbose_name = "Voting"
