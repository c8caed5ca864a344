from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from boutique.accounts.tests.factories import UserFactory
from boutique.audit.models import AuditLog
from boutique.cart.services import cart_add, cart_obtain
from boutique.catalog.tests.factories import make_product
from boutique.checkout.services import CheckoutInput, order_place
from boutique.orders.models import ShippingMethod
from boutique.payments.models import Payment

pytestmark = pytest.mark.django_db

ADDRESS = {"full_name": "Rania Haddad", "line1": "Hamra St 12", "city": "Beirut", "country": "LB"}


def _order(payment_method="bank_transfer"):
    method = ShippingMethod.objects.create(name="Courier", price=Decimal("4.00"))
    variant = make_product(price="20.00", stock=5).variants.get()
    cart = cart_obtain()
    cart_add(token=cart.token, variant_id=variant.pk, quantity=1)
    order, _ = order_place(
        cart=cart,
        data=CheckoutInput(
            email="guest@example.com",
            shipping_address=ADDRESS,
            shipping_method_id=method.pk,
            payment_method=payment_method,
        ),
    )
    return order


def _staff(*perms):
    user = UserFactory(is_staff=True)
    for codename in perms:
        user.user_permissions.add(Permission.objects.get(codename=codename))
    return user


def test_staff_confirm_a_bank_transfer_on_the_order_page(client):
    order = _order()
    staff = _staff("view_order", "change_order")
    client.force_login(staff)
    page = client.get(reverse("admin:orders_order_change", args=[order.pk])).content.decode()
    assert "Confirm payment received" in page
    url = reverse("admin:orders_order_confirm_payment", args=[order.pk])
    refused = client.post(url, {"method": "bank_transfer", "reference": ""}, follow=True)
    assert "Nothing was changed." in refused.content.decode()
    assert not Payment.objects.exists()
    client.post(url, {"method": "bank_transfer", "reference": "BLOM-5531"})
    order.refresh_from_db()
    assert (order.status, order.payment_status) == ("paid", "paid")
    payment = Payment.objects.get(order=order)
    assert (payment.bank_reference, payment.confirmed_by) == ("BLOM-5531", staff)
    assert AuditLog.objects.filter(action="payment.confirmed", actor=staff).exists()
    page = client.get(reverse("admin:orders_order_change", args=[order.pk])).content.decode()
    assert "Confirm payment received" not in page and "BLOM-5531" in page


def test_view_only_staff_cannot_confirm(client):
    order = _order()
    client.force_login(_staff("view_order"))
    url = reverse("admin:orders_order_confirm_payment", args=[order.pk])
    assert client.post(url, {"method": "cod"}).status_code == 403
    assert client.get(url).status_code == 405
    assert not Payment.objects.exists()


def test_staff_refund_from_the_order_page(client):
    from boutique.inventory.models import StockMovement
    from boutique.payments.models import Refund
    from boutique.payments.services import payment_confirm_offline

    order = _order("cash_usd")
    staff = _staff("view_order", "change_order")
    payment_confirm_offline(order=order, method="cash_usd", actor=staff)
    client.force_login(staff)
    page = client.get(reverse("admin:orders_order_change", args=[order.pk])).content.decode()
    assert "Refund (up to $25.20)" in page
    url = reverse("admin:orders_order_refund", args=[order.pk])
    too_much = client.post(url, {"amount": "30.00", "reason": "oops"}, follow=True)
    assert "Nothing was refunded." in too_much.content.decode()
    assert not Refund.objects.exists()
    client.post(url, {"amount": "5.00", "reason": "late delivery"})
    refund = Refund.objects.get()
    assert (refund.amount, refund.actor, refund.restock) == (Decimal("5.00"), staff, False)
    order.refresh_from_db()
    assert order.payment_status == "partially_refunded"
    # The parcel comes back: its items (20.00) are refunded and restocked.
    client.post(url, {"restock": "on", "reason": "returned parcel"})
    assert StockMovement.objects.filter(kind="return", quantity=1).exists()
    order.refresh_from_db()
    assert order.payment_status == "partially_refunded"
    client.post(url, {"amount": "0.20", "reason": "the rest"})
    order.refresh_from_db()
    assert order.payment_status == "refunded"
    page = client.get(reverse("admin:orders_order_change", args=[order.pk])).content.decode()
    assert "Refund (up to" not in page


def test_payment_records_are_read_only_in_the_back_office(client):
    from boutique.payments.models import Payment

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    for name in ("payment", "paymentattempt", "refund", "webhookevent"):
        assert client.get(reverse(f"admin:payments_{name}_changelist")).status_code == 200
        assert client.get(reverse(f"admin:payments_{name}_add")).status_code == 403
    assert not Payment.objects.exists()
