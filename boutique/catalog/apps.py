from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "boutique.catalog"
    label = "catalog"
