from django.apps import AppConfig


class KidsConfig(AppConfig):
    name = "boutique.kids"
    label = "kids"
    verbose_name = "Children and sizes"
