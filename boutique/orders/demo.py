"""The demo shop's checkout reference data: Lebanon's VAT, an LBP rate, three
shipping methods and (when the promotions app offers `coupon_create`) three
coupons. Written through the services, like the back office would.

Idempotent: each entry is looked up by its natural key (country, currency,
method name, coupon code) and only what is missing is created; what staff
changed since is left alone.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from . import services, services_reference
from .models import ExchangeRate, ShippingMethod, TaxRate

TAX_RATES = (
    {"country": "LB", "name": "VAT", "rate": Decimal("0.11"), "applies_to_shipping": True},
)
EXCHANGE_RATES = (("LBP", Decimal("89500")),)
SHIPPING_METHODS = (
    {
        "name": "Beirut courier",
        "provider": "Boutique courier",
        "price": Decimal("4.00"),
        "currency": "USD",
        "free_over": Decimal("60.00"),
        "countries": "LB",
        "eta_min_days": 1,
        "eta_max_days": 2,
        "position": 1,
    },
    {
        "name": "Lebanon standard",
        "provider": "Liban Post",
        "price": Decimal("6.00"),
        "currency": "USD",
        "free_over": None,
        "countries": "LB",
        "eta_min_days": 2,
        "eta_max_days": 4,
        "position": 2,
    },
    {
        "name": "International post",
        "provider": "Liban Post",
        "price": Decimal("25.00"),
        "currency": "USD",
        "free_over": None,
        "countries": "",
        "eta_min_days": 7,
        "eta_max_days": 14,
        "position": 3,
    },
)
COUPONS = (
    {
        "code": "WELCOME10",
        "description": "10 % off your first order.",
        "kind": "percentage",
        "value": Decimal("10"),
        "first_order_only": True,
        "is_automatic": False,
    },
    {
        "code": "FREESHIP",
        "description": "Free shipping on orders of $40 or more.",
        "kind": "free_shipping",
        "value": Decimal("0"),
        "min_order_amount": Decimal("40.00"),
    },
    {
        "code": "FIRSTORDER5",
        "description": "5 % off a first order, applied automatically.",
        "kind": "percentage",
        "value": Decimal("5"),
        "first_order_only": True,
        "is_automatic": True,
    },
)


@dataclass(frozen=True)
class DemoCheckoutSummary:
    tax_rates: int
    exchange_rates: int
    shipping_methods: int
    coupons: int | None  # None: the promotions app has no coupon_create (yet)

    @property
    def created_now(self) -> int:
        return self.tax_rates + self.exchange_rates + self.shipping_methods + (self.coupons or 0)


def _coupon_create():
    try:
        from boutique.promotions.services import coupon_create
    except ImportError:
        return None
    return coupon_create


def _demo_coupons(actor) -> int | None:
    coupon_create = _coupon_create()
    if coupon_create is None:
        return None
    from boutique.promotions.selectors import coupon_get_by_code

    created = 0
    for spec in COUPONS:
        if coupon_get_by_code(spec["code"]) is None:
            coupon_create(actor=actor, **spec)
            created += 1
    return created


def demo_checkout_load(*, actor=None) -> DemoCheckoutSummary:
    """Create the missing demo tax rate, exchange rate, shipping methods and
    coupons; a second run creates nothing."""
    with transaction.atomic():
        taxes = 0
        for spec in TAX_RATES:
            if not TaxRate.objects.filter(country=spec["country"]).exists():
                services_reference.tax_rate_save(actor=actor, **spec)
                taxes += 1
        rates = 0
        for currency, rate in EXCHANGE_RATES:
            if not ExchangeRate.objects.filter(currency=currency).exists():
                services.exchange_rate_set(currency=currency, rate=rate, actor=actor)
                rates += 1
        methods = 0
        for spec in SHIPPING_METHODS:
            if not ShippingMethod.objects.filter(name=spec["name"]).exists():
                services_reference.shipping_method_save(actor=actor, **spec)
                methods += 1
        coupons = _demo_coupons(actor)
    return DemoCheckoutSummary(taxes, rates, methods, coupons)
