"""Review rules: verified purchase, once per product, author edits back to
moderation, staff approve or reject (audited, with a reason), and the product's
average and count follow every change that touches an approved review."""

from decimal import Decimal

import pytest

from boutique.accounts.tests.factories import StaffFactory, UserFactory
from boutique.audit.models import AuditLog
from boutique.catalog.models import Product
from boutique.catalog.tests.factories import make_product
from boutique.core.errors import ValidationFailed
from boutique.marketplace.tests.factories import deliver
from boutique.orders.models import Order, OrderStatus
from boutique.reviews import selectors, services
from boutique.reviews.errors import (
    AlreadyReviewed,
    NotVerifiedBuyer,
    RejectionReasonRequired,
    ReviewNotFound,
)
from boutique.reviews.models import Review, ReviewStatus

from .factories import delivered_order, make_review, verified_buyer

pytestmark = pytest.mark.django_db

TEXT = "Soft, warm and the colour is as shown."


@pytest.fixture(autouse=True)
def _no_tax(settings):
    settings.DEFAULT_TAX_RATE = "0"


@pytest.fixture
def product():
    return make_product("Knitted cardigan", stock=50)


@pytest.fixture
def staff():
    return StaffFactory()


def _figures(product):
    product = Product.objects.get(pk=product.pk)
    return product.rating_average, product.review_count


def _submit(user, product, rating=4, title="Lovely", text=TEXT):
    return services.review_submit(user=user, product=product, rating=rating, title=title, text=text)


def test_a_verified_buyer_submits_a_review_that_waits_for_moderation(product):
    user = verified_buyer(product)

    review = _submit(user, product)

    assert review.status == ReviewStatus.PENDING
    assert _figures(product) == (None, 0)
    assert AuditLog.objects.filter(action="review.submitted", entity_id=str(review.pk)).exists()


def test_a_customer_whose_order_is_not_delivered_cannot_review(product):
    user = UserFactory()
    delivered_order(user, product)  # paid, not shipped

    with pytest.raises(NotVerifiedBuyer) as caught:
        _submit(user, product)
    assert caught.value.code == "not_verified_buyer"
    assert caught.value.status == 403
    assert not Review.objects.exists()


def test_a_customer_who_never_bought_the_product_cannot_review(product):
    other = make_product("Bonnet")
    user = verified_buyer(other)

    with pytest.raises(NotVerifiedBuyer):
        _submit(user, product)


def test_an_item_in_a_delivered_parcel_is_a_verified_purchase_before_the_whole_order(product):
    other = make_product("Bonnet")
    user = UserFactory()
    order = delivered_order(user, product, other)
    deliver(order, [order.items.get(product=product)])
    order.refresh_from_db()
    assert order.status != OrderStatus.DELIVERED

    assert selectors.is_verified_buyer(user=user, product_id=product.pk)
    assert not selectors.is_verified_buyer(user=user, product_id=other.pk)


def test_a_returned_order_is_not_a_verified_purchase(product):
    user = verified_buyer(product)
    Order.objects.filter(user=user).update(status=OrderStatus.RETURNED)

    assert not selectors.is_verified_buyer(user=user, product_id=product.pk)


def test_a_second_review_of_the_same_product_is_refused(product):
    user = verified_buyer(product)
    _submit(user, product)

    with pytest.raises(AlreadyReviewed) as caught:
        _submit(user, product, rating=1)
    assert caught.value.status == 409
    assert Review.objects.count() == 1


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"rating": 0}, "rating"),
        ({"rating": 6}, "rating"),
        ({"title": ""}, "title"),
        ({"title": "x" * 121}, "title"),
        ({"text": "short"}, "text"),
        ({"text": "x" * 4001}, "text"),
        ({"text": "nul \x00 in the middle of the text"}, "text"),
    ],
)
def test_a_review_out_of_bounds_is_refused(product, fields, field):
    user = verified_buyer(product)

    with pytest.raises(ValidationFailed) as caught:
        _submit(user, product, **fields)
    assert field in caught.value.field_errors
    assert not Review.objects.exists()


def test_approval_counts_the_review_in_the_products_average_and_count(product, staff):
    make_review(product, rating=5)
    make_review(product, rating=4)
    make_review(product, rating=4)
    pending = make_review(product, rating=1, status=ReviewStatus.PENDING)
    make_review(product, rating=1, status=ReviewStatus.REJECTED)

    assert _figures(product) == (Decimal("4.33"), 3)

    services.review_approve(review=pending, actor=staff)
    assert _figures(product) == (Decimal("3.50"), 4)


