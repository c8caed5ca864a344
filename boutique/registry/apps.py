from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "boutique.registry"
    label = "registry"
    verbose_name = "Gift registries"
