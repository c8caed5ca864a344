"""Reviews on the storefront and in the back office: the product page's section
(approved only, escaped, histogram, the buyer's own form), writing and editing,
the listing's sort and filter by rating, and moderation by admin actions."""

import json
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from boutique.accounts.tests.factories import StaffFactory, UserFactory
from boutique.audit.models import AuditLog
from boutique.catalog.models import Product
from boutique.catalog.tests.factories import make_product
from boutique.reviews.models import Review, ReviewStatus
from boutique.storefront.helpers import LOGIN_BACKEND

from .factories import make_review, verified_buyer

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
FORM = {"rating": "4", "title": "Lovely", "text": "Soft, warm and true to size."}
CHANGELIST = reverse("admin:reviews_review_changelist")


@pytest.fixture(autouse=True)
def _no_tax(settings):
    settings.DEFAULT_TAX_RATE = "0"


@pytest.fixture
def product():
    return make_product("Knitted cardigan", stock=50)


def _page(client, product):
    return client.get(reverse("storefront:product", args=[product.slug]))


def _write(client, product, data=FORM):
    return client.post(reverse("storefront:review_write", args=[product.slug]), data)


def _names(response) -> list[str]:
    html = response.content.decode()
    return re.findall(r'class="product-card-name">([^<]+)<', html)


def test_the_product_page_shows_approved_reviews_escaped_with_the_histogram(client, product):
    make_review(product, rating=5, title=SCRIPT, text=f"Before {SCRIPT} after, lovely.")
    make_review(product, rating=4, title="Pending one", status=ReviewStatus.PENDING)
    make_review(product, rating=2, title="Rejected one", status=ReviewStatus.REJECTED)

    html = _page(client, product).content.decode()

    assert SCRIPT not in html
    assert html.count(ESCAPED) == 2  # title and text
    assert "Pending one" not in html and "Rejected one" not in html
    assert "5.0</strong> out of 5 · 1 review" in html
    assert html.count("<meter") == 5
    assert 'value="100"' in html


def test_the_product_pages_structured_data_carries_the_rating(client, product):
    make_review(product, rating=5)
    make_review(product, rating=4)

    html = _page(client, product).content.decode()

    data = json.loads(re.search(r'application/ld\+json"[^>]*>(.*?)</script>', html, re.S)[1])
    assert data["aggregateRating"] == {
        "@type": "AggregateRating",
        "ratingValue": "4.50",
        "reviewCount": 2,
        "bestRating": 5,
        "worstRating": 1,
    }


def test_a_product_without_reviews_says_so_and_runs_no_review_query(
    client, product, django_assert_max_num_queries
):
    _page(client, product)
    # As before reviews existed (test_catalog_pages): nothing added for a guest.
    with django_assert_max_num_queries(9):
        html = _page(client, product).content.decode()
    assert "No reviews yet." in html


@pytest.mark.parametrize("n", [1, 5])
def test_the_product_page_with_reviews_runs_a_fixed_number_of_queries(
    client, product, n, django_assert_max_num_queries
):
    for _ in range(n):
        make_review(product)
    _page(client, product)
    with django_assert_max_num_queries(11):
        html = _page(client, product).content.decode()
    assert html.count('class="review"') == n


def test_a_verified_buyer_writes_then_edits_their_review(client, product):
    user = verified_buyer(product)
    client.force_login(user, backend=LOGIN_BACKEND)
    assert "Write a review" in _page(client, product).content.decode()

    response = _write(client, product)

    assert response.status_code == 302
    review = Review.objects.get(user=user)
    assert (review.rating, review.status) == (4, ReviewStatus.PENDING)
    html = _page(client, product).content.decode()
    assert "Waiting for our team" in html and 'value="Lovely"' in html

    _write(client, product, {**FORM, "rating": "2", "title": "Edited"})
    review.refresh_from_db()
    assert (review.rating, review.title) == (2, "Edited")
    assert Review.objects.count() == 1


def test_editing_an_approved_review_takes_it_off_the_page_until_approved(client, product):
    review = make_review(product, rating=5, title="Was shown")
    client.force_login(review.user, backend=LOGIN_BACKEND)

    _write(client, product, {**FORM, "title": "Now pending"})

    assert Product.objects.get(pk=product.pk).review_count == 0
    client.logout()
    html = _page(client, product).content.decode()
    assert "Was shown" not in html and "Now pending" not in html


