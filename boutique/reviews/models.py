from django.conf import settings
from django.core.validators import (
    MaxLengthValidator,
    MaxValueValidator,
    MinLengthValidator,
    MinValueValidator,
)
from django.db import models
from django.db.models import Q

from boutique.core.models import TimeStamped

RATING_MIN, RATING_MAX = 1, 5
TITLE_MAX = 120
TEXT_MIN, TEXT_MAX = 10, 4000
REASON_MAX = 500


class ReviewStatus(models.TextChoices):
    PENDING = "pending", "Waiting for moderation"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class Review(TimeStamped):
    """A verified buyer's review of a product: one per customer and product.
    Only approved reviews are shown and counted in the product's rating."""

    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="reviews")
    # PROTECT: account deletion removes the reviews through
    # services.reviews_delete_for_user first (product figures in step); a plain
    # delete of the user must not drop them behind the services' back.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews"
    )
    rating = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(RATING_MIN), MaxValueValidator(RATING_MAX)]
    )
    title = models.CharField(max_length=TITLE_MAX)
    text = models.TextField(
        max_length=TEXT_MAX,
        # A TextField's max_length binds only forms: the model checks it too.
        validators=[MinLengthValidator(TEXT_MIN), MaxLengthValidator(TEXT_MAX)],
    )
    status = models.CharField(
        max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.PENDING
    )
    rejection_reason = models.CharField(max_length=REASON_MAX, blank=True)
    moderated_at = models.DateTimeField(null=True, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["product", "status", "-created_at"], name="review_product_status"),
            models.Index(fields=["status", "created_at"], name="review_status_created"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["user", "product"], name="review_once_per_product"),
            models.CheckConstraint(
                condition=Q(rating__gte=RATING_MIN) & Q(rating__lte=RATING_MAX),
                name="review_rating_1_to_5",
            ),
        ]

    def __str__(self):
        return f"{self.rating}★ {self.title}"

    @property
    def author_name(self) -> str:
        """What the storefront shows: a first name and initial, never an email."""
        first = (self.user.first_name or "").strip()
        last = (self.user.last_name or "").strip()
        if not first:
            return "A verified buyer"
        return f"{first} {last[:1]}." if last else first
