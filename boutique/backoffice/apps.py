from django.apps import AppConfig


class BackofficeConfig(AppConfig):
    """The back office's own pieces: the dashboard on the admin index and the
    shop's social links (managed here, shown in the storefront footer)."""

    name = "boutique.backoffice"
    label = "backoffice"
    verbose_name = "Back office"
