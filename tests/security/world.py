"""One "world" for the authorisation matrix: two customers with one of
everything, two active sellers with a product each, and a staff member, built
through the apps' factories and services the way production builds them.

Customer A's (and seller S1's) objects fill the URLs; the other actors must not
reach them. Customer B owns the same kinds of objects, so a 404 for B means
"not yours", never "nothing of that kind exists"."""

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth.tokens import default_token_generator
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from boutique.accounts.services import token_issue
from boutique.accounts.services.addressbook import address_create, child_create
from boutique.accounts.services.users import email_verification_token
from boutique.accounts.tests.factories import StaffFactory, UserFactory
from boutique.cart.models import CartItem
from boutique.cart.services import cart_add, cart_obtain, wishlist_add
from boutique.catalog.tests.factories import CategoryFactory, SellerFactory, make_product
from boutique.checkout.services import CheckoutInput, order_place
from boutique.marketplace.services import payout_generate
from boutique.marketplace.tests.factories import deliver, multi_seller_order
from boutique.orders.models import Order, ShippingMethod
from boutique.payments.gateways.test import tokenize
from boutique.payments.services import payment_card_pay
from boutique.shipping.services import shipment_create
from boutique.shipping.tests.factories import make_provider

from .world_backoffice import add_backoffice
from .world_registry import add_registry
from .world_reviews import add_reviews
from .world_safety import add_safety
from .world_support import add_support

ADDRESS = {
    "full_name": "Rania Haddad",
    "phone": "+9613123456",
    "line1": "Hamra St 12",
    "city": "Beirut",
    "country": "LB",
}
CARD = {"number": "4242424242424242", "exp_month": 12, "exp_year": 2030, "cvc": "123"}


@dataclass
class Customer:
    user: object
    token: str  # API bearer secret
    order: Order  # paid by card and shipped
    open_order: Order  # placed, not paid: cancellable, payable
    payment: object
    shipment: object
    address: object
    child: object
    cart_item: CartItem
    wishlist_item: object

    @property
    def uidb64(self) -> str:
        return urlsafe_base64_encode(force_bytes(self.user.pk))

    def password_reset_token(self) -> str:
        """A live reset link's token (it depends on last_login: signing in
        voids earlier links, so it is made when asked for)."""
        self.user.refresh_from_db()
        return default_token_generator.make_token(self.user)


@dataclass
class SellerActor:
    user: object
    token: str
    seller: object
    product: object
    order_item: object  # of a paid order, not shipped yet
    payout: object  # for an earlier order, delivered two days ago


@dataclass
class World:
    a: Customer
    b: Customer
    s1: SellerActor
    s2: SellerActor
    staff: object
    staff_token: str
    category: object
    provider: object
    method: ShippingMethod
    extra: dict = field(default_factory=dict)

    def user(self, actor: str):
        return {
            "customer": self.a.user,
            "other_customer": self.b.user,
            "seller": self.s1.user,
            "other_seller": self.s2.user,
            "staff": self.staff,
        }.get(actor)

    def token(self, actor: str) -> str | None:
        return {
            "customer": self.a.token,
            "other_customer": self.b.token,
            "seller": self.s1.token,
            "other_seller": self.s2.token,
            "staff": self.staff_token,
        }.get(actor)


def _place(user, variant, method) -> Order:
    cart = cart_obtain(user=user)
    cart_add(user=user, variant_id=variant.pk, quantity=1)
    data = CheckoutInput(
        email=user.email, shipping_address=ADDRESS, shipping_method_id=method.pk, currency="USD"
    )
    order, _ = order_place(cart=cart, user=user, data=data)
    return order


def _customer(name: str, *, variant, other_variant, product, method, provider) -> Customer:
    user = UserFactory(email=f"{name}@example.com", phone=None)
    secret, _ = token_issue(user=user, name="authz")
    order = _place(user, variant, method)
    Order.objects.filter(pk=order.pk).update(payment_method="card")
    order.refresh_from_db()
    payment = payment_card_pay(order=order, token=tokenize(**CARD), idempotency_key=f"authz-{name}")
    order.refresh_from_db()
    shipment = shipment_create(order=order, provider=provider, tracking_number=f"TRK-{name}")
    open_order = _place(user, variant, method)
    address = address_create(user=user, type="shipping", **ADDRESS, postal_code="1107")
    child = child_create(user=user, name=f"{name.title()} junior", birth_date="2024-05-01")
    cart_item = cart_add(user=user, variant_id=other_variant.pk, quantity=1)
    wishlist_item, _ = wishlist_add(user=user, product_id=product.pk)
    return Customer(
        user=user,
        token=secret,
        order=order,
        open_order=open_order,
        payment=payment,
        shipment=shipment,
        address=address,
        child=child,
        cart_item=cart_item,
        wishlist_item=wishlist_item,
    )


def _seller(name: str, category) -> SellerActor:
    owner = UserFactory(email=f"{name}@example.com", role="seller")
    secret, _ = token_issue(user=owner, name="authz")
    seller = SellerFactory(owner=owner, store_name=f"{name.title()} store", slug=f"{name}-store")
    product = make_product(
        f"{name.title()} knitted cardigan", category=category, seller=seller, stock=50
    )
    delivered = multi_seller_order([(product, 1)], email=f"buyer-of-{name}@example.com")
    deliver(delivered, at=timezone.now() - timedelta(days=2))
    yesterday = timezone.localdate() - timedelta(days=1)
    payout = payout_generate(
        seller=seller, period_start=yesterday - timedelta(days=6), period_end=yesterday
    )
    to_ship = multi_seller_order([(product, 2)], email=f"buyer-of-{name}@example.com")
    return SellerActor(
        user=owner,
        token=secret,
        seller=seller,
        product=product,
        order_item=to_ship.items.get(),
        payout=payout,
    )


def build_world() -> World:
    category = CategoryFactory(name="Knitwear", slug="knitwear")
    method = ShippingMethod.objects.create(name="Courier", price=Decimal("4.00"))
    provider = make_provider()
    s1 = _seller("seller1", category)
    s2 = _seller("seller2", category)
    shop_variant = make_product("Bodysuit", category=category, stock=50).variants.get()
    s1_variant = s1.product.variants.get()
    common = {"method": method, "provider": provider, "product": s2.product}
    a = _customer("alice", variant=shop_variant, other_variant=s1_variant, **common)
    b = _customer("bruno", variant=shop_variant, other_variant=s1_variant, **common)
    staff = StaffFactory(email="staff@example.com")
    staff_token, _ = token_issue(user=staff, name="authz")
    world = World(
        a=a,
        b=b,
        s1=s1,
        s2=s2,
        staff=staff,
        staff_token=staff_token,
        category=category,
        provider=provider,
        method=method,
    )
    world.extra["email_token"] = email_verification_token(a.user)
    add_support(world)
    add_reviews(world)
    add_backoffice(world)
    add_registry(world)
    add_safety(world)
    return world
