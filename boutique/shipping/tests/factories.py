"""Paid orders to ship and carriers to ship them with."""

from decimal import Decimal

from boutique.cart.services import cart_add, cart_obtain
from boutique.catalog.tests.factories import make_product
from boutique.checkout.services import CheckoutInput, order_place
from boutique.orders.models import Order, ShippingMethod
from boutique.orders.services import order_transition
from boutique.shipping.models import ShippingProvider

ADDRESS = {"full_name": "Rania Haddad", "line1": "Hamra St 12", "city": "Beirut", "country": "LB"}
SECRET = "carrier-test-secret"


def make_provider(name="Aramex", **fields) -> ShippingProvider:
    fields.setdefault("tracking_url_template", "https://track.example.com/{tracking_number}")
    fields.setdefault("webhook_secret", SECRET)
    return ShippingProvider.objects.create(name=name, contact_email="ops@example.com", **fields)


def paid_order(quantities=(2, 1), email="buyer@example.com") -> Order:
    """A paid order with one item per quantity given (2 × bodysuit, 1 × hat …)."""
    method = ShippingMethod.objects.create(name="Courier", price=Decimal("4.00"))
    cart = cart_obtain()
    for index, quantity in enumerate(quantities):
        variant = make_product(f"Product {index}", price="10.00", stock=10).variants.get()
        cart_add(token=cart.token, variant_id=variant.pk, quantity=quantity)
    data = CheckoutInput(email=email, shipping_address=ADDRESS, shipping_method_id=method.pk)
    order, _ = order_place(cart=cart, data=data)
    return order_transition(order=order, target="paid")


def items_of(order: Order) -> list:
    return list(order.items.order_by("pk"))
