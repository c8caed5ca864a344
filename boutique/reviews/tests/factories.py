"""Reviews as production makes them: a buyer whose order was delivered writes
one through the service; staff approve it through the service."""

import itertools

from boutique.accounts.tests.factories import StaffFactory, UserFactory
from boutique.marketplace.tests.factories import deliver, multi_seller_order
from boutique.reviews import services
from boutique.reviews.models import ReviewStatus

_n = itertools.count(1)


def delivered_order(user, *products):
    """A paid order of one unit of each product for `user`, not yet delivered."""
    return multi_seller_order([(p, 1) for p in products], email=user.email, user=user)


def verified_buyer(product, **user_fields):
    """A customer whose order holding `product` was delivered."""
    user = UserFactory(**user_fields)
    deliver(delivered_order(user, product))
    return user


def make_review(product, *, user=None, rating=5, status=ReviewStatus.APPROVED, staff=None, **kw):
    user = user or verified_buyer(product)
    n = next(_n)
    review = services.review_submit(
        user=user,
        product=product,
        rating=rating,
        title=kw.get("title", f"Review {n}"),
        text=kw.get("text", f"A lovely piece, number {n}, soft and well made."),
    )
    if status == ReviewStatus.APPROVED:
        review = services.review_approve(review=review, actor=staff or StaffFactory())
    elif status == ReviewStatus.REJECTED:
        review = services.review_reject(review=review, actor=staff or StaffFactory(), reason="No")
    return review
