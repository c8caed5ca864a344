from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "boutique.audit"
    label = "audit"
    verbose_name = "Audit log"
