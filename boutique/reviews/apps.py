from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "boutique.reviews"
    label = "reviews"
