from django.db import models

from boutique.core.models import TimeStamped


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    SMS = "sms", "SMS"
    WHATSAPP = "whatsapp", "WhatsApp"


class NotificationStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class Notification(TimeStamped):
    """The outbox: a message to send, written in the same transaction as the
    change it tells about, so none is lost when a worker or the mail server is
    down. A dispatcher sends pending rows and records the outcome."""

    channel = models.CharField(max_length=10, choices=Channel.choices)
    recipient = models.CharField(max_length=254)
    template = models.CharField(max_length=80)
    context = models.JSONField(default=dict, blank=True)
    # Written in this language (settings.LANGUAGES; "" = the shop's default).
    language = models.CharField(max_length=10, blank=True, default="")
    status = models.CharField(
        max_length=10, choices=NotificationStatus.choices, default=NotificationStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # Pending: not before this time (backoff after a failure; null = now).
    # Sending: the claim's lease; a worker that died leaves it to expire.
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # Why it was sent, e.g. ("order", "BQ-2026-000123"): lets a retry not send twice.
    reference_type = models.CharField(max_length=40, blank=True)
    reference_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "created_at"], name="notification_queue"),
            models.Index(fields=["reference_type", "reference_id"], name="notification_reference"),
        ]

    def __str__(self):
        return f"{self.template} → {self.recipient} ({self.status})"
