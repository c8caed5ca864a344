from django.db import models


class TimeStamped(models.Model):
    """created_at / updated_at on every row that changes over time."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
