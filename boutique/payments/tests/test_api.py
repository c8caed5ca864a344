"""The payments API: a customer pays their order by (test) card, a decline says
why and the order stays payable, a key is one charge, other people's orders are
404; staff confirm offline payments with the payments permission."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission

from boutique.accounts.tests.factories import UserFactory
from boutique.audit.models import AuditLog
from boutique.cart.services import cart_add, cart_obtain
from boutique.catalog.tests.factories import make_product
from boutique.checkout.services import CheckoutInput, order_place
from boutique.checkout.tests.api_support import bearer, ok, post, problem
from boutique.inventory.models import Stock
from boutique.orders.models import Order, ShippingMethod
from boutique.payments.models import Payment, PaymentAttempt

pytestmark = pytest.mark.django_db

ADDRESS = {"full_name": "Rania Haddad", "line1": "Hamra St 12", "city": "Beirut", "country": "LB"}
GOOD = {"number": "4242 4242 4242 4242", "exp_month": 12, "exp_year": 2030, "cvc": "123"}
DECLINED = {**GOOD, "number": "4000 0000 0000 0002"}


def _order(user=None, payment_method="card", email="guest@example.com"):
    method = ShippingMethod.objects.create(name="Courier", price=Decimal("4.00"))
    variant = make_product(price="20.00", stock=5).variants.get()
    cart = cart_obtain(user=user)
    cart_add(user=user, token=None if user else cart.token, variant_id=variant.pk, quantity=1)
    data = CheckoutInput(
        email=email, shipping_address=ADDRESS, shipping_method_id=method.pk, currency="USD"
    )
    order, _ = order_place(cart=cart, user=user, data=data)
    Order.objects.filter(pk=order.pk).update(payment_method=payment_method)
    order.refresh_from_db()
    return order, variant


def _pay_url(order, email=None):
    url = f"/api/v1/orders/{order.number}/payments"
    return f"{url}?email={email}" if email else url


def _pay(client, order, card=GOOD, key="pay-1", headers=None, email="guest@example.com", **body):
    headers = dict(headers or {})
    if key is not None:
        headers["Idempotency-Key"] = key
    payload = {"method": "card", **body}
    if card is not None:
        payload["card"] = card
    guest_email = None if "Authorization" in headers else email
    return post(client, _pay_url(order, guest_email), payload, headers)


def _staff(perm=True, **fields):
    user = UserFactory(is_staff=True, **fields)
    if perm:
        user.user_permissions.add(Permission.objects.get(codename="change_payment"))
    return user


# --- Paying by card ------------------------------------------------------------------


def test_a_guest_pays_by_test_card_and_the_order_is_paid(client):
    order, variant = _order()

    data = ok(_pay(client, order), 201)

    order.refresh_from_db()
    assert (order.status, order.payment_status) == ("paid", "paid")
    assert Stock.objects.get(variant=variant).on_hand == 4
    assert data["method"] == "card" and data["status"] == "succeeded"
    assert (data["amount"], data["currency"]) == (str(order.total), "USD")
    assert (data["brand"], data["last4"], data["exp"]) == ("visa", "4242", "12/2030")
    assert data["created_at"] and data["succeeded_at"]
    text = str(data)
    assert "4242424242424242" not in text and "4242 4242 4242 4242" not in text
    assert "cvc" not in text and "number" not in text and "token" not in text


def test_a_customer_pays_their_own_order_with_a_bearer_token(client):
    user = UserFactory()
    order, _ = _order(user=user, email=user.email)

    data = ok(_pay(client, order, headers=bearer(user)), 201)

    assert data["status"] == "succeeded"
    assert Payment.objects.get(order=order).card_last4 == "4242"


def test_a_decline_is_402_with_the_reason_then_a_good_card_pays(client):
    order, variant = _order()

    refused = problem(_pay(client, order, card=DECLINED, key="try-1"), 402, "payment_refused")

    assert refused["detail"] == "Your card was declined."
    order.refresh_from_db()
    assert (order.status, order.payment_status) == ("pending", "failed")
    assert Stock.objects.get(variant=variant).on_hand == 5
    assert PaymentAttempt.objects.get(idempotency_key="try-1").error_code == "card_declined"

    data = ok(_pay(client, order, key="try-2"), 201)

    order.refresh_from_db()
    assert data["status"] == "succeeded" and order.payment_status == "paid"
    history = ok(client.get(_pay_url(order, "guest@example.com")))
    assert [(p["status"], p["last4"], p["error_code"]) for p in history] == [
        ("succeeded", "4242", ""),
        ("failed", "0002", "card_declined"),
    ]
    assert history[1]["error_message"] == "Your card was declined."


def test_the_same_key_replays_the_first_answer_and_charges_once(client):
    order, _ = _order()
    first = ok(_pay(client, order, key="pay-1"), 201)

    again = _pay(client, order, key="pay-1")

    assert again.status_code == 200 and again["Idempotent-Replayed"] == "true"
    assert again.json() == first
    assert Payment.objects.filter(order=order).count() == 1
    assert PaymentAttempt.objects.filter(order=order).count() == 1
    # A new key for a paid order: not payable.
    problem(_pay(client, order, key="pay-2"), 409, "order_not_payable")
    assert Payment.objects.filter(order=order).count() == 1


def test_a_declined_key_replays_the_decline(client):
    order, _ = _order()
    problem(_pay(client, order, card=DECLINED, key="try-1"), 402, "payment_refused")

    problem(_pay(client, order, card=DECLINED, key="try-1"), 402, "payment_refused")

    assert PaymentAttempt.objects.filter(order=order).count() == 1


def test_someone_elses_order_is_404_and_nothing_is_charged(client):
    owner = UserFactory()
    order, _ = _order(user=owner, email=owner.email)
    guest_order, _ = _order()
    stranger = bearer(UserFactory())

    problem(_pay(client, order, headers=stranger), 404, "order_not_found")
    problem(client.get(_pay_url(order), headers=stranger), 404, "order_not_found")
    problem(_pay(client, guest_order, email="someone@example.com"), 404, "order_not_found")
    problem(_pay(client, order, email=owner.email), 404, "order_not_found")  # not a guest order
    problem(client.get(_pay_url(guest_order)), 404, "order_not_found")  # no email
    problem(_pay(client, order, headers=stranger, key="x\x00"), 404, "order_not_found")
    assert not Payment.objects.exists() and not PaymentAttempt.objects.exists()


@pytest.mark.parametrize(
    ("body", "key", "code", "field"),
    [
        ({"card": GOOD}, None, "payment_invalid", "Idempotency-Key"),
        ({"card": GOOD}, "k" * 101, "payment_invalid", "Idempotency-Key"),
        ({"card": None}, "k1", "payment_invalid", "token"),
        ({"card": GOOD, "method": "cod"}, "k1", "payment_invalid", "method"),
        ({"card": {**GOOD, "number": "4242 4242 4242 4241"}}, "k1", "payment_invalid", "card"),
        ({"card": {**GOOD, "cvc": "12"}}, "k1", "payment_invalid", "card"),
        ({"card": {**GOOD, "exp_month": "soon"}}, "k1", "payment_invalid", "card.exp_month"),
        ({"card": {**GOOD, "exp_month": 13}}, "k1", "payment_invalid", "card"),
        ({"card": GOOD, "token": "tok_test_ok_visa_4242_122030"}, "k1", "payment_invalid", "token"),
        ({"card": None, "token": "4242 4242 4242 4242"}, "k1", "card_data_refused", "token"),
        ({"card": None, "token": "tok\x00"}, "k1", "payment_invalid", "token"),
    ],
)
def test_bad_payment_requests_are_400_and_change_nothing(client, body, key, code, field):
    order, _ = _order()
    body = dict(body)
    card = body.pop("card")

    data = problem(_pay(client, order, card=card, key=key, **body), 400, code)

    assert field in data["errors"]
    order.refresh_from_db()
    assert order.payment_status == "pending"
    assert not Payment.objects.exists() and not PaymentAttempt.objects.exists()


def test_a_card_that_is_not_an_object_is_422(client):
    order, _ = _order()

    response = _pay(client, order, card="4242424242424242")

    data = problem(response, 422, "validation_error")
    assert "4242424242424242" not in response.content.decode()
    assert "card" in data["errors"]


def test_with_stripe_active_card_details_are_refused(client, settings):
    settings.PAYMENT_GATEWAY = "stripe"
    order, _ = _order()

    data = problem(_pay(client, order), 400, "card_data_refused")

    assert "card" in data["errors"]
    assert not Payment.objects.exists() and not PaymentAttempt.objects.exists()


def test_a_test_token_pays_too(client):
    order, _ = _order()

    data = ok(_pay(client, order, card=None, token="tok_test_ok_visa_4242_122030"), 201)

    assert data["last4"] == "4242"


def test_the_payments_list_is_one_query_block_whatever_the_number(
    client, django_assert_max_num_queries
):
    user = UserFactory()
    order, _ = _order(user=user, email=user.email)
    headers = bearer(user)
    for key in ("a", "b", "c"):
        _pay(client, order, card=DECLINED, key=key, headers=headers)

    with django_assert_max_num_queries(6):
        data = ok(client.get(_pay_url(order), headers=headers))

    assert len(data) == 3 and {p["status"] for p in data} == {"failed"}


# --- Staff ---------------------------------------------------------------------------

CONFIRM = "/api/v1/staff/orders/{}/confirm-payment"


def test_staff_confirm_a_bank_transfer(client):
    staff = _staff()
    order, _ = _order(payment_method="bank_transfer")

    data = ok(
        post(
            client,
            CONFIRM.format(order.number),
            {"method": "bank_transfer", "reference": "BANK-778"},
            bearer(staff),
        )
    )

    order.refresh_from_db()
    assert (order.status, order.payment_status) == ("paid", "paid")
    assert (data["method"], data["status"], data["reference"]) == (
        "bank_transfer",
        "succeeded",
        "BANK-778",
    )
    assert Payment.objects.get(order=order).confirmed_by == staff
    assert AuditLog.objects.get(action="payment.confirmed").actor == staff
    # Twice: nothing more to confirm.
    again = post(client, CONFIRM.format(order.number), {"method": "cash_usd"}, bearer(staff))
    problem(again, 409, "order_not_payable")
    assert Payment.objects.filter(order=order).count() == 1


@pytest.mark.parametrize(
    "user",
    [
        pytest.param(lambda: UserFactory(), id="customer"),
        pytest.param(lambda: _staff(perm=False), id="staff-without-permission"),
        pytest.param(lambda: _perm_only(), id="permission-without-staff"),
    ],
)
def test_non_staff_cannot_confirm(client, user):
    order, _ = _order(payment_method="cod")

    problem(
        post(client, CONFIRM.format(order.number), {"method": "cod"}, bearer(user())),
        403,
        "permission_denied",
    )

    order.refresh_from_db()
    assert order.payment_status == "pending" and not Payment.objects.exists()


def _perm_only():
    user = UserFactory(is_staff=False)
    user.user_permissions.add(Permission.objects.get(codename="change_payment"))
    return user


def test_a_guest_cannot_confirm(client):
    order, _ = _order(payment_method="cod")

    problem(post(client, CONFIRM.format(order.number), {"method": "cod"}), 401, "not_authenticated")

    assert not Payment.objects.exists()


def test_staff_confirm_refusals(client):
    headers = bearer(_staff())
    order, _ = _order(payment_method="bank_transfer")

    problem(
        post(client, CONFIRM.format("BQ-0000-000000"), {"method": "cod"}, headers),
        404,
        "order_not_found",
    )
    problem(
        post(client, CONFIRM.format(order.number), {"method": "card"}, headers),
        422,
        "validation_error",
    )
    problem(
        post(client, CONFIRM.format(order.number), {"method": "bank_transfer"}, headers),
        422,
        "validation_error",
    )
    assert not Payment.objects.exists()


# --- Staff refunds -------------------------------------------------------------------

REFUNDS = "/api/v1/staff/orders/{}/refunds"


def _paid_by_card(client):
    order, variant = _order()
    ok(_pay(client, order), 201)
    return order, variant


def test_staff_refund_part_of_a_card_payment_by_amount(client):
    headers = bearer(_staff())
    order, _ = _paid_by_card(client)

    data = ok(
        post(
            client,
            REFUNDS.format(order.number),
            {"amount": "5.00", "reason": "Late delivery"},
            {**headers, "Idempotency-Key": "rf-1"},
        ),
        201,
    )

    assert data["refund_number"].startswith("RF-") and data["status"] == "succeeded"
    assert (data["amount"], data["currency"], data["reason"]) == ("5.00", "USD", "Late delivery")
    payment = Payment.objects.get(order=order, status="succeeded")
    assert payment.amount_refunded == Decimal("5.00")
    order.refresh_from_db()
    assert order.payment_status == "partially_refunded"
    # The same key: the same refund, nothing more refunded.
    again = post(
        client,
        REFUNDS.format(order.number),
        {"amount": "5.00", "reason": "Late delivery"},
        {**headers, "Idempotency-Key": "rf-1"},
    )
    assert again.status_code == 200 and again["Idempotent-Replayed"] == "true"
    assert again.json()["refund_number"] == data["refund_number"]
    payment.refresh_from_db()
    assert payment.amount_refunded == Decimal("5.00")


def test_staff_refund_items_with_restock(client):
    headers = bearer(_staff())
    order, variant = _paid_by_card(client)
    item = order.items.get()

    data = ok(
        post(
            client,
            REFUNDS.format(order.number),
            {
                "items": [{"order_item_id": item.pk, "quantity": 1}],
                "reason": "Too small",
                "restock": True,
            },
            headers,
        ),
        201,
    )

    assert data["amount"] == str(item.unit_price) and data["restock"] is True
    assert Stock.objects.get(variant=variant).on_hand == 5  # 5, sold 1, back 1


def test_a_refund_over_what_was_paid_is_409_and_changes_nothing(client):
    headers = bearer(_staff())
    order, _ = _paid_by_card(client)

    problem(
        post(client, REFUNDS.format(order.number), {"amount": "999.00", "reason": "x"}, headers),
        409,
        "refund_exceeds_payment",
    )
    problem(
        post(client, REFUNDS.format(order.number), {"amount": "1.00", "reason": ""}, headers),
        422,
        "validation_error",
    )

    assert Payment.objects.get(order=order, status="succeeded").amount_refunded == 0


def test_only_staff_with_the_permission_refund(client):
    order, _ = _paid_by_card(client)
    body = {"amount": "1.00", "reason": "x"}

    problem(post(client, REFUNDS.format(order.number), body), 401, "not_authenticated")
    for user in (UserFactory(), _staff(perm=False)):
        problem(
            post(client, REFUNDS.format(order.number), body, bearer(user)), 403, "permission_denied"
        )

    assert Payment.objects.get(order=order, status="succeeded").amount_refunded == 0
