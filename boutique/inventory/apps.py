from django.apps import AppConfig


class InventoryConfig(AppConfig):
    name = "boutique.inventory"
    label = "inventory"
