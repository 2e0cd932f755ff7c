from django.apps import AppConfig


class TextsConfig(AppConfig):
    name = "besluit.texts"
    verbose_name = "Texts"
    default_auto_field = "django.db.models.BigAutoField"
