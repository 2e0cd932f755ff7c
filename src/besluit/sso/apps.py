from django.apps import AppConfig


class SsoConfig(AppConfig):
    name = "besluit.sso"
    verbose_name = "Single sign-on"
