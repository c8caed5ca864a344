"""Reads of stock. The catalog asks "is it in stock?" only through here, so the
rule can grow (reservations, next issue) without touching the catalog."""

from django.db.models import Exists, F, OuterRef, Q

from .models import Stock


def in_stock_for_variant_q(variant_ref: str = "pk"):
    """Exists-expression: the variant (OuterRef(variant_ref)) has sellable units."""
    return Exists(Stock.objects.filter(variant_id=OuterRef(variant_ref), on_hand__gt=0))


def in_stock_for_product_q(product_ref: str = "pk"):
    """Exists-expression: some active variant of the product has sellable units."""
    return Exists(
        Stock.objects.filter(
            variant__product_id=OuterRef(product_ref), variant__is_active=True, on_hand__gt=0
        )
    )


def available_quantity(stock: Stock | None) -> int:
    return stock.on_hand if stock is not None else 0


def low_stock_q():
    return Q(on_hand__lte=F("low_stock_threshold"))
