from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "boutique.core"
    label = "core"
