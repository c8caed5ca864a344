"""The demo checkout reference data: created through the services (audited),
once; a second run creates nothing and leaves staff changes alone."""

import io
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.management import call_command

from boutique.audit.models import AuditLog
from boutique.orders.demo import demo_checkout_load
from boutique.orders.models import ExchangeRate, ShippingMethod, TaxRate
from boutique.orders.selectors import exchange_rates, shipping_methods_for, tax_terms_for
from boutique.orders.services_reference import tax_rate_save
from boutique.promotions.models import Coupon

pytestmark = pytest.mark.django_db


def test_demo_checkout_data_is_what_the_shop_prices_with():
    summary = demo_checkout_load()

    assert (summary.tax_rates, summary.exchange_rates, summary.shipping_methods) == (1, 1, 3)
    assert tax_terms_for("LB") == (Decimal("0.11"), True)
    assert tax_terms_for("FR") == (Decimal("0.06"), False)  # the default stays
    assert exchange_rates()["LBP"] == Decimal("89500")
    lebanon = {m.name: m for m in shipping_methods_for("LB")}
    assert list(lebanon) == ["Beirut courier", "Lebanon standard", "International post"]
    courier = lebanon["Beirut courier"]
    assert (courier.price, courier.free_over, courier.eta_min_days, courier.eta_max_days) == (
        Decimal(4),
        Decimal(60),
        1,
        2,
    )
    assert (lebanon["Lebanon standard"].price, lebanon["Lebanon standard"].eta_max_days) == (
        Decimal(6),
        4,
    )
    assert [m.name for m in shipping_methods_for("FR")] == ["International post"]
    post = lebanon["International post"]
    assert (post.price, post.eta_min_days, post.eta_max_days) == (Decimal(25), 7, 14)
    assert AuditLog.objects.filter(action="shipping_method.created").count() == 3
    assert AuditLog.objects.filter(action="tax_rate.created").count() == 1


def test_demo_coupons_are_created_through_the_promotions_service():
    summary = demo_checkout_load()

    assert summary.coupons == 3
    coupons = {c.code: c for c in Coupon.objects.all()}
    welcome = coupons["WELCOME10"]
    assert (welcome.kind, welcome.value, welcome.first_order_only, welcome.is_automatic) == (
        "percentage",
        Decimal(10),
        True,
        False,
    )
    free = coupons["FREESHIP"]
    assert (free.kind, free.min_order_amount, free.currency) == (
        "free_shipping",
        Decimal(40),
        "USD",
    )
    automatic = [c for c in coupons.values() if c.is_automatic]
    assert [(c.kind, c.value, c.first_order_only) for c in automatic] == [
        ("percentage", Decimal(5), True)
    ]
    assert AuditLog.objects.filter(action="coupon.created").count() == 3


def test_a_second_load_creates_nothing_and_keeps_staff_changes():
    demo_checkout_load()
    lebanon = TaxRate.objects.get(country="LB")
    tax_rate_save(tax_rate=lebanon, rate=Decimal("0.12"))
    audits = AuditLog.objects.count()

    again = demo_checkout_load()

    assert again.created_now == 0 and again.coupons == 0
    assert TaxRate.objects.get(country="LB").rate == Decimal("0.12")
    assert ExchangeRate.objects.count() == 1
    assert ShippingMethod.objects.count() == 3
    assert Coupon.objects.count() == 3
    assert AuditLog.objects.count() == audits


def test_demo_load_command_prints_the_checkout_line(monkeypatch):
    from boutique.core.management.commands import demo_load

    empty = SimpleNamespace(products=0, categories=0, created_now=False)
    monkeypatch.setattr(demo_load, "demo_catalog_load", lambda actor=None: empty)
    first, second = io.StringIO(), io.StringIO()

    call_command("demo_load", stdout=first)
    call_command("demo_load", stdout=second)

    assert "Demo checkout: tax, LBP rate, shipping methods, coupons (8 created now)." in (
        first.getvalue()
    )
    assert "(0 created now)" in second.getvalue()
    assert ShippingMethod.objects.count() == 3
    log = AuditLog.objects.filter(action="exchange_rate.set").get()
    assert log.actor is not None and log.actor.is_superuser
