"""Checkout: the one orchestrator that calls several apps' services.

`checkout_quote` prices the caller's cart for an address, shipping method,
coupon and currency (the page and the API show the same numbers: they both
call this). `order_place` turns the cart into an order in one durable
transaction: re-price, hold the stock for the order, redeem the coupon under
its row lock, write the order with its snapshots, clear the cart, queue the
confirmation. An Idempotency-Key makes a repeated submit return the first
order instead of placing another.
"""

import hashlib
import json
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import get_language, gettext

from boutique.accounts.services.preferences import language_supported
from boutique.audit.services import audit_record
from boutique.cart.locks import cart_for_update
from boutique.cart.models import Cart, CartItem, CartStatus
from boutique.catalog.selectors import purchasable_ids
from boutique.inventory.locks import stock_for_update
from boutique.inventory.models import HolderType, Stock
from boutique.inventory.selectors import available_map
from boutique.inventory.services import (
    InsufficientStock,
    reservations_release_for,
    stock_reserve,
)
from boutique.notifications.services import notification_enqueue
from boutique.orders import selectors as orders_selectors
from boutique.orders.errors import (
    CartEmpty,
    CartNeedsAttention,
    CheckoutInvalid,
    IdempotencyKeyReused,
    OutOfStock,
    ShippingNotAvailable,
)
from boutique.orders.models import AddressKind, Order, OrderAddress, OrderItem, PaymentMethod
from boutique.orders.services import order_number_next, pay_by_for
from boutique.promotions import services as promotions
from boutique.registry import services_checkout as registry_checkout

from .domain import CouponTerms, PriceLine, Quote, ShippingTerms, TaxTerms, price_order

ADDRESS_FIELDS = ("full_name", "phone", "line1", "line2", "city", "state", "postal_code", "country")
REQUIRED_ADDRESS_FIELDS = ("full_name", "line1", "city", "country")
MAX_LENGTHS = {
    "full_name": 200,
    "phone": 20,
    "line1": 255,
    "line2": 255,
    "city": 120,
    "state": 120,
    "postal_code": 20,
    "country": 2,
}


# --- Input ---------------------------------------------------------------------------
@dataclass
class CheckoutInput:
    """What the customer chose. Addresses are plain dicts of ADDRESS_FIELDS (a
    saved address is copied into one by the caller)."""

    shipping_address: dict
    email: str = ""
    billing_address: dict | None = None
    shipping_method_id: int | None = None
    coupon_code: str = ""
    currency: str = "USD"
    payment_method: str = PaymentMethod.COD
    note: str = ""
    # Registry gifts (issue 13): ship to the registrant's address, and a message.
    ship_to_registry: bool = False
    gift_message: str = ""


@dataclass
class CleanCheckout:
    email: str
    phone: str
    shipping_address: dict
    billing_address: dict
    shipping_method: object
    coupon_code: str
    currency: str
    payment_method: str
    note: str
    rates: dict
    ship_to_registry: bool = False
    gift_message: str = ""


def _clean_text(value) -> str:
    text = "" if value is None else str(value)
    if "\x00" in text:
        raise CheckoutInvalid(gettext("Text fields cannot contain NUL characters."))
    return text.strip()


def _clean_address(raw, prefix: str, errors: dict) -> dict:
    if not isinstance(raw, dict):
        errors[prefix] = ["Give an address."]
        return {}
    address = {}
    for name in ADDRESS_FIELDS:
        value = _clean_text(raw.get(name, ""))
        if len(value) > MAX_LENGTHS[name]:
            errors[f"{prefix}.{name}"] = [f"At most {MAX_LENGTHS[name]} characters."]
        address[name] = value
    for name in REQUIRED_ADDRESS_FIELDS:
        if not address.get(name):
            errors.setdefault(f"{prefix}.{name}", ["Required."])
    address["country"] = address["country"].upper()
    if address["country"] and not (
        len(address["country"]) == 2
        and address["country"].isascii()
        and address["country"].isalpha()
    ):
        errors[f"{prefix}.country"] = ["Use a two-letter country code, e.g. LB."]
    return address


