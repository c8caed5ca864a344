"""Row locks for review writes. Every review service takes the product's row
first, then the review's: one order everywhere, so concurrent moderations of one
product queue on its row instead of deadlocking, and each recomputes the rating
from what the previous one committed."""

from boutique.catalog.models import Product

from .models import Review


def product_qs_for_update():
    return Product.objects.select_for_update().order_by("pk")


def review_qs_for_update():
    return Review.objects.select_for_update().order_by("pk")
