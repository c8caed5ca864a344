from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from boutique.accounts.tests.factories import UserFactory
from boutique.audit.models import AuditLog
from boutique.cart.services import cart_add, cart_obtain
from boutique.catalog.tests.factories import make_product
from boutique.checkout.services import CheckoutInput, order_place
from boutique.core.errors import Conflict, ValidationFailed
from boutique.inventory.models import Stock, StockMovement
from boutique.notifications.models import Notification
from boutique.orders.models import ExchangeRate, Order, ShippingMethod
from boutique.payments.gateways import GatewayError, RefundResult
from boutique.payments.gateways.test import TestGateway, tokenize
from boutique.payments.models import Payment, Refund
from boutique.payments.refunds import (
    NothingToRefund,
    RefundFailed,
    RefundTooLarge,
    refund_create,
    refund_succeeded,
)
from boutique.payments.services import payment_card_pay, payment_confirm_offline

pytestmark = pytest.mark.django_db

ADDRESS = {"full_name": "Rania Haddad", "line1": "Hamra St 12", "city": "Beirut", "country": "LB"}


@pytest.fixture(autouse=True)
def _no_tax(settings):
    settings.DEFAULT_TAX_RATE = "0"  # round totals: price + $4.00 shipping


@pytest.fixture
def staff():
    return UserFactory(is_staff=True)


def _placed(lines, payment_method):
    """An order for [(price, quantity, stock), …] (+ $4.00 shipping)."""
    method = ShippingMethod.objects.create(name="Courier", price=Decimal("4.00"))
    cart = cart_obtain()
    variants = []
    for price, quantity, stock in lines:
        variant = make_product(price=price, stock=stock).variants.get()
        cart_add(token=cart.token, variant_id=variant.pk, quantity=quantity)
        variants.append(variant)
    data = CheckoutInput(
        email="guest@example.com", shipping_address=ADDRESS, shipping_method_id=method.pk
    )
    order, _ = order_place(cart=cart, data=data)
    Order.objects.filter(pk=order.pk).update(payment_method=payment_method)
    order.refresh_from_db()
    return order, variants


def _cash_paid(staff, lines=(("20.00", 1, 5),)):
    order, variants = _placed(lines, "cash_usd")
    payment = payment_confirm_offline(order=order, method="cash_usd", actor=staff)
    return order, payment, variants


def _card_paid(lines=(("20.00", 1, 5),)):
    order, variants = _placed(lines, "card")
    token = tokenize(number="4242424242424242", exp_month=12, exp_year=2030, cvc="123")
    payment = payment_card_pay(order=order, token=token, idempotency_key=f"pay-{order.pk}")
    return order, payment, variants


def _state(order, payment):
    order.refresh_from_db()
    payment.refresh_from_db()
    return order.payment_status, payment.amount_refunded


def test_full_refund_of_a_cash_payment_is_recorded_notified_and_audited(staff):
    order, payment, _ = _cash_paid(staff)
    assert payment.amount == Decimal("24.00")

    refund = refund_create(
        order=order, actor=staff, reason="Customer changed her mind", amount="24"
    )

    assert (refund.status, refund.amount, refund.currency) == ("succeeded", Decimal("24.00"), "USD")
    assert refund.refund_number.startswith("RF-") and refund.refund_number.endswith("-000001")
    assert _state(order, payment) == ("refunded", Decimal("24.00"))
    notice = Notification.objects.get(template="refund_issued")
    assert notice.recipient == "guest@example.com"
    assert notice.context["refund_number"] == refund.refund_number
    assert notice.context["amount"] == "24.00"
    log = AuditLog.objects.get(action="refund.succeeded")
    assert log.actor == staff and log.new["number"] == refund.refund_number


def test_partial_refunds_by_amount_add_up_to_the_payment(staff):
    order, payment, _ = _cash_paid(staff)

    first = refund_create(order=order, actor=staff, reason="Late delivery", amount="4.00")
    assert _state(order, payment) == ("partially_refunded", Decimal("4.00"))
    second = refund_create(order=order, actor=staff, reason="Damaged box", amount=Decimal("20"))

    assert first.refund_number != second.refund_number
    assert second.refund_number.endswith("-000002")
    assert _state(order, payment) == ("refunded", Decimal("24.00"))
    assert Notification.objects.filter(template="refund_issued").count() == 2