def checkout_clean(*, data: CheckoutInput, user=None, require_method: bool = True) -> CleanCheckout:
    """Validate the customer's choices; every problem at once, as 400."""
    errors: dict[str, list[str]] = {}
    signed_in = user is not None and user.is_authenticated
    email = _clean_text(data.email) or (user.email if signed_in else "")
    if not email:
        errors["email"] = ["Give an email address for the order confirmation."]
    else:
        try:
            validate_email(email)
        except DjangoValidationError:
            errors["email"] = ["Enter a valid email address."]
    shipping = _clean_address(data.shipping_address, "shipping_address", errors)
    billing = (
        _clean_address(data.billing_address, "billing_address", errors)
        if data.billing_address
        else dict(shipping)
    )
    rates = orders_selectors.exchange_rates()
    currency = _clean_text(data.currency).upper() or "USD"
    if currency not in rates:
        errors["currency"] = [f"{currency} is not offered (choose one of {', '.join(rates)})."]
    method = None
    if data.shipping_method_id in (None, ""):
        if require_method:
            errors["shipping_method"] = ["Choose a shipping method."]
    else:
        method = orders_selectors.shipping_method_get(data.shipping_method_id)
        if method is None:
            errors["shipping_method"] = ["Unknown shipping method."]
    payment = _clean_text(data.payment_method)
    if payment not in settings.CHECKOUT_PAYMENT_METHODS:
        offered = ", ".join(settings.CHECKOUT_PAYMENT_METHODS)
        errors["payment_method"] = [f"Choose one of: {offered}."]
    note = _clean_text(data.note)
    if len(note) > 500:
        errors["note"] = ["At most 500 characters."]
    coupon = _clean_text(data.coupon_code)
    if len(coupon) > 40:
        errors["coupon"] = ["Unknown coupon code."]
    if errors:
        raise CheckoutInvalid(gettext("Some checkout details need fixing."), field_errors=errors)
    if method is not None and not method.serves(shipping["country"]):
        raise ShippingNotAvailable(
            f"{method.name} does not deliver to {shipping['country']}.",
            field_errors={"shipping_method": [gettext("Not available for this country.")]},
        )
    return CleanCheckout(
        email=email.lower() if not signed_in else email,
        phone=shipping.get("phone", ""),
        shipping_address=shipping,
        billing_address=billing,
        shipping_method=method,
        coupon_code=coupon,
        currency=currency,
        payment_method=payment,
        note=note,
        rates=rates,
        ship_to_registry=bool(data.ship_to_registry),
        gift_message=registry_checkout.gift_message_clean(data.gift_message),
    )


# --- Quote -------------------------------------------------------------------------
@dataclass
class CheckoutQuote:
    quote: Quote
    items: list  # CartItem, in quote line order
    shipping_method: object
    coupon: object = None
    coupon_refusal: object = None  # a CouponRefused when the code cannot be used
    tax_rate: Decimal = Decimal(0)
    problems: list[str] = field(default_factory=list)


def _cart_items(cart: Cart) -> list[CartItem]:
    return list(
        CartItem.objects.filter(cart=cart)
        .select_related("variant__product__seller")
        .order_by("variant_id")
    )


def _tax_terms(country: str) -> tuple[TaxTerms, Decimal]:
    rate, on_shipping = orders_selectors.tax_terms_for(country)
    terms = TaxTerms(
        rate=rate,
        applies_to_shipping=on_shipping,
        prices_include_tax=bool(settings.PRICES_INCLUDE_TAX),
    )
    return terms, rate


def _coupon_terms(coupon) -> CouponTerms | None:
    if coupon is None:
        return None
    return CouponTerms(kind=coupon.kind, value=coupon.value, currency=coupon.currency)


def _shipping_terms(method) -> ShippingTerms | None:
    if method is None:
        return None
    return ShippingTerms(price=method.price, currency=method.currency, free_over=method.free_over)


def _price(items, clean: CleanCheckout, coupon=None) -> tuple[Quote, Decimal]:
    lines = [
        PriceLine(
            key=item.variant_id,
            unit_price=item.variant.price,
            currency=item.variant.currency,
            quantity=item.quantity,
        )
        for item in items
    ]
    tax, rate = _tax_terms(clean.shipping_address["country"])
    quote = price_order(
        lines,
        currency=clean.currency,
        rates=clean.rates,
        tax=tax,
        shipping=_shipping_terms(clean.shipping_method),
        coupon=_coupon_terms(coupon),
    )
    return quote, rate


