"""The demo shop's reviews: verified buyers' approved reviews on two products
(their figures stored), one waiting for moderation; made once."""

import pytest

from boutique.accounts.demo import demo_accounts_load
from boutique.catalog.demo import demo_catalog_load
from boutique.catalog.models import Product
from boutique.catalog.tests.conftest import media_root  # noqa: F401
from boutique.orders.demo import demo_checkout_load
from boutique.reviews import selectors
from boutique.reviews.demo import REVIEWS, demo_reviews_load
from boutique.reviews.models import Review, ReviewStatus

pytestmark = pytest.mark.django_db


@pytest.mark.usefixtures("media_root")
def test_the_demo_has_approved_and_pending_reviews_and_reruns_safely():
    admin = next(user for _, user, _ in demo_accounts_load() if user.is_superuser)
    demo_catalog_load(actor=admin, images=False)
    demo_checkout_load(actor=admin)

    assert demo_reviews_load(actor=admin).reviews_created == len(REVIEWS)

    assert Review.objects.filter(status=ReviewStatus.PENDING).count() == 1
    rated = Product.objects.filter(review_count__gt=0)
    assert sorted(p.review_count for p in rated) == [2, 3]
    for product in rated:
        assert (product.rating_average, product.review_count) == selectors.rating_summary(
            product_id=product.pk
        )
    assert demo_reviews_load(actor=admin).reviews_created == 0
    assert Review.objects.count() == len(REVIEWS)
