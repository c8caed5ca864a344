from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "boutique.orders"
    label = "orders"
