"""Every read of reviews. The product page and the reviews API run a fixed
number of queries whatever the page size."""

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, Sum

from boutique.catalog.errors import ProductNotFound
from boutique.catalog.models import Product
from boutique.catalog.selectors import storefront_products
from boutique.orders.models import OrderItem, OrderStatus
from boutique.shipping.models import ShipmentStatus

from .models import RATING_MAX, RATING_MIN, Review, ReviewStatus

DEFAULT_PAGE_SIZE = 10
MAX_PAGE_SIZE = 50
# An order that ended this way did not leave the product with the customer.
_UNDONE = (OrderStatus.CANCELLED, OrderStatus.RETURNED)


def verified_purchase_q(*, user, product_id: int) -> Q:
    """A verified purchase: the user's order holding the product that was
    delivered, either as a whole (order status delivered) or the parcel holding
    the item (a marketplace order arrives in several parcels, so the first one's
    buyer need not wait for the last) — unless the order was later cancelled or
    returned."""
    return Q(order__user=user, product_id=product_id) & (
        Q(order__status=OrderStatus.DELIVERED)
        | (
            Q(shipment_items__shipment__status=ShipmentStatus.DELIVERED)
            & ~Q(order__status__in=_UNDONE)
        )
    )


def is_verified_buyer(*, user, product_id: int) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return OrderItem.objects.filter(verified_purchase_q(user=user, product_id=product_id)).exists()


def product_get_reviewable(*, slug: str) -> Product:
    """A product the storefront shows, by slug; ProductNotFound otherwise."""
    product = storefront_products().filter(slug=slug).first()
    if product is None:
        raise ProductNotFound("Product not found.")
    return product


def review_get_own(*, user, product_id: int) -> Review | None:
    if user is None or not user.is_authenticated:
        return None
    return Review.objects.filter(user=user, product_id=product_id).first()


@dataclass
class Eligibility:
    """What the product page offers the visitor: a form to write (can_review),
    their own review to edit (own), or nothing."""

    own: Review | None
    is_verified_buyer: bool

    @property
    def can_review(self) -> bool:
        return self.own is not None or self.is_verified_buyer


def review_eligibility(*, user, product_id: int) -> Eligibility:
    """Two queries for a signed-in visitor, none for a guest."""
    if user is None or not user.is_authenticated:
        return Eligibility(None, False)
    own = review_get_own(user=user, product_id=product_id)
    verified = own is not None or is_verified_buyer(user=user, product_id=product_id)
    return Eligibility(own, verified)


@dataclass
class HistogramBar:
    stars: int
    count: int
    percent: int


def rating_summary(*, product_id: int) -> tuple[Decimal | None, int]:
    """(average, count) of the approved reviews, computed from the reviews; the
    average is rounded half up to two decimals. The services store it on the
    product; pages read the product's copy."""
    row = Review.objects.filter(product_id=product_id, status=ReviewStatus.APPROVED).aggregate(
        n=Count("id"), total=Sum("rating")
    )
    if not row["n"]:
        return None, 0
    average = (Decimal(row["total"]) / row["n"]).quantize(Decimal("0.01"), ROUND_HALF_UP)
    return average, row["n"]


def rating_histogram(*, product_id: int) -> list[HistogramBar]:
    """Approved reviews per star, 5 down to 1, in one query."""
    counts = dict(
        Review.objects.filter(product_id=product_id, status=ReviewStatus.APPROVED)
        .order_by()
        .values_list("rating")
        .annotate(n=Count("id"))
    )
    total = sum(counts.values())
    return [
        HistogramBar(
            stars, counts.get(stars, 0), round(100 * counts.get(stars, 0) / total) if total else 0
        )
        for stars in range(RATING_MAX, RATING_MIN - 1, -1)
    ]


def _empty_histogram() -> list[HistogramBar]:
    return [HistogramBar(stars, 0, 0) for stars in range(RATING_MAX, RATING_MIN - 1, -1)]


@dataclass
class ReviewPage:
    product: Product
    reviews: list[Review]
    total: int
    page: int
    page_size: int
    histogram: list[HistogramBar]

    @property
    def num_pages(self) -> int:
        return max(1, math.ceil(self.total / self.page_size))

    @property
    def has_next(self) -> bool:
        return self.page < self.num_pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1


def reviews_page_for_product(
    *, product: Product, page: int = 1, page_size: int = DEFAULT_PAGE_SIZE
) -> ReviewPage:
    """One page of a product's approved reviews, newest first, with the
    histogram. The total is the product's stored count (kept in step by the
    services), so this is two queries (the page and the histogram), none for a
    product without approved reviews."""
    if product.review_count == 0:
        # Nothing approved (the stored count says so): no query at all.
        return ReviewPage(product, [], 0, page, page_size, _empty_histogram())
    start = (page - 1) * page_size
    reviews = list(
        Review.objects.filter(product=product, status=ReviewStatus.APPROVED)
        .select_related("user")
        .order_by("-created_at", "-id")[start : start + page_size]
    )
    histogram = rating_histogram(product_id=product.pk)
    return ReviewPage(product, reviews, product.review_count, page, page_size, histogram)


def reviews_for_moderation():
    """The back office's list: every review with its product and author."""
    return Review.objects.select_related("product", "user", "moderated_by")


def reviews_pending_count() -> int:
    return Review.objects.filter(status=ReviewStatus.PENDING).count()
