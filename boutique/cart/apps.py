from django.apps import AppConfig


class CartConfig(AppConfig):
    name = "boutique.cart"
    label = "cart"
