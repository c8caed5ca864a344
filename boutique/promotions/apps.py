from django.apps import AppConfig


class PromotionsConfig(AppConfig):
    name = "boutique.promotions"
    label = "promotions"
    verbose_name = "Promotions"
