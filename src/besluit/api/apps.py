from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "besluit.api"
    verbose_name = "REST API"
