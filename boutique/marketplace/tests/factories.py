"""Orders holding marketplace sellers' items, shipped and delivered."""

from decimal import Decimal

from boutique.accounts.tests.factories import StaffFactory
from boutique.cart.services import cart_add, cart_obtain
from boutique.catalog.tests.factories import SellerFactory, make_product
from boutique.checkout.services import CheckoutInput, order_place
from boutique.orders.models import Order, ShippingMethod
from boutique.payments.services import payment_confirm_offline
from boutique.shipping.services import shipment_create, shipment_mark_delivered
from boutique.shipping.tests.factories import ADDRESS, make_provider

__all__ = ["SellerFactory", "deliver", "multi_seller_order", "seller_product"]


def seller_product(seller, name="Hand-knit bonnet", price="20.00", stock=10):
    return make_product(f"{name} {seller.slug}", price=price, stock=stock, seller=seller)


def multi_seller_order(
    lines, *, email="buyer@example.com", user=None, currency="USD", staff=None
) -> Order:
    """An order of `lines` = [(product, quantity), …] (products of any sellers),
    paid in cash and confirmed by staff (so it can be refunded)."""
    method, _ = ShippingMethod.objects.get_or_create(name="Courier", defaults={"price": Decimal(4)})
    cart = cart_obtain(user=user)
    for product, quantity in lines:
        cart_add(
            user=user, token=cart.token, variant_id=product.variants.get().pk, quantity=quantity
        )
    data = CheckoutInput(
        email=email,
        shipping_address=ADDRESS,
        shipping_method_id=method.pk,
        currency=currency,
        payment_method="cash_usd",
    )
    order, _ = order_place(cart=cart, data=data, user=user)
    payment_confirm_offline(order=order, method="cash_usd", actor=staff or StaffFactory())
    order.refresh_from_db()
    return order


def deliver(order: Order, items=None, *, at=None):
    """Ship `items` (order items; all unshipped when None) in one parcel and mark it delivered."""
    provider = make_provider(name=f"Carrier {order.pk}-{order.shipments.count()}")
    pairs = None if items is None else [(item.pk, item.quantity) for item in items]
    shipment = shipment_create(order=order, items=pairs, provider=provider, tracking_number="T1")
    return shipment_mark_delivered(shipment=shipment, at=at)