def test_refund_by_items_prices_them_and_restocks_with_return_movements(staff):
    order, payment, (shirt, socks) = _cash_paid(staff, lines=(("20.00", 2, 5), ("3.50", 3, 10)))
    assert payment.amount == Decimal("54.50")  # 40.00 + 10.50 + 4.00 shipping
    shirt_item = order.items.get(variant=shirt)
    socks_item = order.items.get(variant=socks)
    on_hand = {v.pk: Stock.objects.get(variant=v).on_hand for v in (shirt, socks)}

    refund = refund_create(
        order=order,
        actor=staff,
        reason="Returned",
        items=[
            {"order_item_id": shirt_item.pk, "quantity": 1},
            {"order_item_id": socks_item.pk, "quantity": 2},
        ],
        restock=True,
    )

    assert refund.amount == Decimal("27.00")  # 20.00 + 2 × 3.50
    assert _state(order, payment) == ("partially_refunded", Decimal("27.00"))
    returns = StockMovement.objects.filter(kind="return", reference_id=refund.refund_number)
    assert sorted((m.variant_id, m.quantity) for m in returns) == sorted(
        [(shirt.pk, 1), (socks.pk, 2)]
    )
    assert Stock.objects.get(variant=shirt).on_hand == on_hand[shirt.pk] + 1
    assert Stock.objects.get(variant=socks).on_hand == on_hand[socks.pk] + 2

    # What was already refunded cannot be refunded again.
    with pytest.raises(RefundTooLarge):
        refund_create(
            order=order,
            actor=staff,
            reason="Again",
            items=[{"order_item_id": shirt_item.pk, "quantity": 2}],
        )
    last = refund_create(
        order=order,
        actor=staff,
        reason="The other shirt",
        items=[{"order_item_id": shirt_item.pk, "quantity": 1}],
    )
    assert last.amount == Decimal("20.00")
    assert not StockMovement.objects.filter(reference_id=last.refund_number).exists()


def test_over_refund_is_refused_with_409_and_changes_nothing(staff):
    order, payment, (variant,) = _cash_paid(staff)
    refund_create(order=order, actor=staff, reason="Part", amount="20.00")
    before = (Refund.objects.count(), Notification.objects.count(), AuditLog.objects.count())
    on_hand = Stock.objects.get(variant=variant).on_hand

    with pytest.raises(RefundTooLarge) as refused:
        refund_create(order=order, actor=staff, reason="Too much", amount="4.01")

    assert refused.value.status == 409 and "4.00" in refused.value.detail
    assert _state(order, payment) == ("partially_refunded", Decimal("20.00"))
    after = (Refund.objects.count(), Notification.objects.count(), AuditLog.objects.count())
    assert after == before
    assert Stock.objects.get(variant=variant).on_hand == on_hand
    # The refund number was not used up either.
    nxt = refund_create(order=order, actor=staff, reason="Rest", amount="4.00")
    assert nxt.refund_number.endswith("-000002")


@pytest.mark.parametrize(
    "bad",
    [
        {"amount": "0"},
        {"amount": "-5"},
        {"amount": "abc"},
        {"amount": "1.001"},
        {"amount": 1.5},
        {"amount": "NaN"},
        {"amount": "5", "items": [{"order_item_id": 1, "quantity": 1}]},
        {},
        {"items": []},
        {"items": [{"order_item_id": "x", "quantity": 1}]},
        {"items": [{"order_item_id": 1, "quantity": 0}]},
        {"items": [{"order_item_id": 1, "quantity": True}]},
        {"items": "everything"},
        {"amount": "5", "reason": "   "},
        {"amount": "5", "restock": True},
    ],
)
def test_bad_input_is_refused_with_422_and_changes_nothing(staff, bad):
    order, payment, _ = _cash_paid(staff)
    arguments = {"reason": "Because", **bad}
    with pytest.raises(ValidationFailed) as refused:
        refund_create(order=order, actor=staff, **arguments)
    assert refused.value.status == 422
    assert _state(order, payment) == ("paid", Decimal("0.00"))
    assert not Refund.objects.exists()


def test_an_item_of_another_order_is_refused(staff):
    order, payment, _ = _cash_paid(staff)
    other, _, _ = _cash_paid(staff)
    with pytest.raises(ValidationFailed):
        refund_create(
            order=order,
            actor=staff,
            reason="Wrong order",
            items=[{"order_item_id": other.items.get().pk, "quantity": 1}],
        )
    assert _state(order, payment) == ("paid", Decimal("0.00"))


def test_an_unpaid_order_has_nothing_to_refund(staff):
    order, _ = _placed((("20.00", 1, 5),), "cash_usd")
    with pytest.raises(NothingToRefund) as refused:
        refund_create(order=order, actor=staff, reason="Nothing paid", amount="1.00")
    assert refused.value.status == 409
    assert not Refund.objects.exists()


def test_card_refund_goes_through_the_test_gateway(staff):
    order, payment, _ = _card_paid()

    refund = refund_create(order=order, actor=staff, reason="Defective", amount="10.00")

    assert refund.status == "succeeded"
    assert refund.provider_ref.startswith("test_re_")
    assert _state(order, payment) == ("partially_refunded", Decimal("10.00"))
    assert Notification.objects.filter(
        template="refund_issued", reference_id=refund.refund_number
    ).exists()


