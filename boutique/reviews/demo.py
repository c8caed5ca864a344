"""The reviews part of the demo shop (`make run`): three customers whose orders
were delivered review two of the shop's products (approved, so the product
pages show a rating and histogram and the listing sorts by rating), and one
review waits for moderation in the back office. Everything goes through the
services; made once (safe to rerun)."""

from dataclasses import dataclass

from .models import Review

PASSWORD = "Linen-Kite-Meadow-2026"
REVIEWERS = [
    ("Maya", "Khoury", "maya.reviews@boutique.test"),
    ("Jad", "Saliba", "jad.reviews@boutique.test"),
    ("Lina", "Haddad", "lina.reviews@boutique.test"),
]
# (reviewer index, product index, rating, title, text, approved)
REVIEWS = [
    (0, 0, 5, "So soft", "Washed it five times already and it is still as soft as day one.", True),
    (1, 0, 4, "Runs a little big", "Lovely fabric; order one size down for a snug fit.", True),
    (2, 0, 5, "Perfect gift", "Bought it for my niece and her parents loved it.", True),
    (0, 1, 3, "Nice but pricey", "Well made, though I expected a bit more for the price.", True),
    (1, 1, 4, "Good quality", "Stitching is neat and the colour matches the photos.", True),
    (2, 1, 2, "Colour faded", "The colour faded after a few washes at 30 degrees.", False),
]
ADDRESS = {
    "full_name": "Demo Reviewer",
    "phone": "+96170111333",
    "line1": "Rue Hamra, Building 9",
    "city": "Beirut",
    "country": "LB",
}


@dataclass
class DemoReviewsSummary:
    reviews_created: int


def demo_reviews_load(*, actor) -> DemoReviewsSummary:
    """Needs the demo catalogue and checkout data (a shipping method)."""
    from boutique.accounts.selectors import user_find_by_login
    from boutique.catalog.selectors import storefront_products
    from boutique.orders.models import ShippingMethod

    if user_find_by_login(REVIEWERS[0][2]) is not None or Review.objects.exists():
        return DemoReviewsSummary(0)
    method = ShippingMethod.objects.order_by("position", "pk").first()
    products = list(
        storefront_products()
        .filter(seller__isnull=True, variants__stock__on_hand__gte=5)
        .distinct()
        .order_by("pk")[:2]
    )
    if method is None or len(products) < 2:
        return DemoReviewsSummary(0)
    users = [
        _delivered_buyer(first, last, email, products, method, actor)
        for first, last, email in REVIEWERS
    ]
    return DemoReviewsSummary(_reviews(users, products, actor))


def _delivered_buyer(first, last, email, products, method, actor):
    from boutique.accounts.services import user_register
    from boutique.cart.services import cart_add, cart_obtain
    from boutique.checkout.services import CheckoutInput, order_place
    from boutique.payments.services import payment_confirm_offline
    from boutique.shipping.models import ShippingProvider
    from boutique.shipping.services import shipment_create, shipment_mark_delivered
    from boutique.shipping.services_providers import shipping_provider_save

    user = user_register(
        email=email, password=PASSWORD, first_name=first, last_name=last, send_verification=False
    )
    cart = cart_obtain(user=user)
    for product in products:
        variant = product.variants.filter(is_active=True).order_by("pk").first()
        cart_add(user=user, variant_id=variant.pk, quantity=1)
    data = CheckoutInput(
        email=email,
        shipping_address=ADDRESS,
        shipping_method_id=method.pk,
        payment_method="cash_usd",
    )
    order, _ = order_place(cart=cart, data=data, user=user)
    payment_confirm_offline(order=order, method="cash_usd", actor=actor)
    provider = ShippingProvider.objects.order_by("pk").first() or shipping_provider_save(
        actor=actor, name="Boutique courier", contact_email="courier@boutique.test"
    )
    shipment = shipment_create(order=order, provider=provider, actor=actor)
    shipment_mark_delivered(shipment=shipment, actor=actor)
    return user


def _reviews(users, products, actor) -> int:
    from .services import review_approve, review_submit

    for who, which, rating, title, text, approved in REVIEWS:
        review = review_submit(
            user=users[who], product=products[which], rating=rating, title=title, text=text
        )
        if approved:
            review_approve(review=review, actor=actor)
    return len(REVIEWS)
