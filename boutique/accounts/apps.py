from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "boutique.accounts"
    label = "accounts"
