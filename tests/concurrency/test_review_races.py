"""Review moderation on real connections: approvals, rejections and edits of
one product's reviews at the same moment leave the product's average and count
equal to a recount (the product row lock queues them; SQLite's IMMEDIATE
transactions queue the writers), and a customer's simultaneous submissions
leave one review."""

from decimal import Decimal

import pytest

from boutique.accounts.tests.factories import StaffFactory
from boutique.catalog.models import Product
from boutique.catalog.tests.factories import make_product
from boutique.reviews import selectors, services
from boutique.reviews.errors import AlreadyReviewed
from boutique.reviews.models import Review, ReviewStatus
from boutique.reviews.tests.factories import make_review, verified_buyer

from .helpers import run_concurrently

pytestmark = pytest.mark.django_db(transaction=True)

TEXT = "Soft, warm and true to size."


@pytest.fixture(autouse=True)
def _no_tax(settings):
    settings.DEFAULT_TAX_RATE = "0"


def _figures(product):
    product = Product.objects.get(pk=product.pk)
    return product.rating_average, product.review_count


def test_simultaneous_approvals_all_count():
    product = make_product("Cardigan", stock=100)
    ratings = [5, 4, 4, 3, 5, 1, 2, 5]
    reviews = [make_review(product, rating=r, status=ReviewStatus.PENDING) for r in ratings]
    staff = StaffFactory()

    results = run_concurrently(
        lambda i: services.review_approve(review=reviews[i], actor=staff),
        workers=len(reviews),
        timeout=120,
    )

    assert [r for r in results if isinstance(r, BaseException)] == []
    assert _figures(product) == (Decimal("3.63"), 8)
    assert _figures(product) == selectors.rating_summary(product_id=product.pk)


def test_simultaneous_approvals_rejections_and_edits_match_a_recount():
    product = make_product("Bonnet", stock=100)
    pending = [make_review(product, rating=r, status=ReviewStatus.PENDING) for r in (5, 4, 3)]
    approved = [make_review(product, rating=r) for r in (1, 2, 5)]
    staff = StaffFactory()
    jobs = [
        *(lambda r=r: services.review_approve(review=r, actor=staff) for r in pending),
        lambda: services.review_reject(review=approved[0], actor=staff, reason="Spam"),
        lambda: services.review_update(
            review=approved[1], user=approved[1].user, rating=4, title="Edited", text=TEXT
        ),
        lambda: services.review_delete(review=approved[2], actor=staff),
    ]

    results = run_concurrently(lambda i: jobs[i](), workers=len(jobs), timeout=120)

    assert [r for r in results if isinstance(r, BaseException)] == []
    # Counted: the three approved (5, 4, 3); the edited one waits again.
    assert _figures(product) == (Decimal("4.00"), 3)
    assert _figures(product) == selectors.rating_summary(product_id=product.pk)


def test_a_customers_simultaneous_submissions_leave_one_review():
    product = make_product("Booties", stock=100)
    user = verified_buyer(product)

    results = run_concurrently(
        lambda i: services.review_submit(
            user=user, product=product, rating=1 + i % 5, title=f"Try {i}", text=TEXT
        ),
        workers=6,
        timeout=120,
    )

    created = [r for r in results if isinstance(r, Review)]
    refused = [r for r in results if isinstance(r, AlreadyReviewed)]
    assert (len(created), len(refused)) == (1, 5)
    assert Review.objects.filter(user=user, product=product).count() == 1