def test_rejecting_an_approved_review_takes_it_out_and_keeps_the_reason(product, staff):
    keep = make_review(product, rating=2)
    review = make_review(product, rating=5)

    rejected = services.review_reject(review=review, actor=staff, reason="Mentions a competitor")

    assert rejected.status == ReviewStatus.REJECTED
    assert rejected.rejection_reason == "Mentions a competitor"
    assert rejected.moderated_by == staff
    assert _figures(product) == (Decimal("2.00"), 1)
    entry = AuditLog.objects.get(action="review.rejected", entity_id=str(review.pk))
    assert entry.old["status"] == "approved"
    assert entry.new == {
        **entry.new,
        "status": "rejected",
        "rejection_reason": "Mentions a competitor",
    }
    assert keep.pk != review.pk


def test_rejecting_without_a_reason_is_refused(product, staff):
    review = make_review(product, status=ReviewStatus.PENDING)

    with pytest.raises(RejectionReasonRequired):
        services.review_reject(review=review, actor=staff, reason="   ")
    review.refresh_from_db()
    assert review.status == ReviewStatus.PENDING


def test_approval_is_audited_with_the_actor_and_approving_twice_changes_nothing(product, staff):
    review = make_review(product, status=ReviewStatus.PENDING)

    services.review_approve(review=review, actor=staff)
    services.review_approve(review=review, actor=staff)

    entries = AuditLog.objects.filter(action="review.approved", entity_id=str(review.pk))
    assert entries.count() == 1
    assert entries.get().actor_id == staff.pk
    assert _figures(product) == (Decimal("5.00"), 1)


def test_the_authors_edit_goes_back_to_moderation_and_stops_counting(product):
    make_review(product, rating=2)
    review = make_review(product, rating=4)
    assert _figures(product) == (Decimal("3.00"), 2)

    edited = services.review_update(
        review=review, user=review.user, rating=1, title="Changed my mind", text=TEXT
    )

    assert edited.status == ReviewStatus.PENDING
    assert (edited.rating, edited.title, edited.moderated_at) == (1, "Changed my mind", None)
    assert _figures(product) == (Decimal("2.00"), 1)
    assert AuditLog.objects.filter(action="review.edited", entity_id=str(review.pk)).exists()


def test_someone_else_cannot_edit_or_delete_a_review(product):
    review = make_review(product)
    other = verified_buyer(product)

    with pytest.raises(ReviewNotFound):
        services.review_update(review=review, user=other, rating=1, title="Mine", text=TEXT)
    with pytest.raises(ReviewNotFound):
        services.review_delete(review=review, actor=other)
    review.refresh_from_db()
    assert review.rating == 5


def test_deleting_an_approved_review_takes_it_out_of_the_figures(product, staff):
    review = make_review(product, rating=5)
    make_review(product, rating=3)

    services.review_delete(review=review, actor=staff)

    assert not Review.objects.filter(pk=review.pk).exists()
    assert _figures(product) == (Decimal("3.00"), 1)
    assert AuditLog.objects.filter(action="review.deleted", entity_id=str(review.pk)).exists()


def test_the_histogram_counts_approved_reviews_from_five_to_one(product):
    for rating in (5, 5, 4, 1):
        make_review(product, rating=rating)
    make_review(product, rating=3, status=ReviewStatus.PENDING)

    bars = selectors.rating_histogram(product_id=product.pk)

    assert [(bar.stars, bar.count, bar.percent) for bar in bars] == [
        (5, 2, 50),
        (4, 1, 25),
        (3, 0, 0),
        (2, 0, 0),
        (1, 1, 25),
    ]


def test_the_stored_figures_match_a_recount(product, staff):
    reviews = [make_review(product, rating=r, status=ReviewStatus.PENDING) for r in (5, 4, 2)]
    for review in reviews:
        services.review_approve(review=review, actor=staff)
    services.review_reject(review=reviews[0], actor=staff, reason="Spam")

    assert _figures(product) == selectors.rating_summary(product_id=product.pk)
    assert _figures(product) == (Decimal("3.00"), 2)


def test_deleting_the_account_deletes_its_reviews_and_keeps_the_figures_in_step(product):
    from boutique.accounts.services.privacy import user_delete

    other = make_product("Bonnet")
    user = verified_buyer(product)
    deliver(delivered_order(user, other))
    make_review(product, user=user, rating=1)
    make_review(other, user=user, rating=2, status=ReviewStatus.PENDING)
    make_review(product, rating=5)

    user_delete(user=user, actor=None, password_confirmed=True)

    assert not Review.objects.filter(user=user).exists()
    assert _figures(product) == (Decimal("5.00"), 1)
    assert _figures(other) == (None, 0)
