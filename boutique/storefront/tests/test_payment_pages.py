from decimal import Decimal

import pytest
from django.urls import reverse

from boutique.cart.services import cart_add, cart_obtain
from boutique.catalog.tests.factories import make_product
from boutique.checkout.services import CheckoutInput, order_place
from boutique.orders.models import Order, ShippingMethod
from boutique.payments.models import Payment, PaymentAttempt

pytestmark = pytest.mark.django_db

ADDRESS = {"full_name": "Rania Haddad", "line1": "Hamra St 12", "city": "Beirut", "country": "LB"}


@pytest.fixture
def guest_order(client):
    def make(payment_method="card", price="20.00"):
        method = ShippingMethod.objects.create(name="Courier", price=Decimal("4.00"))
        variant = make_product(price=price, stock=5).variants.get()
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
        # The browser that placed it may see it.
        session = client.session
        session["guest_orders"] = {order.number: order.email}
        session.save()
        return order

    return make


def _pay(client, order, number, cvc="123", key="k-1"):
    return client.post(
        reverse("storefront:order_pay", args=[order.number]),
        {"number": number, "exp_month": "12", "exp_year": "2030", "cvc": cvc, "key": key},
    )


def test_card_decline_then_retry_pays_the_order(client, guest_order):
    order = guest_order("card")
    page = client.get(reverse("storefront:order_detail", args=[order.number])).content.decode()
    assert 'id="card-number"' in page
    declined = _pay(client, order, "4000 0000 0000 0002", cvc="654", key="k-1")
    html = declined.content.decode()
    assert declined.status_code == 402
    assert "Your card was declined." in html
    # The form comes back empty: the number and CVV are never echoed.
    assert "4000000000000002" not in html and 'value="4000' not in html and "654" not in html
    order.refresh_from_db()
    assert order.payment_status == "failed"
    paid = _pay(client, order, "4242 4242 4242 4242", key="k-2")
    assert paid.status_code == 302
    order.refresh_from_db()
    assert (order.status, order.payment_status) == ("paid", "paid")
    html = client.get(reverse("storefront:order_detail", args=[order.number])).content.decode()
    assert "Visa ending 4242" in html and 'id="card-number"' not in html
    assert PaymentAttempt.objects.filter(order=order).count() == 2


def test_an_invalid_card_number_is_400_and_nothing_is_recorded(client, guest_order):
    order = guest_order("card")
    response = _pay(client, order, "1234 5678 9012 3456")
    assert response.status_code == 400
    assert "That card number is not valid." in response.content.decode()
    assert not Payment.objects.exists()


def test_someone_elses_order_cannot_be_paid_here(client, guest_order):
    order = guest_order("card")
    client.session.flush()
    other = client.__class__()
    assert _pay(other, order, "4242 4242 4242 4242").status_code == 404
    assert not Payment.objects.exists()


def test_bank_transfer_shows_the_details_and_the_reference(client, guest_order, settings):
    settings.BANK_TRANSFER_DETAILS = "IBAN LB62 0999 0000 0001 0019 0122 9114"
    order = guest_order("bank_transfer")
    html = client.get(reverse("storefront:order_detail", args=[order.number])).content.decode()
    assert "IBAN LB62 0999 0000 0001 0019 0122 9114" in html
    assert f'class="payment-reference">{order.number}<' in html
    assert 'id="card-number"' not in html


def test_cash_in_lbp_shows_the_amount_at_the_orders_rate(client, guest_order):
    from datetime import timedelta

    from django.utils import timezone

    from boutique.orders.models import ExchangeRate

    ExchangeRate.objects.create(
        currency="LBP", rate=Decimal("89500"), effective_from=timezone.now() - timedelta(days=1)
    )
    order = guest_order("cash_lbp", price="10.00")
    html = client.get(reverse("storefront:order_detail", args=[order.number])).content.decode()
    assert "LBP 1,306,700" in html and "89500 LBP per US dollar" in html
    assert Order.objects.get(pk=order.pk).payment_method == "cash_lbp"