def _sticker_subtotal(quote: Quote) -> Decimal:
    """What the items cost at the prices shown (tax included when prices include
    it): what a coupon's minimum order is measured against."""
    return sum((line.line_total for line in quote.lines), Decimal(0))


def _pick_coupon(clean: CleanCheckout, *, user, subtotal: Decimal, prior: int, strict: bool):
    """(coupon, refusal): the typed code, else the best automatic offer."""
    if clean.coupon_code:
        try:
            coupon = promotions.coupon_find_for_checkout(
                code=clean.coupon_code,
                user=user,
                email=clean.email,
                subtotal=subtotal,
                currency=clean.currency,
                rates=clean.rates,
                prior_orders=prior,
            )
        except promotions.CouponRefused as refusal:
            if strict:
                raise
            return None, refusal
        return coupon, None
    coupon = promotions.coupon_automatic_for_checkout(
        user=user,
        email=clean.email,
        subtotal=subtotal,
        currency=clean.currency,
        rates=clean.rates,
        prior_orders=prior,
    )
    return coupon, None


def checkout_quote(*, cart: Cart | None, user=None, data: CheckoutInput, strict_coupon=False):
    """Price the cart as it would be ordered now. A coupon that cannot be used is
    reported on the quote (`coupon_refusal`) unless strict_coupon, when it raises."""
    clean = checkout_clean(data=data, user=user, require_method=False)
    items = _cart_items(cart) if cart is not None else []
    if not items:
        raise CartEmpty(gettext("Your cart is empty."))
    problems = _cart_problems(items)
    clean = _with_gift(cart, clean)[1]
    prior = orders_selectors.prior_order_count(user=user, email=clean.email)
    plain, rate = _price(items, clean)
    coupon, refusal = _pick_coupon(
        clean, user=user, subtotal=_sticker_subtotal(plain), prior=prior, strict=strict_coupon
    )
    quote = _price(items, clean, coupon)[0] if coupon is not None else plain
    return CheckoutQuote(
        quote=quote,
        items=items,
        shipping_method=clean.shipping_method,
        coupon=coupon,
        coupon_refusal=refusal,
        tax_rate=rate,
        problems=problems,
    )


def _cart_problems(items) -> list[str]:
    ids = [item.variant_id for item in items]
    buyable = purchasable_ids(ids)
    # The cart's own checkout hold is the customer's, not someone else's.
    free = available_map(ids, for_holder=(HolderType.CART, items[0].cart_id))
    problems = []
    for item in items:
        if item.variant_id not in buyable:
            problems.append(f"{item.variant} ({item.variant.sku}) is no longer sold.")
        elif item.quantity > free[item.variant_id]:
            problems.append(
                f"Only {free[item.variant_id]} of {item.variant} ({item.variant.sku}) available."
            )
    return problems


def _with_gift(cart, clean: CleanCheckout):
    """(the cart's registry gifts or None, the choices with the registrant's
    address as the shipping address when the buyer asked for it)."""
    gift = registry_checkout.registry_gift_for_cart(
        cart=cart, ship_to_registry=clean.ship_to_registry, gift_message=clean.gift_message
    )
    return gift, registry_checkout.registry_checkout_apply(clean=clean, gift=gift)


# --- Holding stock while the customer checks out ------------------------------------
def checkout_hold(*, cart: Cart, minutes: int | None = None) -> list[str]:
    """Hold the cart's items for the customer in checkout (default
    CHECKOUT_HOLD_MINUTES), replacing an earlier hold. All or nothing: when a
    line cannot be held, nothing is held (the earlier hold stays as it was) and
    the lines' problems are returned."""
    ttl = timedelta(minutes=minutes or settings.CHECKOUT_HOLD_MINUTES)
    problems = []
    try:
        with transaction.atomic():
            reservations_release_for(
                holder_type=HolderType.CART, holder_id=cart.pk, reason="checkout hold renewed"
            )
            for item in _cart_items(cart):
                try:
                    with transaction.atomic():
                        stock_reserve(
                            variant=item.variant,
                            quantity=item.quantity,
                            holder_type=HolderType.CART,
                            holder_id=cart.pk,
                            ttl=ttl,
                        )
                except InsufficientStock as exc:
                    problems.append(exc.detail)
            if problems:
                raise _HoldRefused
    except _HoldRefused:
        pass
    return problems


