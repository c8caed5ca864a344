from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "boutique.payments"
    label = "payments"