def test_cash_on_delivery_says_when_to_pay(client, guest_order):
    order = guest_order("cod")
    html = client.get(reverse("storefront:order_detail", args=[order.number])).content.decode()
    assert "in cash when your parcel arrives" in html


def test_cash_on_delivery_is_confirmed_with_a_texted_code(client, guest_order, sms_outbox):
    import re

    from boutique.orders.errors import IllegalTransition
    from boutique.orders.services import order_transition

    order = guest_order("cod")
    page = client.get(reverse("storefront:order_detail", args=[order.number])).content.decode()
    assert "Please confirm your order" in page
    # Staff cannot dispatch it before the customer confirms.
    with pytest.raises(IllegalTransition):
        order_transition(order=order, target="processing")

    send = reverse("storefront:order_cod_send", args=[order.number])
    verify = reverse("storefront:order_cod_verify", args=[order.number])
    assert client.post(send, {"phone": "not a phone"}).status_code == 422
    assert client.post(send, {"phone": "+961 70 123 456"}).status_code == 302
    code = re.search(r"\b(\d{6})\b", sms_outbox[-1]["message"]).group(1)
    wrong = "000000" if code != "000000" else "111111"
    assert client.post(verify, {"code": wrong}).status_code == 400
    order.refresh_from_db()
    assert order.cod_confirmed_at is None and order.phone == "+96170123456"
    assert client.post(verify, {"code": code}).status_code == 302
    order.refresh_from_db()
    assert order.cod_confirmed_at is not None and order.pay_by is None
    order_transition(order=order, target="processing")
    page = client.get(reverse("storefront:order_detail", args=[order.number])).content.decode()
    assert "Please confirm your order" not in page


def test_with_stripe_the_page_has_no_card_number_field(client, guest_order, settings):
    settings.PAYMENT_GATEWAY = "stripe"
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_boutique"
    order = guest_order("card")
    html = client.get(reverse("storefront:order_detail", args=[order.number])).content.decode()
    assert 'id="stripe-card-element"' in html and 'data-publishable-key="pk_test_boutique"' in html
    assert 'name="number"' not in html and 'name="cvc"' not in html
    # A card number posted anyway is ignored: only a token is read.
    response = client.post(
        reverse("storefront:order_pay", args=[order.number]),
        {"number": "4242424242424242", "cvc": "123", "key": "k-9"},
    )
    assert response.status_code == 422
    from boutique.payments.models import Payment

    assert not Payment.objects.exists()


def test_a_card_that_needs_the_banks_confirmation_is_confirmed_then_paid(client, guest_order):
    order = guest_order("card")
    response = _pay(client, order, "4000 0025 0000 3155", key="3ds-1")
    payment = Payment.objects.get(order=order)
    assert response.status_code == 302
    assert response["Location"] == reverse("storefront:payment_test_authorise", args=[payment.pk])
    assert payment.status == "requires_action"
    page = client.get(response["Location"]).content.decode()
    assert "Test bank: confirm this payment" in page and "ending 3155" in page
    # Someone else cannot answer for this customer.
    stranger = client.__class__()
    assert stranger.post(response["Location"], {"decision": "approve"}).status_code == 404
    client.post(response["Location"], {"decision": "approve"})
    order.refresh_from_db()
    payment.refresh_from_db()
    assert (payment.status, order.status, order.payment_status) == ("succeeded", "paid", "paid")


def test_refusing_the_banks_confirmation_charges_nothing(client, guest_order):
    order = guest_order("card")
    response = _pay(client, order, "4000 0025 0000 3155", key="3ds-2")
    client.post(response["Location"], {"decision": "refuse"})
    payment = Payment.objects.get(order=order)
    order.refresh_from_db()
    assert payment.status == "failed" and order.status == "pending"
    assert _pay(client, order, "4242 4242 4242 4242", key="3ds-3").status_code == 302
    order.refresh_from_db()
    assert order.payment_status == "paid"
