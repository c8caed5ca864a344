from django.apps import AppConfig


class ShippingConfig(AppConfig):
    name = "boutique.shipping"
    label = "shipping"
    verbose_name = "Shipping"
