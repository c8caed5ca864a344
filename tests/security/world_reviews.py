"""Issue 10's reviews in the authorisation world: customer A received S1's
product (a delivered order) and reviewed it (approved), so A is the one actor
who may write about it; B, the sellers and staff bought nothing of it."""

from boutique.cart.services import cart_add
from boutique.marketplace.tests.factories import deliver, multi_seller_order
from boutique.reviews.services import review_approve, review_submit


def add_reviews(world) -> None:
    a, product = world.a.user, world.s1.product
    deliver(multi_seller_order([(product, 1)], email=a.email, user=a))
    # The order took A's cart (S1's variant in it): A gets the same line back.
    world.a.cart_item = cart_add(user=a, variant_id=product.variants.get().pk, quantity=1)
    review = review_submit(
        user=a, product=product, rating=5, title="Lovely", text="Soft and warm, true to size."
    )
    world.extra["review"] = review_approve(review=review, actor=world.staff)
