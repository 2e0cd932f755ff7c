from django.apps import AppConfig


class AssociationsConfig(AppConfig):
    name = "besluit.associations"
    verbose_name = "Associations"
