from django.conf import settings
from django.db import models


class AuditLog(models.Model):
    """One row per change of an audited entity: who, what, old and new values."""

    entity_type = models.CharField(max_length=64, db_index=True)
    entity_id = models.CharField(max_length=64)
    action = models.CharField(max_length=64, db_index=True)
    old = models.JSONField(default=dict, blank=True)
    new = models.JSONField(default=dict, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_label = models.CharField(max_length=255, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["entity_type", "entity_id", "-at"])]

    def __str__(self):
        return f"{self.entity_type}#{self.entity_id} {self.action}"
