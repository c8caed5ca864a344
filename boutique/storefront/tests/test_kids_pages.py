"""Child-aware shopping on the pages: the home page's "For Maya" shelves, the
listing's one-click chips, fit markers on cards and the product page, and the
suggested sizes on the children page."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from boutique.accounts.models import Child
from boutique.accounts.tests.factories import ChildFactory, UserFactory
from boutique.catalog.tests.factories import make_product
from boutique.kids.tests.conftest import ensure_default_size_chart

from .conftest import HTMX

HOME = reverse("storefront:home")
SHOP = reverse("storefront:product_list")
CHILDREN = reverse("storefront:children")

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _size_chart(db):
    ensure_default_size_chart()


def months_ago(months: int) -> datetime.date:
    today = timezone.localdate()
    year, month = divmod(today.year * 12 + today.month - 1 - months, 12)
    return today.replace(year=year, month=month + 1, day=1)


@pytest.fixture
def products(db):
    """A toddler product, a big-kid product, a baby product and one for every age."""
    return {
        "toddler": make_product("Toddler dungarees", age_min_months=12, age_max_months=24),
        "big": make_product("Big kid bike", age_min_months=36, age_max_months=72),
        "baby": make_product("Newborn mittens", age_min_months=0, age_max_months=6),
        "any": make_product("Muslin blanket"),
    }


@pytest.fixture
def maya(user):
    return ChildFactory(user=user, name="Maya", birth_date=months_ago(18))


# --- Home page ------------------------------------------------------------------------------
def test_home_shows_picks_for_each_of_the_customers_children(signed_in, maya, products):
    body = signed_in.get(HOME).content.decode()
    assert "For Maya (18 months)" in body
    section = body.split(f'id="child-{maya.pk}-title"')[1].split("</section>")[0]
    assert "Toddler dungarees" in section
    assert "Big kid bike" not in section and "Newborn mittens" not in section
    # Products for every age are not "picked" for a child.
    assert "Muslin blanket" not in section
    assert f"{SHOP}?child={maya.pk}" in section


def test_home_picks_leave_out_products_without_stock(signed_in, maya, products):
    make_product("Sold out romper", age_min_months=12, age_max_months=24, stock=0)
    body = signed_in.get(HOME).content.decode()
    section = body.split(f'id="child-{maya.pk}-title"')[1].split("</section>")[0]
    assert "Sold out romper" not in section


def test_home_shows_only_the_customers_own_children(signed_in, products):
    ChildFactory(user=UserFactory(), name="Zeynep", birth_date=months_ago(18))
    body = signed_in.get(HOME).content.decode()
    assert "Zeynep" not in body
    assert 'aria-labelledby="child-' not in body


def test_guests_and_childless_customers_see_the_normal_home(client, signed_in, products):
    ChildFactory(name="Maya", birth_date=months_ago(18))
    for visitor in (client, signed_in):
        body = visitor.get(HOME).content.decode()
        assert "For Maya" not in body
        assert "child-fit" not in body


def test_home_shows_at_most_two_children(signed_in, user, products):
    for name, age in (("Ann", 13), ("Ben", 14), ("Cy", 15)):
        ChildFactory(user=user, name=name, birth_date=months_ago(age))
    body = signed_in.get(HOME).content.decode()
    assert "For Ann (13 months)" in body and "For Ben (14 months)" in body
    assert "For Cy" not in body


def _queries(client, url, django_assert_max_num_queries) -> int:
    client.get(url)  # warm the session and caches
    with django_assert_max_num_queries(40) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_home_queries_do_not_grow_with_products_or_children(
    signed_in, user, django_assert_max_num_queries
):
    def add(products, children):
        for n in range(products):
            make_product(f"Toddler thing {n}", age_min_months=6, age_max_months=30)
        for n in range(children):
            ChildFactory(user=user, name=f"Kid {n}", birth_date=months_ago(12 + n % 6))

    add(2, 2)
    few = _queries(signed_in, HOME, django_assert_max_num_queries)
    add(10, 6)
    assert _queries(signed_in, HOME, django_assert_max_num_queries) == few


# --- Listing ------------------------------------------------------------------------------------
def test_listing_offers_a_chip_per_child(signed_in, maya, products):
    body = signed_in.get(SHOP).content.decode()
    assert "For Maya (18 months)" in body
    assert f'href="{SHOP}?child={maya.pk}"' in body


def test_child_chip_filters_by_the_childs_age(signed_in, maya, products):
    response = signed_in.get(SHOP, {"child": maya.pk})
    names = [p.name for p in response.context["page"].products]
    assert "Toddler dungarees" in names and "Muslin blanket" in names
    assert "Big kid bike" not in names and "Newborn mittens" not in names
    assert response.context["filters"].age_months == 18
    body = response.content.decode()
    assert 'class="chip is-selected"' in body
    # The chosen chip links back to the listing without the child's age.
    assert f'href="{SHOP}"' in body


def test_child_chip_with_htmx_swaps_the_results(signed_in, maya, products):
    response = signed_in.get(SHOP, {"child": maya.pk}, headers=HTMX)
    assert response.status_code == 200
    assert "Toddler dungarees" in response.content.decode()


def test_child_wins_over_an_age_given_with_it(signed_in, maya, products):
    response = signed_in.get(SHOP, {"child": maya.pk, "age": "60"})
    assert response.context["filters"].age_months == 18


def test_someone_elses_child_is_404_and_shows_nothing(signed_in, client, products):
    other = ChildFactory(name="Zeynep", birth_date=months_ago(18))
    response = signed_in.get(SHOP, {"child": other.pk})
    assert response.status_code == 404
    assert "Zeynep" not in response.content.decode()
    assert client.get(SHOP, {"child": other.pk}).status_code == 404


def test_malformed_child_is_400(signed_in, maya, products):
    response = signed_in.get(SHOP, {"child": "abc"})
    assert response.status_code == 400
    assert "child must be a whole number" in response.content.decode()


def test_cards_mark_products_outside_the_childs_age(signed_in, maya, products):
    body = signed_in.get(SHOP).content.decode()
    assert "For 3–6 years — older than Maya" in body
    assert "For 0–6 months — younger than Maya" in body
    assert "Fits Maya" in body  # the toddler dungarees


def test_with_two_children_a_product_fitting_one_is_not_marked_outside(
    signed_in, user, maya, products
):
    ChildFactory(user=user, name="Leo", birth_date=months_ago(48))
    body = signed_in.get(SHOP).content.decode()
    assert "Fits Leo" in body  # the bike
    assert "Fits Maya" in body  # the dungarees
    assert "For 0–6 months — younger than Leo and Maya" in body  # oldest first
    assert "older than" not in body


def test_guests_see_no_markers_or_chips(client, products):
    body = client.get(SHOP).content.decode()
    assert "child-fit" not in body and "child-chips" not in body


def test_listing_queries_do_not_grow_with_cards(signed_in, user, django_assert_max_num_queries):
    ChildFactory(user=user, name="Maya", birth_date=months_ago(18))
    ChildFactory(user=user, name="Leo", birth_date=months_ago(48))
    make_product("Thing", age_min_months=0, age_max_months=12)
    few = _queries(signed_in, SHOP, django_assert_max_num_queries)
    for n in range(20):
        make_product(f"Thing {n}", age_min_months=n, age_max_months=n + 12)
    assert _queries(signed_in, SHOP, django_assert_max_num_queries) == few


# --- Product page ---------------------------------------------------------------------------------
def test_product_page_marks_a_product_for_older_children(signed_in, maya, products):
    body = signed_in.get(reverse("storefront:product", args=[products["big"].slug])).content
    assert "For 3–6 years — older than Maya" in body.decode()


def test_product_page_says_whom_it_fits(signed_in, maya, products):
    body = signed_in.get(reverse("storefront:product", args=[products["toddler"].slug])).content
    assert "Fits Maya" in body.decode()


# --- Children page -------------------------------------------------------------------------------
def test_children_page_suggests_the_size_and_says_the_age_in_words(signed_in, user):
    ChildFactory(user=user, name="Maya", birth_date=months_ago(18))
    ChildFactory(user=user, name="Leo", birth_date=months_ago(40))
    body = signed_in.get(CHILDREN).content.decode()
    assert "18 months old" in body and "3 years old" in body
    assert "Suggested size now" in body
    assert "18-24M" in body and "3T" in body


def test_the_size_the_parent_typed_wins(signed_in, user):
    ChildFactory(user=user, name="Maya", birth_date=months_ago(18), clothing_size="2T")
    body = signed_in.get(CHILDREN).content.decode()
    assert "Clothing size" in body and "2T" in body
    assert "18-24M" not in body


def test_child_form_sets_the_birthday_reminder(signed_in, user):
    response = signed_in.post(
        reverse("storefront:child_create"),
        {"name": "Maya", "birth_date": "2024-05-01", "birthday_reminders": "on"},
    )
    assert response.status_code == 302
    child = Child.objects.get(user=user)
    assert child.birthday_reminders is True
    signed_in.post(
        reverse("storefront:child_update", args=[child.pk]),
        {"name": "Maya", "birth_date": "2024-05-01"},
    )
    child.refresh_from_db()
    assert child.birthday_reminders is False


def test_birthday_reminder_is_off_by_default(signed_in, user):
    signed_in.post(reverse("storefront:child_create"), {"name": "Maya", "birth_date": "2024-05-01"})
    assert Child.objects.get(user=user).birthday_reminders is False