class _HoldRefused(Exception):
    """Rolls a partial checkout hold back."""


# --- Placing --------------------------------------------------------------------------
def _fingerprint(clean: CleanCheckout, user) -> str:
    payload = {
        "user": getattr(user, "pk", None) if user is not None and user.is_authenticated else None,
        "email": clean.email.lower(),
        "shipping": clean.shipping_address,
        "billing": clean.billing_address,
        "method": getattr(clean.shipping_method, "pk", None),
        "coupon": clean.coupon_code.upper(),
        "currency": clean.currency,
        "payment": clean.payment_method,
    }
    if clean.ship_to_registry or clean.gift_message:
        payload["gift"] = [clean.ship_to_registry, clean.gift_message]
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def _replay(key: str, fingerprint: str) -> Order | None:
    existing = Order.objects.filter(idempotency_key=key).first()
    if existing is None:
        return None
    if existing.request_fingerprint != fingerprint:
        raise IdempotencyKeyReused(
            "This Idempotency-Key was already used for a different order; use a new key."
        )
    return existing


def _clean_key(key) -> str | None:
    if key in (None, ""):
        return None
    key = str(key).strip()
    if not key or len(key) > 100 or not key.isprintable() or not key.isascii():
        raise CheckoutInvalid(
            gettext("An Idempotency-Key is 1 to 100 printable ASCII characters."),
            field_errors={"idempotency_key": [gettext("Invalid.")]},
        )
    return key


def order_place(
    *, cart: Cart | None, user=None, data: CheckoutInput, idempotency_key=None
) -> tuple[Order, bool]:
    """Place the order. Returns (order, created): a repeated request with the
    same key returns the first order and created=False."""
    key = _clean_key(idempotency_key)
    clean = checkout_clean(data=data, user=user)
    fingerprint = _fingerprint(clean, user)
    if key:
        existing = _replay(key, fingerprint)
        if existing is not None:
            return existing, False
    if cart is None:
        raise CartEmpty(gettext("Your cart is empty."))
    try:
        return _place(cart=cart, user=user, clean=clean, key=key, fingerprint=fingerprint)
    except IntegrityError:
        # The same key won a race a moment ago: answer with its order.
        if key:
            existing = _replay(key, fingerprint)
            if existing is not None:
                return existing, False
        raise


