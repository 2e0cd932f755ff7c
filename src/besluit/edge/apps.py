from django.apps import AppConfig


class EdgeConfig(AppConfig):
    name = "besluit.edge"
    verbose_name = "Edge (event stream, ballots, the server)"
