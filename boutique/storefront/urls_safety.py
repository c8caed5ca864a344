"""Issue 13's storefront addresses: subscribing to a sold-out option and the
unsubscribe link of the back-in-stock message. Included at the site root by
urls.py, in the storefront namespace."""

from django.urls import path

from .views import stock_alerts

urlpatterns = [
    path(
        "p/<slug:slug>/stock-alert/",
        stock_alerts.stock_alert_subscribe,
        name="stock_alert_subscribe",
    ),
    path(
        "stock-alerts/unsubscribe/<str:token>/",
        stock_alerts.stock_alert_unsubscribe,
        name="stock_alert_unsubscribe",
    ),
]
