from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "boutique.notifications"
    label = "notifications"
