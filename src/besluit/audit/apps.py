from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "besluit.audit"
    verbose_name = "Audit"
