"""GET|POST /api/v1/products/{slug}/reviews, and the rating on the catalog's
product list and detail (sort by rating, filter by minimum rating)."""

import json

import pytest

from boutique.accounts.services import token_issue
from boutique.accounts.tests.factories import UserFactory
from boutique.catalog.tests.factories import make_product
from boutique.core.problems import PROBLEM_CONTENT_TYPE
from boutique.reviews.models import Review, ReviewStatus

from .factories import make_review, verified_buyer

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
BODY = {"rating": 4, "title": "Lovely", "text": "Soft, warm and true to size."}


@pytest.fixture(autouse=True)
def _no_tax(settings):
    settings.DEFAULT_TAX_RATE = "0"


@pytest.fixture
def product():
    return make_product("Knitted cardigan", stock=50)


def _url(product) -> str:
    return f"/api/v1/products/{product.slug}/reviews"


def _auth(user) -> dict:
    secret, _ = token_issue(user=user, name="test")
    return {"Authorization": f"Bearer {secret}"}


def _post(client, product, body, user=None):
    headers = _auth(user) if user else {}
    return client.post(_url(product), json.dumps(body), "application/json", headers=headers)


def test_the_list_shows_approved_reviews_only_with_figures_and_histogram(client, product):
    shown = make_review(product, rating=5, title=SCRIPT, text=f"{SCRIPT} really nice")
    make_review(product, rating=3)
    make_review(product, rating=1, status=ReviewStatus.PENDING)
    make_review(product, rating=1, status=ReviewStatus.REJECTED)

    body = client.get(_url(product)).json()

    assert body["rating"] == 4.0
    assert body["review_count"] == body["count"] == 2
    assert body["histogram"] == [
        {"stars": 5, "count": 1},
        {"stars": 4, "count": 0},
        {"stars": 3, "count": 1},
        {"stars": 2, "count": 0},
        {"stars": 1, "count": 0},
    ]
    assert [r["rating"] for r in body["results"]] == [3, 5]
    first = body["results"][1]
    # JSON carries the text as written; it is never HTML here.
    assert (first["id"], first["title"]) == (shown.pk, SCRIPT)
    assert "status" not in first and "email" not in json.dumps(body)


def test_the_list_is_paginated(client, product):
    for _ in range(3):
        make_review(product)

    body = client.get(_url(product), {"page": 2, "page_size": 2}).json()

    assert (body["count"], body["num_pages"], body["page"]) == (3, 2, 2)
    assert (body["previous"], body["next"]) == (1, None)
    assert len(body["results"]) == 1


@pytest.mark.parametrize("n", [1, 12])
def test_the_list_runs_a_fixed_number_of_queries(client, product, n, django_assert_max_num_queries):
    for _ in range(n):
        make_review(product)
    # The product, the page of reviews with their authors, the histogram.
    with django_assert_max_num_queries(3):
        body = client.get(_url(product), {"page_size": 50}).json()
    assert len(body["results"]) == n


def test_a_hidden_or_unknown_product_is_404(client):
    draft = make_product("Draft", status="draft")

    assert client.get(_url(draft)).status_code == 404
    assert client.get("/api/v1/products/nothing-here/reviews").status_code == 404


def test_a_verified_buyer_posts_a_pending_review(client, product):
    user = verified_buyer(product)

    response = _post(client, product, BODY, user)

    assert response.status_code == 201
    body = response.json()
    assert (body["status"], body["rating"], body["title"]) == ("pending", 4, "Lovely")
    assert Review.objects.get().user == user
    assert client.get(_url(product)).json()["count"] == 0  # not shown before approval


def test_posting_anonymously_is_401(client, product):
    response = _post(client, product, BODY)

    assert response.status_code == 401
    assert response["Content-Type"] == PROBLEM_CONTENT_TYPE
    assert not Review.objects.exists()


def test_posting_without_a_delivered_purchase_is_403_not_verified_buyer(client, product):
    response = _post(client, product, BODY, UserFactory())

    assert response.status_code == 403
    assert response.json()["code"] == "not_verified_buyer"
    assert not Review.objects.exists()


def test_posting_a_second_review_is_409(client, product):
    user = verified_buyer(product)
    _post(client, product, BODY, user)

    response = _post(client, product, {**BODY, "rating": 1}, user)

    assert response.status_code == 409
    assert response.json()["code"] == "already_reviewed"
    assert Review.objects.get().rating == 4


@pytest.mark.parametrize(
    "body",
    [
        {**BODY, "rating": 0},
        {**BODY, "rating": 6},
        {**BODY, "rating": "five"},
        {**BODY, "text": "short"},
        {**BODY, "title": ""},
        {**BODY, "title": "x" * 121},
        {**BODY, "text": "nul \x00 in the middle"},
        {"rating": 4},
    ],
)
def test_a_bad_review_is_422(client, product, body):
    user = verified_buyer(product)

    response = _post(client, product, body, user)

    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"
    assert not Review.objects.exists()


def test_product_list_and_detail_carry_rating_and_review_count(client, product):
    make_review(product, rating=5)
    make_review(product, rating=4)
    unrated = make_product("Bonnet")

    listing = {p["slug"]: p for p in client.get("/api/v1/products").json()["results"]}
    detail = client.get(f"/api/v1/products/{product.slug}").json()

    assert (listing[product.slug]["rating"], listing[product.slug]["review_count"]) == (4.5, 2)
    assert (listing[unrated.slug]["rating"], listing[unrated.slug]["review_count"]) == (None, 0)
    assert (detail["rating"], detail["review_count"]) == (4.5, 2)


def test_the_listing_sorts_by_rating_best_first_unrated_last(client):
    unrated = make_product("Unrated")
    good = make_product("Good")
    best = make_product("Best")
    make_review(good, rating=3)
    make_review(best, rating=5)
    also_good = make_product("Also good")
    make_review(also_good, rating=3)
    make_review(also_good, rating=3)

    body = client.get("/api/v1/products", {"sort": "rating"}).json()

    assert [p["slug"] for p in body["results"]] == [
        best.slug,
        also_good.slug,
        good.slug,
        unrated.slug,
    ]


def test_the_listing_filters_by_minimum_rating(client):
    low = make_product("Low")
    high = make_product("High")
    make_product("Unrated")
    make_review(low, rating=2)
    make_review(high, rating=4)

    body = client.get("/api/v1/products", {"min_rating": 4}).json()

    assert [p["slug"] for p in body["results"]] == [high.slug]


@pytest.mark.parametrize("value", ["0", "6", "four", "4.5"])
def test_a_bad_minimum_rating_is_400(client, value):
    response = client.get("/api/v1/products", {"min_rating": value})

    assert response.status_code == 400
    assert "min_rating" in response.json()["errors"]