def test_the_same_idempotency_key_is_one_refund(staff, monkeypatch):
    order, payment, _ = _card_paid()
    calls = []
    original = TestGateway.refund

    def counting(self, **kwargs):
        calls.append(kwargs)
        return original(self, **kwargs)

    monkeypatch.setattr(TestGateway, "refund", counting)
    first = refund_create(
        order=order, actor=staff, reason="Once", amount="5.00", idempotency_key="rf-1"
    )
    again = refund_create(
        order=order, actor=staff, reason="Once", amount="5.00", idempotency_key="rf-1"
    )
    assert again.pk == first.pk and len(calls) == 1
    assert calls[0]["idempotency_key"] == f"refund-{first.refund_number}"
    assert _state(order, payment) == ("partially_refunded", Decimal("5.00"))
    other, _, _ = _card_paid()
    with pytest.raises(Conflict):
        refund_create(order=other, actor=staff, reason="Reuse", amount="1", idempotency_key="rf-1")


@pytest.mark.parametrize("failure", ["unreachable", "refused"])
def test_a_gateway_failure_gives_the_amount_back(staff, monkeypatch, failure):
    order, payment, (variant,) = _card_paid()
    on_hand = Stock.objects.get(variant=variant).on_hand

    def broken(self, **kwargs):
        if failure == "unreachable":
            raise GatewayError("connection reset")
        return RefundResult(status="failed", error_code="charge_disputed", error_message="Disputed")

    monkeypatch.setattr(TestGateway, "refund", broken)
    with pytest.raises(RefundFailed) as failed:
        refund_create(
            order=order,
            actor=staff,
            reason="Defective",
            items=[{"order_item_id": order.items.get().pk, "quantity": 1}],
            restock=True,
        )

    assert failed.value.code == "refund_failed"
    refund = Refund.objects.get()
    assert refund.status == "failed" and refund.error
    assert _state(order, payment) == ("paid", Decimal("0.00"))
    assert Stock.objects.get(variant=variant).on_hand == on_hand
    assert not Notification.objects.filter(template="refund_issued").exists()
    assert AuditLog.objects.filter(action="refund.failed").exists()
    # The whole amount is refundable again once the gateway is back.
    monkeypatch.undo()
    again = refund_create(order=order, actor=staff, reason="Retry", amount=payment.amount)
    assert again.status == "succeeded"
    assert _state(order, payment) == ("refunded", payment.amount)


def test_the_payment_row_never_holds_more_refunds_than_its_amount(staff):
    order, payment, _ = _cash_paid(staff)
    refund_create(order=order, actor=staff, reason="All", amount=payment.amount)
    assert Payment.objects.get(pk=payment.pk).refundable == Decimal("0.00")
    with pytest.raises(RefundTooLarge):
        refund_create(order=order, actor=staff, reason="More", amount="0.01")


def test_a_pending_gateway_refund_keeps_the_amount_reserved_until_confirmed(staff, monkeypatch):
    order, payment, _ = _card_paid()
    monkeypatch.setattr(
        TestGateway,
        "refund",
        lambda self, **kwargs: RefundResult(status="pending", refund_ref="test_re_later"),
    )

    refund = refund_create(order=order, actor=staff, reason="Slow bank", amount="8.00")

    assert (refund.status, refund.provider_ref) == ("pending", "test_re_later")
    assert _state(order, payment) == ("paid", Decimal("8.00"))  # reserved, not yet given back
    assert not Notification.objects.filter(template="refund_issued").exists()
    with pytest.raises(RefundTooLarge):
        refund_create(order=order, actor=staff, reason="Too much", amount=payment.refundable + 1)

    done = refund_succeeded(refund=refund, provider_ref="test_re_later")
    again = refund_succeeded(refund=refund, provider_ref="test_re_later")

    assert done.status == again.status == "succeeded"
    assert _state(order, payment) == ("partially_refunded", Decimal("8.00"))
    assert Notification.objects.filter(template="refund_issued").count() == 1


def test_items_paid_in_cash_lbp_are_refunded_as_their_share_in_pounds(staff):
    ExchangeRate.objects.create(
        currency="LBP", rate=Decimal("89500"), effective_from=timezone.now() - timedelta(days=1)
    )
    order, _ = _placed((("10.00", 2, 5),), "cash_lbp")  # $20.00 + $4.00 = $24.00
    payment = payment_confirm_offline(order=order, method="cash_lbp", actor=staff)
    assert (payment.currency, payment.amount) == ("LBP", Decimal("2148000"))

    refund = refund_create(
        order=order,
        actor=staff,
        reason="One returned",
        items=[{"order_item_id": order.items.get().pk, "quantity": 1}],
    )

    assert (refund.currency, refund.amount) == ("LBP", Decimal("895000"))  # $10.00 at 89,500
    with pytest.raises(ValidationFailed):  # pounds are whole
        refund_create(order=order, actor=staff, reason="Cents", amount="0.50")


def test_money_refunded_outside_refund_create_counts_towards_refunded(staff):
    order, payment, _ = _card_paid()
    # A refund made in the provider's dashboard, recorded from its webhook notice.
    Payment.objects.filter(pk=payment.pk).update(amount_refunded=Decimal("5.00"))

    refund_create(order=order, actor=staff, reason="The rest", amount=payment.amount - 5)

    assert _state(order, payment) == ("refunded", payment.amount)
