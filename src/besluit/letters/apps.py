from django.apps import AppConfig


class LettersConfig(AppConfig):
    name = "besluit.letters"
    verbose_name = "Letters"
