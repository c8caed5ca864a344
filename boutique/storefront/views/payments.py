"""Paying an order from its page. With the test gateway the card form posts the
card to us: it is turned into a token in memory and dropped at once (the number
and CVV are sensitive POST parameters, never logged or stored). With Stripe the
browser talks to Stripe and only a token reaches us."""

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from boutique.core.errors import DomainError
from boutique.orders.services import order_cod_confirm, order_cod_send_code
from boutique.payments.gateways.test import InvalidCard, tokenize
from boutique.payments.models import Payment
from boutique.payments.receipts import transfer_receipt_upload
from boutique.payments.services import (
    PaymentRefused,
    PaymentRequiresAction,
    payment_card_pay,
)
from boutique.payments.services import (
    payment_test_authorise as payment_test_authorise_service,
)

from ..helpers import redirect_to
from .orders import _order_for_visitor, _render_order


@require_POST
@sensitive_post_parameters("number", "cvc")
def order_pay(request, number: str):
    order = _order_for_visitor(request, number)
    key = request.POST.get("key", "")
    try:
        if settings.PAYMENT_GATEWAY == "test":
            token = tokenize(
                number=request.POST.get("number", ""),
                exp_month=_int(request.POST.get("exp_month")),
                exp_year=_int(request.POST.get("exp_year")),
                cvc=request.POST.get("cvc", ""),
            )
        else:
            token = request.POST.get("token", "")
        payment_card_pay(order=order, token=token, idempotency_key=key, actor=None)
    except PaymentRequiresAction as exc:
        if settings.PAYMENT_GATEWAY == "test" and exc.payment_id:
            return redirect_to(request, "storefront:payment_test_authorise", exc.payment_id)
        if exc.client_secret:
            # Stripe.js shows the bank's check; Stripe's webhook then pays the order.
            context = {
                "order": order,
                "client_secret": exc.client_secret,
                "stripe_publishable_key": settings.STRIPE_PUBLISHABLE_KEY,
            }
            return render(request, "storefront/pages/stripe_action.html", context, status=202)
        messages.error(
            request, gettext("%(detail)s Please try another card.") % {"detail": exc.detail}
        )
        return _again(request, order, status=402)
    except InvalidCard as exc:
        messages.error(request, str(exc))
        return _again(request, order, status=400)
    except PaymentRefused as exc:
        messages.error(
            request,
            gettext("%(detail)s Nothing was charged; you can try another card.")
            % {"detail": exc.detail},
        )
        return _again(request, order, status=402)
    except DomainError as exc:
        messages.error(request, exc.detail)
        return _again(request, order, status=exc.status)
    messages.success(
        request, gettext("Thank you! Order %(number)s is paid.") % {"number": order.number}
    )
    return redirect_to(request, "storefront:order_detail", order.number)


def _again(request, order, *, status: int):
    order.refresh_from_db()
    return _render_order(request, order, in_account=False, status=status)


def _int(value) -> int:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return 0


@require_POST
def order_cod_send(request, number: str):
    """Text the customer a code to confirm their cash-on-delivery order."""
    order = _order_for_visitor(request, number)
    try:
        phone = order_cod_send_code(order=order, phone=request.POST.get("phone", ""))
    except DomainError as exc:
        messages.error(request, exc.detail)
        return _again(request, order, status=exc.status)
    messages.info(
        request,
        gettext("We texted a code to %(phone)s. Enter it below to confirm your order.")
        % {"phone": phone},
    )
    return redirect_to(request, "storefront:order_detail", order.number)


@require_POST
@sensitive_post_parameters("code")
def order_cod_verify(request, number: str):
    order = _order_for_visitor(request, number)
    try:
        order_cod_confirm(order=order, code=request.POST.get("code", ""))
    except DomainError as exc:
        messages.error(request, exc.detail)
        return _again(request, order, status=exc.status)
    messages.success(
        request,
        gettext("Thank you! Order %(number)s is confirmed; pay when it arrives.")
        % {"number": order.number},
    )
    return redirect_to(request, "storefront:order_detail", order.number)


@require_POST
def order_receipt_upload(request, number: str):
    """A bank-transfer customer sends a photo or PDF of their receipt."""
    order = _order_for_visitor(request, number)
    try:
        transfer_receipt_upload(
            order=order, upload=request.FILES.get("receipt"), actor=request.user
        )
    except DomainError as exc:
        messages.error(request, exc.detail)
        return _again(request, order, status=exc.status)
    messages.success(request, gettext("Thank you: we received your receipt and will confirm soon."))
    return redirect_to(request, "storefront:order_detail", order.number)


def _payment_for_visitor(request, payment_id: int) -> Payment:
    payment = Payment.objects.select_related("order").filter(pk=payment_id).first()
    if payment is None or settings.PAYMENT_GATEWAY != "test":
        raise Http404("No such payment.")
    _order_for_visitor(request, payment.order.number)  # 404 unless it is theirs
    return payment


@never_cache
def payment_test_authorise(request, payment_id: int):
    """The test gateway's stand-in for the bank's 3-D Secure page."""
    payment = _payment_for_visitor(request, payment_id)
    if request.method == "POST":
        approve = request.POST.get("decision") == "approve"
        try:
            payment_test_authorise_service(payment=payment, approve=approve)
        except DomainError as exc:
            messages.error(request, exc.detail)
        else:
            if approve:
                messages.success(
                    request,
                    gettext("Thank you! Order %(number)s is paid.")
                    % {"number": payment.order.number},
                )
            else:
                messages.error(
                    request, gettext("You did not confirm the payment; nothing was charged.")
                )
        return redirect_to(request, "storefront:order_detail", payment.order.number)
    return render(request, "storefront/pages/test_authorise.html", {"payment": payment})
