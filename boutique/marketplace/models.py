from django.conf import settings
from django.db import models

from boutique.core.models import TimeStamped


class SellerStatus(models.TextChoices):
    PENDING = "pending", "Pending approval"
    ACTIVE = "active", "Active"
    SUSPENDED = "suspended", "Suspended"
    REJECTED = "rejected", "Rejected"
    CLOSED = "closed", "Closed"


class Seller(TimeStamped):
    """An independent seller's store. Only active sellers' products are shown.
    (Onboarding, commissions and payouts arrive with the marketplace issue.)"""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="seller_stores"
    )
    store_name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=140, unique=True)
    description = models.TextField(blank=True)
    status = models.CharField(
        max_length=16, choices=SellerStatus.choices, default=SellerStatus.PENDING, db_index=True
    )

    class Meta:
        ordering = ["store_name"]

    def __str__(self):
        return self.store_name
