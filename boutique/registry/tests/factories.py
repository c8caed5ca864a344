"""Registry factories: a registrant with an address, a registry through the
service (as production makes one), and a friend's cart holding a gift."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from boutique.accounts.tests.factories import AddressFactory, UserFactory
from boutique.cart.services import cart_obtain
from boutique.catalog.tests.factories import make_product
from boutique.checkout.services import CheckoutInput
from boutique.orders.models import ShippingMethod
from boutique.registry.services import registry_create, registry_gift_add_to_cart, registry_item_add

REGISTRANT_ADDRESS = {
    "full_name": "Maya Haddad",
    "phone": "+9613999888",
    "line1": "Secret Cedar Lane 7",
    "city": "Byblos",
    "country": "LB",
}
BUYER_ADDRESS = {
    "full_name": "Lina Friend",
    "phone": "+96170111222",
    "line1": "Friend St 1",
    "city": "Beirut",
    "country": "LB",
}


def make_registrant(**fields):
    owner = UserFactory(first_name="Maya", last_name="Haddad", **fields)
    address = AddressFactory(user=owner, **REGISTRANT_ADDRESS)
    return owner, address


def make_registry(*, owner=None, items=(), days=30, **fields):
    """A registry (event in `days` days) with [(variant, wanted), …] on it."""
    address = None
    if owner is None:
        owner, address = make_registrant()
    else:
        address = owner.addresses.first() or AddressFactory(user=owner, **REGISTRANT_ADDRESS)
    registry = registry_create(
        user=owner,
        title=fields.pop("title", "Maya's baby shower"),
        event_date=timezone.localdate() + timedelta(days=days),
        address_id=address.pk,
        **fields,
    )
    for variant, wanted in items:
        registry_item_add(registry=registry, actor=owner, variant_id=variant.pk, quantity=wanted)
    return registry


def make_variant(stock=20, price="25.00"):
    return make_product("Knitted blanket", stock=stock, price=price).variants.get()


def shipping_method():
    return ShippingMethod.objects.create(name="Courier", price=Decimal("4.00"))


def gift_cart(registry, item, *, quantity=1, user=None):
    """A friend's cart (a guest's unless `user`) holding the gift."""
    token = None
    if user is None:
        token = cart_obtain().token
    line = registry_gift_add_to_cart(
        token=registry.share_token, item_id=item.pk, quantity=quantity, user=user, cart_token=token
    )
    return line.cart


def gift_checkout(method, *, email="lina@example.com", ship_to_registry=True, message="Congrats!"):
    return CheckoutInput(
        email=email,
        shipping_address=dict(BUYER_ADDRESS),
        shipping_method_id=method.pk,
        ship_to_registry=ship_to_registry,
        gift_message=message,
    )
