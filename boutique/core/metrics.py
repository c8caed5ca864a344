"""Prometheus metrics at /metrics: django-prometheus's request, database and
migration metrics plus the shop's own queue gauges, read at scrape time.

Never public: a scrape is allowed only from an address in METRICS_ALLOWED_IPS
(the client address as boutique.core.net sees it, behind TRUSTED_PROXY_COUNT
proxies) or with `Authorization: Bearer <METRICS_TOKEN>`. With neither set the
endpoint answers 404."""

import hmac
import ipaddress
import os

import prometheus_client
from django.conf import settings
from django.db.models import Count, Min
from django.utils import timezone
from prometheus_client import multiprocess
from prometheus_client.core import GaugeMetricFamily

from .net import client_ip

CONTENT_TYPE = prometheus_client.CONTENT_TYPE_LATEST


def metrics_enabled() -> bool:
    return bool(settings.METRICS_ALLOWED_IPS or settings.METRICS_TOKEN)


def metrics_allowed(request) -> bool:
    token = settings.METRICS_TOKEN
    header = request.headers.get("Authorization", "")
    presented = header.removeprefix("Bearer ").encode()
    if token and header.startswith("Bearer ") and hmac.compare_digest(presented, token.encode()):
        return True
    try:
        address = ipaddress.ip_address(client_ip(request))
    except ValueError:
        return False
    for allowed in settings.METRICS_ALLOWED_IPS:
        try:
            if address in ipaddress.ip_network(allowed, strict=False):
                return True
        except ValueError:
            continue
    return False


class ShopCollector:
    """Outbox and background-job lag: what tells that the worker or beat is
    behind although every request succeeds."""

    def collect(self):
        from boutique.inventory.models import Reservation, ReservationState
        from boutique.notifications.models import Notification, NotificationStatus

        now = timezone.now()
        by_status = dict(
            Notification.objects.order_by()
            .values_list("status")
            .annotate(n=Count("id"))
            .values_list("status", "n")
        )
        outbox = GaugeMetricFamily(
            "boutique_notifications", "Outbox rows by status", labels=["status"]
        )
        for status in NotificationStatus.values:
            outbox.add_metric([status], by_status.get(status, 0))
        yield outbox

        oldest_due = (
            Notification.objects.filter(status=NotificationStatus.PENDING)
            .exclude(next_attempt_at__gt=now)
            .aggregate(oldest=Min("created_at"))["oldest"]
        )
        yield GaugeMetricFamily(
            "boutique_notifications_oldest_due_seconds",
            "Age of the oldest pending notification that is due (0 when none)",
            value=(now - oldest_due).total_seconds() if oldest_due else 0,
        )

        expired = Reservation.objects.filter(state=ReservationState.ACTIVE, expires_at__lte=now)
        lag = expired.aggregate(first=Min("expires_at"), n=Count("id"))
        yield GaugeMetricFamily(
            "boutique_reservations_expired_unreleased",
            "Active reservations past their expiry the clean-up job has not released",
            value=lag["n"],
        )
        yield GaugeMetricFamily(
            "boutique_reservation_release_lag_seconds",
            "How long the oldest expired reservation has waited for the clean-up job",
            value=(now - lag["first"]).total_seconds() if lag["first"] else 0,
        )


def metrics_payload() -> bytes:
    """Process metrics (every gunicorn worker's, merged, in multiprocess mode:
    PROMETHEUS_MULTIPROC_DIR) followed by the shop's gauges."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = prometheus_client.CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = prometheus_client.REGISTRY
    shop = prometheus_client.CollectorRegistry()
    shop.register(ShopCollector())
    return prometheus_client.generate_latest(registry) + prometheus_client.generate_latest(shop)
