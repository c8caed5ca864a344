from django.apps import AppConfig


class SupportConfig(AppConfig):
    name = "boutique.support"
    label = "support"
