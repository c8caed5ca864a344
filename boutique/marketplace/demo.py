"""The marketplace part of the demo shop (`make run`): an application waiting
for staff, and one order holding the shop's and the demo seller's items,
delivered last week and paid out (a payout to mark paid in the back office).
Everything goes through the services; each part is made once (safe to rerun)."""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.utils import timezone

from .forms_admin import previous_week
from .models import Seller, SellerStatus

APPLICANT = {
    "email": "applicant@boutique.test",
    "password": "Bee-Wax-Crayons-2026",
    "first_name": "Karim",
    "last_name": "Nassar",
}
APPLICATION = {
    "store_name": "Bee & Crayon",
    "description": "Beeswax crayons and hand-bound colouring books, made in Byblos.",
    "contact_email": "applicant@boutique.test",
    "contact_phone": "+96171234567",
    "payout_method": "mobile_wallet",
    "payout_account_name": "Karim Nassar",
    "payout_account": "+96171234567",
}
BUYER_EMAIL = "marketplace-buyer@boutique.test"
ADDRESS = {
    "full_name": "Sara Aoun",
    "phone": "+96170111222",
    "line1": "Rue Gouraud, Building 5",
    "city": "Beirut",
    "country": "LB",
}


@dataclass
class DemoMarketplaceSummary:
    applicant_created: bool
    payouts_created: int


def demo_marketplace_load(*, actor) -> DemoMarketplaceSummary:
    """Needs the demo catalogue (the demo seller's products) and checkout data."""
    return DemoMarketplaceSummary(_applicant(), _delivered_order_and_payout(actor))


def _applicant() -> bool:
    from boutique.accounts.selectors import user_find_by_login
    from boutique.accounts.services import email_verification_confirm, user_register
    from boutique.accounts.services.users import email_verification_token

    from .services.onboarding import seller_apply

    user = user_find_by_login(APPLICANT["email"])
    if user is None:
        user = user_register(**APPLICANT, send_verification=False)
        user = email_verification_confirm(token=email_verification_token(user))
    if Seller.objects.filter(owner=user).exists():
        return False
    seller_apply(user=user, **APPLICATION)
    return True


def _delivered_order_and_payout(actor) -> int:
    from boutique.cart.services import cart_add, cart_obtain
    from boutique.catalog.selectors import storefront_products
    from boutique.checkout.services import CheckoutInput, order_place
    from boutique.orders.models import Order, ShippingMethod
    from boutique.payments.services import payment_confirm_offline
    from boutique.shipping.models import ShippingProvider
    from boutique.shipping.services import shipment_create, shipment_mark_delivered
    from boutique.shipping.services_providers import shipping_provider_save

    from .services.payouts import payouts_generate

    seller = Seller.objects.filter(status=SellerStatus.ACTIVE).order_by("pk").first()
    method = ShippingMethod.objects.order_by("position", "pk").first()
    if seller is None or method is None or Order.objects.filter(email=BUYER_EMAIL).exists():
        return 0
    provider = ShippingProvider.objects.order_by("pk").first() or shipping_provider_save(
        actor=actor, name="Boutique courier", contact_email="courier@boutique.test"
    )
    products = storefront_products().filter(variants__stock__on_hand__gte=5).distinct()
    theirs = products.filter(seller=seller).order_by("pk").first()
    ours = products.filter(seller__isnull=True).order_by("pk").first()
    if theirs is None or ours is None:
        return 0
    cart = cart_obtain()
    for product in (ours, theirs):
        variant = product.variants.filter(is_active=True).order_by("pk").first()
        cart_add(token=cart.token, variant_id=variant.pk, quantity=1)
    data = CheckoutInput(
        email=BUYER_EMAIL,
        shipping_address=ADDRESS,
        shipping_method_id=method.pk,
        payment_method="cash_usd",
    )
    order, _ = order_place(cart=cart, data=data)
    payment_confirm_offline(order=order, method="cash_usd", actor=actor)
    start, end = previous_week()
    delivered_at = timezone.make_aware(datetime.combine(end, time(12))) - timedelta(days=1)
    for item in order.items.order_by("pk"):
        shipment = shipment_create(
            order=order, items=[(item.pk, item.quantity)], provider=provider, actor=actor
        )
        shipment_mark_delivered(shipment=shipment, at=delivered_at, actor=actor)
    return len(payouts_generate(period_start=start, period_end=end, actor=actor))
