"""Orders built directly for tests (production code places orders through
checkout only). The amounts always add up the way the table's constraint
demands: total = subtotal − discount + shipping + tax."""

import itertools
from decimal import Decimal

from django.utils import timezone

from boutique.core.money import quantize
from boutique.orders.models import AddressKind, Order, OrderAddress, OrderItem

_numbers = itertools.count(1)

DEFAULT_ITEMS = (("Knitted cardigan", "CARD-01", Decimal("20.00"), 2),)


def order_factory(*, items=DEFAULT_ITEMS, addresses: bool = True, **overrides) -> Order:
    """An order with `items` ((name, sku, unit price, quantity), …) in the
    order's currency. The subtotal comes from the items; pass discount,
    shipping and tax to set those, and the total follows."""
    currency = overrides.get("currency", "USD")
    lines = [
        (name, sku, quantize(Decimal(price), currency), quantity)
        for name, sku, price, quantity in items
    ]
    subtotal = sum((quantize(price * qty, currency) for _, _, price, qty in lines), Decimal(0))
    fields = {
        "number": f"BQ-2026-{next(_numbers):06d}",
        "email": "buyer@example.com",
        "payment_method": "cod",
        "currency": currency,
        "exchange_rate": Decimal(1),
        "discount": Decimal(0),
        "shipping": Decimal(0),
        "tax": Decimal(0),
        "placed_at": timezone.now(),
        **overrides,
    }
    fields["subtotal"] = subtotal
    fields["total"] = subtotal - fields["discount"] + fields["shipping"] + fields["tax"]
    order = Order.objects.create(**fields)
    OrderItem.objects.bulk_create(
        OrderItem(
            order=order,
            product_name=name,
            sku=sku,
            unit_price=price,
            quantity=qty,
            line_total=quantize(price * qty, currency),
        )
        for name, sku, price, qty in lines
    )
    if addresses:
        for kind in (AddressKind.SHIPPING, AddressKind.BILLING):
            OrderAddress.objects.create(
                order=order,
                kind=kind,
                full_name="Rima Haddad",
                line1="12 Rue Gouraud",
                city="Beirut",
                country="LB",
            )
    return order
