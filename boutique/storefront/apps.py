from django.apps import AppConfig


class StorefrontConfig(AppConfig):
    name = "boutique.storefront"
    label = "storefront"