def _place(*, cart: Cart, user, clean: CleanCheckout, key, fingerprint) -> tuple[Order, bool]:
    signed_in = user is not None and user.is_authenticated
    with transaction.atomic(durable=True):
        locked = cart_for_update().filter(pk=cart.pk).first()
        if key:
            # A twin request with this key may have placed the order while we
            # waited for the cart lock.
            existing = _replay(key, fingerprint)
            if existing is not None:
                return existing, False
        if locked is not None and locked.status != CartStatus.OPEN:
            locked = None
        items = _cart_items(locked) if locked is not None else []
        if not items:
            raise CartEmpty(gettext("Your cart is empty."))
        not_sold = [i for i in items if i.variant_id not in purchasable_ids([i.variant_id])]
        if not_sold:
            skus = ", ".join(i.variant.sku for i in not_sold)
            raise CartNeedsAttention(f"No longer sold: {skus}. Remove them to continue.")
        buyer_name = clean.billing_address.get("full_name", "")
        gift, clean = _with_gift(locked, clean)
        # Stock rows in variant order, before anything else: concurrent
        # checkouts of the same items queue here instead of deadlocking.
        for item in items:
            Stock.objects.get_or_create(variant=item.variant)
        list(stock_for_update().filter(variant_id__in=[i.variant_id for i in items]))
        reservations_release_for(
            holder_type=HolderType.CART, holder_id=locked.pk, reason="checked out"
        )
        prior = orders_selectors.prior_order_count(user=user, email=clean.email)
        plain, tax_rate = _price(items, clean)
        coupon, _ = _pick_coupon(
            clean, user=user, subtotal=_sticker_subtotal(plain), prior=prior, strict=True
        )
        quote = _price(items, clean, coupon)[0] if coupon is not None else plain
        now = timezone.now()
        pay_by = pay_by_for(clean.payment_method, now=now)
        order = Order.objects.create(
            number=order_number_next(now=now),
            user=user if signed_in else None,
            email=clean.email,
            phone=clean.phone,
            payment_method=clean.payment_method,
            currency=quote.currency,
            language=language_supported(get_language()),
            exchange_rate=quote.rate,
            subtotal=quote.subtotal,
            discount=quote.discount,
            shipping=quote.shipping,
            tax=quote.tax,
            total=quote.total,
            tax_rate=tax_rate,
            prices_include_tax=bool(settings.PRICES_INCLUDE_TAX),
            shipping_method=clean.shipping_method,
            shipping_method_name=getattr(clean.shipping_method, "name", ""),
            coupon_code=coupon.code if coupon is not None else "",
            note=clean.note,
            placed_at=now,
            pay_by=pay_by,
            idempotency_key=key,
            request_fingerprint=fingerprint,
        )
        by_variant = {line.key: line for line in quote.lines}
        OrderItem.objects.bulk_create(
            OrderItem(
                order=order,
                product=item.variant.product,
                variant=item.variant,
                seller=item.variant.product.seller,
                product_name=item.variant.product.name,
                sku=item.variant.sku,
                options=item.variant.label if item.variant.label != "Standard" else "",
                unit_price=by_variant[item.variant_id].unit_price,
                quantity=item.quantity,
                line_total=by_variant[item.variant_id].line_total,
            )
            for item in items
        )
        OrderAddress.objects.bulk_create(
            [
                OrderAddress(order=order, kind=AddressKind.SHIPPING, **clean.shipping_address),
                OrderAddress(order=order, kind=AddressKind.BILLING, **clean.billing_address),
            ]
        )
        for item in items:
            try:
                stock_reserve(
                    variant=item.variant,
                    quantity=item.quantity,
                    holder_type=HolderType.ORDER,
                    holder_id=order.number,
                    ttl=pay_by - now,
                    actor=user if signed_in else None,
                )
            except InsufficientStock as exc:
                raise OutOfStock(
                    f"{item.variant.sku} is out of stock: {exc.detail}",
                    field_errors={"sku": [item.variant.sku]},
                ) from exc
        if gift is not None:
            registry_checkout.registry_purchases_record(
                gift=gift, order=order, buyer_name=buyer_name, actor=user if signed_in else None
            )
        if coupon is not None:
            promotions.coupon_redeem(
                coupon=coupon,
                user=user if signed_in else None,
                email=clean.email,
                order_number=order.number,
                amount=plain.shipping if coupon.kind == "free_shipping" else quote.discount,
                currency=quote.currency,
                prior_orders=prior,
            )
        Cart.objects.filter(pk=locked.pk).update(status=CartStatus.CONVERTED, updated_at=now)
        audit_record(
            entity=order,
            action="order.placed",
            actor=user if signed_in else None,
            new={
                "number": order.number,
                "total": order.total,
                "currency": order.currency,
                "items": [(i.variant.sku, i.quantity) for i in items],
                "coupon": order.coupon_code,
            },
        )
        notification_enqueue(
            channel="email",
            recipient=order.email,
            template="order_confirmation",
            language=order.email_language,
            context={
                "number": order.number,
                "total": str(order.total),
                "currency": order.currency,
            },
            reference=("order", order.number),
        )
        if order.payment_method == PaymentMethod.BANK_TRANSFER:
            notification_enqueue(
                channel="email",
                recipient=order.email,
                template="bank_transfer_instructions",
                language=order.email_language,
                context={
                    "number": order.number,
                    "total": str(order.total),
                    "currency": order.currency,
                    "bank_details": settings.BANK_TRANSFER_DETAILS,
                    "reference": order.number,
                    "pay_by": order.pay_by.isoformat() if order.pay_by else "",
                },
                reference=("order", order.number),
            )
    return order, True