def test_a_customer_without_a_delivered_purchase_gets_no_form_and_a_403(client, product):
    client.force_login(UserFactory(), backend=LOGIN_BACKEND)
    assert "review-form" not in _page(client, product).content.decode()

    response = _write(client, product)

    assert response.status_code == 403
    assert "Reviews are open to customers" in response.content.decode()
    assert not Review.objects.exists()


def test_a_bad_form_is_422_and_keeps_the_input(client, product):
    client.force_login(verified_buyer(product), backend=LOGIN_BACKEND)

    response = _write(client, product, {**FORM, "rating": "9", "title": SCRIPT})

    assert response.status_code == 422
    assert ESCAPED in response.content.decode()
    assert not Review.objects.exists()


def test_a_guest_writing_is_sent_to_sign_in(client, product):
    response = _write(client, product)

    assert response.status_code == 302
    assert reverse("storefront:signin") in response["Location"]


def test_the_reviews_page_lists_every_approved_review(client, product):
    for _ in range(7):
        make_review(product)
    url = reverse("storefront:product_reviews", args=[product.slug])

    assert "All 7 reviews" in _page(client, product).content.decode()
    assert client.get(url).content.decode().count('class="review"') == 7
    assert client.get(url, {"page": "2"}).status_code == 404


def test_the_listing_sorts_by_rating_and_filters_by_minimum_rating(client):
    make_product("Unrated")
    low, high = make_product("Low"), make_product("High")
    make_review(low, rating=2)
    make_review(high, rating=5)
    shop = reverse("storefront:product_list")

    assert _names(client.get(shop, {"sort": "rating"})) == ["High", "Low", "Unrated"]
    filtered = client.get(shop, {"min_rating": "4"})
    assert _names(filtered) == ["High"]
    assert '<option value="4" selected>' in filtered.content.decode()
    assert client.get(shop, {"min_rating": "9"}).status_code == 400


# --- Back office ----------------------------------------------------------------------
@pytest.fixture
def staff(client):
    user = StaffFactory()
    client.force_login(user, backend=LOGIN_BACKEND)
    return user


def test_the_admin_list_shows_review_text_escaped(client, staff, product):
    make_review(product, title=SCRIPT, text=f"Text {SCRIPT} nice", status=ReviewStatus.PENDING)

    html = client.get(CHANGELIST).content.decode()

    assert SCRIPT not in html
    assert f">{ESCAPED}<" in html  # the title
    assert f"Text {ESCAPED} nice" in html  # the text column


def test_staff_approve_reviews_with_an_action(client, staff, product):
    review = make_review(product, rating=4, status=ReviewStatus.PENDING)

    client.post(CHANGELIST, {"action": "approve_selected", "_selected_action": [review.pk]})

    review.refresh_from_db()
    assert (review.status, review.moderated_by) == (ReviewStatus.APPROVED, staff)
    assert Product.objects.get(pk=product.pk).rating_average == Decimal("4.00")


def test_staff_reject_reviews_with_a_reason(client, staff, product):
    review = make_review(product, rating=4)
    chosen = {"action": "reject_selected", "_selected_action": [review.pk]}

    asked = client.post(CHANGELIST, chosen)
    assert asked.status_code == 200 and 'name="reason"' in asked.content.decode()
    no_reason = client.post(CHANGELIST, {**chosen, "apply": "1", "reason": ""})
    assert no_reason.status_code == 200
    review.refresh_from_db()
    assert review.status == ReviewStatus.APPROVED

    client.post(CHANGELIST, {**chosen, "apply": "1", "reason": "Off topic"})

    review.refresh_from_db()
    assert (review.status, review.rejection_reason) == (ReviewStatus.REJECTED, "Off topic")
    assert Product.objects.get(pk=product.pk).review_count == 0
    assert AuditLog.objects.filter(action="review.rejected", actor=staff).exists()


def test_deleting_in_the_admin_keeps_the_figures_in_step(client, staff, product):
    review = make_review(product, rating=5)
    make_review(product, rating=3)

    client.post(
        CHANGELIST,
        {"action": "delete_selected", "_selected_action": [review.pk], "post": "yes"},
    )

    assert not Review.objects.filter(pk=review.pk).exists()
    assert Product.objects.get(pk=product.pk).rating_average == Decimal("3.00")
