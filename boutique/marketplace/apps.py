from django.apps import AppConfig


class MarketplaceConfig(AppConfig):
    name = "boutique.marketplace"
    label = "marketplace"
