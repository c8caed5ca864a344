"""Every read of orders and of the reference data checkout prices with."""

from decimal import Decimal

from django.conf import settings
from django.db.models import Prefetch
from django.db.models.functions import Lower
from django.utils import timezone

from boutique.core.money import BASE_CURRENCY, CURRENCY_CHOICES, quantize

from .errors import OrderNotFound
from .models import ExchangeRate, Order, OrderAddress, OrderItem, ShippingMethod, TaxRate

SUPPORTED_CURRENCIES = [code for code, _ in CURRENCY_CHOICES]


def exchange_rates(now=None) -> dict[str, Decimal]:
    """{currency: units per US dollar} in effect now; USD is 1. A currency with
    no rate yet is missing (it cannot be offered)."""
    now = now or timezone.now()
    rates = {BASE_CURRENCY: Decimal(1)}
    seen = set()
    for rate in ExchangeRate.objects.filter(effective_from__lte=now).order_by(
        "currency", "-effective_from"
    ):
        if rate.currency not in seen:
            seen.add(rate.currency)
            rates.setdefault(rate.currency, rate.rate)
    return rates


def tax_terms_for(country: str) -> tuple[Decimal, bool]:
    """(rate as a fraction, applies to shipping) for a destination country."""
    row = TaxRate.objects.filter(country=(country or "").upper()).first()
    if row is None:
        return Decimal(str(settings.DEFAULT_TAX_RATE)), False
    return row.rate, row.applies_to_shipping


def shipping_methods_for(country: str | None = None) -> list[ShippingMethod]:
    """Active methods, those serving `country` when given (in display order)."""
    methods = list(ShippingMethod.objects.filter(is_active=True))
    if country:
        methods = [m for m in methods if m.serves(country)]
    return methods


def shipping_method_get(method_id) -> ShippingMethod | None:
    try:
        return ShippingMethod.objects.filter(is_active=True, pk=int(method_id)).first()
    except (TypeError, ValueError):
        return None


def _detail_qs():
    return Order.objects.prefetch_related(
        # Each item's seller: the order page says who sells (and ships) what.
        Prefetch("items", queryset=OrderItem.objects.select_related("seller")),
        Prefetch("addresses", queryset=OrderAddress.objects.order_by("kind")),
    ).select_related("shipping_method")


def order_get_for_customer(*, user, number: str) -> Order:
    """One of this customer's orders; someone else's is OrderNotFound."""
    order = _detail_qs().filter(user=user, number=str(number).upper()).first()
    if user is None or not user.is_authenticated or order is None:
        raise OrderNotFound("No such order in your account.")
    return order


def order_get_for_guest(*, number: str, email: str) -> Order:
    """A guest's lookup: the number and the email on the order must both match."""
    # Only guest orders: a customer's own orders are read from their account.
    order = (
        _detail_qs()
        .filter(
            number=str(number).strip().upper(),
            email__iexact=(email or "").strip(),
            user__isnull=True,
        )
        .first()
    )
    if order is None:
        raise OrderNotFound("No order matches that number and email.")
    return order


def orders_for_customer(*, user):
    """A customer's orders, newest first (for history pages and the API)."""
    return Order.objects.filter(user=user).order_by("-placed_at", "-id")


def prior_order_count(*, user=None, email: str = "") -> int:
    """Orders placed before (not cancelled), by account or by guest email: for
    first-order-only offers."""
    qs = Order.objects.exclude(status="cancelled")
    if user is not None and user.is_authenticated:
        mine = qs.filter(user=user).count()
        if user.email:  # guest orders placed with the same email before signing up
            mine += qs.filter(user__isnull=True, email__iexact=user.email).count()
        return mine
    if email:
        return qs.filter(email__iexact=email).count()
    return 0


def in_base_currency(amount: Decimal, order: Order) -> Decimal:
    """An order amount shown in US dollars at the order's own rate."""
    return quantize(amount / order.exchange_rate, BASE_CURRENCY)


# Orders whose goods reached (or are on their way to) the buyer: a recall of
# what they hold concerns them.
BOUGHT_STATUSES = ("paid", "processing", "shipped", "delivered")


def buyer_emails_for(
    *, product_id: int, variant_id: int | None = None, after: str = "", limit: int = 200
) -> list[str]:
    """Distinct lower-cased emails of the customers and guests with a paid,
    processing, shipped or delivered order containing the product (or only
    that variant of it), in email order, the first `limit` after `after`:
    callers page through every buyer in fixed-size batches."""
    items = OrderItem.objects.filter(product_id=product_id)
    if variant_id is not None:
        items = items.filter(variant_id=variant_id)
    rows = (
        Order.objects.filter(status__in=BOUGHT_STATUSES, pk__in=items.values("order_id"))
        .annotate(buyer=Lower("email"))
        .filter(buyer__gt=after)
        .order_by("buyer")
        .values_list("buyer", flat=True)
        .distinct()
    )
    return list(rows[:limit])
